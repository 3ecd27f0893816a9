"""Named mistakes: each rule mutates the verified answer the way a student might, beside its id.

A wrong answer that equals a mutant at every point made that mistake. Structural mistakes
(free-index, reused-index) are read from the parse itself; factor from the ratio at the points.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.readback import ReadbackPrinter


@dataclass(frozen=True)
class Mutant:
    """The verified answer with one mistake made, and what to tell the student."""

    id: str
    expr: sp.Basic
    message: str


def text(e: sp.Basic) -> str:
    """Read back, with h_prime(u) shown as h'(u)."""
    def back(f: sp.Basic) -> sp.Basic:
        u = f.args[0]
        return sp.Derivative(sp.Function(f.func.__name__.removesuffix("_prime"))(u), u)
    return ReadbackPrinter().doprint(e.replace(is_prime, back))


def is_prime(e: sp.Basic) -> bool:
    return isinstance(e, AppliedUndef) and e.func.__name__.endswith("_prime")


def missing_derivative(ref: sp.Basic) -> Iterator[Mutant]:
    for f in ref.atoms(AppliedUndef):
        if is_prime(f):
            yield Mutant("missing-derivative", ref.xreplace({f: 1}), f"{text(f)} is missing")


def activation_not_derivative(ref: sp.Basic) -> Iterator[Mutant]:
    for f in ref.atoms(AppliedUndef):
        if is_prime(f):
            h = sp.Function(f.func.__name__.removesuffix("_prime"))(*f.args)
            yield Mutant("activation-not-derivative", ref.xreplace({f: h}), f"{text(h)} stands where {text(f)} belongs")


def renamed(ref: sp.Basic, names: dict[str, str]) -> sp.Basic:
    """ref with every applied function named in `names` renamed, innermost first."""
    return ref.replace(lambda e: isinstance(e, AppliedUndef) and e.func.__name__ in names,
                       lambda e: sp.Function(names[e.func.__name__])(*e.args))


def exchanged_activations(ref: sp.Basic) -> Iterator[Mutant]:
    """Two layers' activations trade places (h_1 outside, h_2 inside), their derivatives with them."""
    names = sorted({f.func.__name__.removesuffix("_prime") for f in ref.atoms(AppliedUndef)
                    if f.func.__name__.startswith("h__")})
    for p, q in ((p, q) for n, p in enumerate(names) for q in names[n + 1:]):
        swap = {p: q, q: p, p + "_prime": q + "_prime", q + "_prime": p + "_prime"}
        new = renamed(ref, swap)
        shown = [text(sp.Function(name)(sp.Symbol("u"))).removesuffix("(u)") for name in (p, q)]
        yield Mutant("exchanged-activations", new, f"the activations {shown[0]} and {shown[1]} are exchanged")


def swapped_indices(ref: sp.Basic) -> Iterator[Mutant]:
    for e in ref.atoms(sp.Indexed):
        if str(e.base.label).split("__")[0] == "w" and len(e.indices) == 2:
            swapped = e.base[e.indices[1], e.indices[0]]
            yield Mutant("swapped-indices", ref.xreplace({e: swapped}), f"{text(swapped)} stands where {text(e)} belongs")


def swapped_free(ref: sp.Basic) -> Iterator[Mutant]:
    free = sorted(free_indices(ref), key=str)
    if len(free) == 2:
        u, v = free
        yield Mutant("swapped-indices", ref.xreplace({u: v, v: u}), f"the indices {u} and {v} are swapped")


def shift(layer: str, by: int) -> str | None:
    """l -> lp1 (by 1), lp1 -> l (by -1), L -> Lm1, 2 -> 3."""
    if layer.isdigit():
        return str(int(layer) + by) if int(layer) + by >= 0 else None
    found = re.fullmatch(r"([lL])(?:([pm])(\d+))?", layer)
    if not found:
        return None
    head, sign, num = found.groups()
    offset = (int(num) if sign == "p" else -int(num) if sign else 0) + by
    return head if offset == 0 else f"{head}{'p' if offset > 0 else 'm'}{abs(offset)}"


def wrong_layer(ref: sp.Basic) -> Iterator[Mutant]:
    """A quantity of the layer above or below; a sum's size M_l of a layer ref names in place of its own."""
    named = {str(f.label if isinstance(f, sp.IndexedBase) else f.__name__).partition("__")[2]
             for f in ref.atoms(sp.IndexedBase) | {g.func for g in ref.atoms(AppliedUndef)}}
    top = max((int(n) for n in named if n.isdigit()), default=None)  # the output layer: K units, no M_top
    layers = {n for n in named if not (n.isdigit() and top is not None and int(n) >= top)}
    for b in ref.atoms(sp.IndexedBase):
        stem, _, layer = str(b.label).partition("__")
        for by in (1, -1):
            moved = shift(layer, by) if layer else None
            if moved:
                other = sp.IndexedBase(f"{stem}__{moved}")
                shown = next(e for e in ref.atoms(sp.Indexed) if e.base == b)
                said = f"{text(shown.xreplace({b: other}))} stands where {text(shown)} belongs (wrong layer)"
                yield Mutant("wrong-layer", ref.xreplace({b: other}), said)
                size = sp.Symbol(f"M_{layer}", integer=True, positive=True)
                if size in ref.free_symbols and moved in layers:  # a sum without limits over its units runs to its size
                    yield Mutant("wrong-layer", ref.xreplace({b: other, size: sp.Symbol(f"M_{moved}", integer=True,
                                                                                           positive=True)}), said)
    for s in sorted(ref.free_symbols, key=str):  # a sum to M_l where it runs to M_{l+1}, l a layer of ref
        found = re.fullmatch(r"M_(\w+)", getattr(s, "name", ""))
        shifted = [shift(found.group(1), by) for by in (1, -1)] if found and s.is_positive else []
        for layer in (m for m in shifted if m in layers):
            size = sp.Symbol(f"M_{layer}", integer=True, positive=True)
            yield Mutant("wrong-layer", ref.xreplace({s: size}), f"{text(size)} stands where {text(s)} belongs (wrong layer)")


def sign(ref: sp.Basic) -> Iterator[Mutant]:
    yield Mutant("sign", -ref, "the sign is wrong")


def bias_missing(ref: sp.Basic) -> Iterator[Mutant]:
    for s in ref.atoms(sp.Sum):
        v, low, top = s.limits[0]
        if low == 0:
            yield Mutant("bias-missing", ref.xreplace({s: sp.Sum(s.function, (v, 1, top), *s.limits[1:])}),
                         f"the sum over {v} leaves out the bias unit {v} = 0")
    for bias, s in written_bias(ref):
        yield Mutant("bias-missing", ref.xreplace({bias + s: s}), f"the bias {text(bias)} is missing")


def written_bias(ref: sp.Basic) -> Iterator[tuple[sp.Indexed, sp.Sum]]:
    """w_{j0} + sum_{i=1} w_{ji} ...: the bias written out beside the sum from 1."""
    for add in ref.atoms(sp.Add):
        for s in (a for a in add.args if isinstance(a, sp.Sum) and a.limits[0][1] == 1):
            for bias in (a for a in add.args if isinstance(a, sp.Indexed) and a.indices[-1] == 0):
                if len(add.args) == 2:
                    yield bias, s


def bias_twice(ref: sp.Basic) -> Iterator[Mutant]:
    for bias, s in written_bias(ref):
        v, _, top = s.limits[0]
        yield Mutant("bias-twice", ref.xreplace({s: sp.Sum(s.function, (v, 0, top), *s.limits[1:])}),
                     f"the bias {text(bias)} is added to a sum over {v} that already starts at the bias unit 0")
    for s in ref.atoms(sp.Sum):
        v, low, _ = s.limits[0]
        w = [e for e in s.function.atoms(sp.Indexed) if e.indices[-1] == v and str(e.base.label).startswith("w")]
        if low == 0 and w:
            bias = w[0].base[(*w[0].indices[:-1], 0)]
            yield Mutant("bias-twice", ref.xreplace({s: bias + s}), f"the bias {text(bias)} is counted twice")


def missing_data_index(ref: sp.Basic) -> Iterator[Mutant]:
    for s in ref.atoms(sp.Sum):
        v = s.limits[0][0]
        for e in s.function.atoms(sp.Indexed):
            if len(e.indices) >= 2 and e.indices[0] == v:
                bare = e.base[e.indices[1:]]
                yield Mutant("missing-data-index", ref.xreplace({e: bare}), f"{text(bare)} stands where {text(e)} belongs")


def sum_misplaced(ref: sp.Basic) -> Iterator[Mutant]:
    for s in ref.atoms(sp.Sum):
        factors = sp.Mul.make_args(s.function)
        if len(s.limits) == 1 and len([f for f in factors if f.has(s.limits[0][0])]) > 1:
            apart = sp.Mul(*(sp.Sum(f, s.limits[0]) if f.has(s.limits[0][0]) else f for f in factors))
            yield Mutant("sum-misplaced", ref.xreplace({s: apart}),
                         f"the sum over {s.limits[0][0]} is taken of each factor apart, not of their product")


def wrong_count(ref: sp.Basic) -> Iterator[Mutant]:
    sizes = sorted((s for s in ref.free_symbols if isinstance(s, sp.Symbol) and s.is_integer), key=str)
    for s in sizes:
        for other in (sp.Integer(1), s - 1, s + 1):
            yield Mutant("wrong-count", ref.xreplace({s: other}), f"{text(other)} stands where the count {s} belongs")
    if len(sizes) == 2:
        both = sizes[0] * sizes[1]
        for other in (sp.Integer(1), both - 1):
            yield Mutant("wrong-count", ref.subs(both, other), f"{text(other)} stands where the count {both} belongs")


def sigma_not_squared(ref: sp.Basic) -> Iterator[Mutant]:
    yield Mutant("sigma-not-squared", ref**2, "this is sigma, not the variance sigma^2")
    yield Mutant("sigma-not-squared", sp.sqrt(ref), "this is sigma, not the variance sigma^2")


def swapped_arguments(ref: sp.Basic) -> Iterator[Mutant]:
    bases = {str(b.label): b for b in ref.atoms(sp.IndexedBase)}
    if {"y", "t"} <= set(bases):
        yield Mutant("swapped-arguments", ref.xreplace({bases["y"]: bases["t"], bases["t"]: bases["y"]}),
                     "y and t are swapped: the log is of the prediction y, weighted by the target t")


RULES: dict[str, Callable[[sp.Basic], Iterator[Mutant]]] = {
    "missing-derivative": missing_derivative,
    "activation-not-derivative": activation_not_derivative,
    "swapped-indices": swapped_indices,
    "exchanged-activations": exchanged_activations,
    "swapped-free": swapped_free,
    "wrong-layer": wrong_layer,
    "sign": sign,
    "bias-missing": bias_missing,
    "bias-twice": bias_twice,
    "missing-data-index": missing_data_index,
    "sum-misplaced": sum_misplaced,
}
SPECIFIC: dict[str, Callable[[sp.Basic], Iterator[Mutant]]] = {  # only where a Target names them
    "wrong-count": wrong_count,
    "sigma-not-squared": sigma_not_squared,
    "swapped-arguments": swapped_arguments,
}


def mutants(ref: sp.Basic, extra: tuple[str, ...] = ()) -> list[Mutant]:
    """Every single-mistake version of the verified answer (ref in canonical form); extra: SPECIFIC rules."""
    rules = list(RULES.values()) + [SPECIFIC[name] for name in extra]
    return [m for rule in rules for m in rule(ref) if m.expr != ref]


def factor_message(r: sp.Expr) -> str:
    return f"off by a factor {text(r)}"


# --- structural mistakes, from the parse ----------------------------------------------------------
def is_index(s: sp.Basic) -> bool:
    return isinstance(s, sp.Symbol) and bool(s.is_integer) and bool(s.is_nonnegative) and not s.is_positive


def free_indices(e: sp.Basic) -> set[sp.Symbol]:
    return {s for s in e.free_symbols if is_index(s)}


def free_index(own: set[sp.Basic], rhs: sp.Basic) -> str | None:
    """The right side's free indices that the left side (its indices: own) does not have."""
    extra = sorted(free_indices(rhs) - own, key=str)
    if not extra:
        return None
    return f"the right side's free index {', '.join(map(str, extra))} is not the left side's " \
           f"({', '.join(sorted(map(str, own)))})"


def reused_index(expr: sp.Basic) -> str | None:
    """The same summation index bound by a sum inside a sum over it."""
    def walk(e: sp.Basic, bound: frozenset[sp.Symbol]) -> str | None:
        if isinstance(e, (sp.Sum, sp.Product)):
            names = [lim[0] for lim in e.limits]
            for v in names:
                if v in bound or names.count(v) > 1:
                    return f"the index {v} is bound twice in nested sums: name the inner one apart"
            bound = bound | set(names)
        for arg in e.args:
            found = walk(arg, bound)
            if found:
                return found
        return None
    return walk(expr, frozenset())
