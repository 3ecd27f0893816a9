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
    for b in ref.atoms(sp.IndexedBase):
        stem, _, layer = str(b.label).partition("__")
        for by in (1, -1):
            moved = shift(layer, by) if layer else None
            if moved:
                other = sp.IndexedBase(f"{stem}__{moved}")
                shown = next(e for e in ref.atoms(sp.Indexed) if e.base == b)
                yield Mutant("wrong-layer", ref.xreplace({b: other}),
                             f"{text(shown.xreplace({b: other}))} stands where {text(shown)} belongs (wrong layer)")


def sign(ref: sp.Basic) -> Iterator[Mutant]:
    yield Mutant("sign", -ref, "the sign is wrong")


def bias_missing(ref: sp.Basic) -> Iterator[Mutant]:
    for s in ref.atoms(sp.Sum):
        if s.limits[0][1] == 0:
            v, _, top = s.limits[0]
            yield Mutant("bias-missing", ref.xreplace({s: sp.Sum(s.function, (v, 1, top), *s.limits[1:])}),
                         f"the sum over {v} leaves out the bias unit {v} = 0")


RULES: dict[str, Callable[[sp.Basic], Iterator[Mutant]]] = {
    "missing-derivative": missing_derivative,
    "activation-not-derivative": activation_not_derivative,
    "swapped-indices": swapped_indices,
    "swapped-free": swapped_free,
    "wrong-layer": wrong_layer,
    "sign": sign,
    "bias-missing": bias_missing,
}


def mutants(ref: sp.Basic) -> list[Mutant]:
    """Every single-mistake version of the verified answer (ref in canonical form)."""
    return [m for rule in RULES.values() for m in rule(ref) if m.expr != ref]


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
