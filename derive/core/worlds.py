"""Checking chain-rule derivations in which E is an undefined function of a layer (j, l).

Exercise j's induction step and exercise l's sum over examples hold for every loss E
that depends on the weights only through the pre-activations of one layer. Such a
derivation is written with symbolic widths (Sum over Indexed); each link is checked in
*worlds*: concrete instances with random widths and indices, in which

- E (or each E_n) is a function of an explicit list of pre-activations,
- the defined quantities (a, z) are written in the leaves (weights, lower activations),
- each delta is the partial derivative of E with respect to one of those arguments.

Two routes, as in derive.verify:
- ``symbolic``: E and h_l stay undefined; SymPy differentiates (its chain rule), its
  notation for a partial derivative of an undefined function is renamed to one function
  per argument position (E_p, h_0), and expand(lhs - rhs) must vanish.
- ``exact-rational``: E is a random polynomial with cross terms, h_l a random rational
  cubic, and both sides are evaluated exactly at a random rational point.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.core.checks import Check, Wrong, perturbation, timed
from derive.core.derivation import PROVEN_ELSEWHERE, Derivation
from derive.core.points import random_rational, replace_functions, surrogate, undefined_functions

Definitions = dict[sp.IndexedBase, Callable[..., sp.Expr]]


@dataclass
class World:
    """One concrete instance: sizes and index values, definitions, E and its partials.

    outer: each E-like quantity (E, E[n]) -> (function name, its argument list).
    partials: each delta base -> function of its indices giving (E-like quantity, position).
    """

    sizes: dict[sp.Symbol, int]
    definitions: Definitions
    outer: dict[sp.Expr, tuple[str, tuple[sp.Expr, ...]]]
    partials: dict[sp.IndexedBase, Callable[..., tuple[sp.Expr, int]]] = field(default_factory=dict)


def unroll_sums(expr: sp.Expr) -> sp.Expr:
    """Finite sums written out term by term; derivatives left alone (they wait for the world).

    xreplace throughout: world sizes and unit indices never clash with summation indices.
    """
    def unroll(s: sp.Sum) -> sp.Expr:
        (k, lower, upper), *rest = s.limits
        if not (lower.is_Integer and upper.is_Integer):
            return s
        inner = sp.Sum(s.function, *rest) if rest else s.function
        return sp.Add(*[inner.xreplace({k: v}) for v in range(int(lower), int(upper) + 1)])
    for _ in range(20):
        sums = expr.atoms(sp.Sum)
        if not sums:
            return expr
        expr = expr.xreplace({s: unroll(s) for s in sums})
    return expr


def written_out(expr: sp.Expr, world: World, realise: Callable[[str, tuple[sp.Expr, ...]], sp.Expr],
                partial: Callable[[str, tuple[sp.Expr, ...], int], sp.Expr]) -> sp.Expr:
    """expr in the world, every definition and E substituted, before any differentiation."""
    sizes = {s: sp.Integer(v) for s, v in world.sizes.items()}
    expr = unroll_sums(expr.xreplace(sizes))

    def partials(e: sp.Expr) -> dict[sp.Expr, sp.Expr]:  # dE/d(one of E's own arguments)
        table = {}
        for d in e.atoms(sp.Derivative):
            if d.expr in world.outer and len(d.variables) == 1 and d.variables[0] in world.outer[d.expr][1]:
                name, args = world.outer[d.expr]
                table[d] = partial(name, args, args.index(d.variables[0]))
        return table
    for _ in range(50):
        expr = expr.xreplace(partials(expr))  # before the arguments are expanded
        table = {}
        for e in expr.atoms(sp.Indexed):
            if e.base in world.definitions:
                table[e] = world.definitions[e.base](*e.indices)
            elif e.base in world.partials:
                key, p = world.partials[e.base](*e.indices)
                table[e] = partial(world.outer[key][0], world.outer[key][1], p)
        table.update({key: realise(*spec) for key, spec in world.outer.items() if expr.has(key)})
        new = unroll_sums(expr.xreplace(table).xreplace(sizes))
        if new == expr:
            return new
        expr = new
    raise RecursionError("world definitions do not terminate")


def position_functions(expr: sp.Expr) -> sp.Expr:
    """Derivative(F(x_1..x_n), x_p) of an undefined F -> F_p(x_1..x_n); Subs then substituted."""
    def is_partial(e: sp.Basic) -> bool:
        return (isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef)
                and len(e.variables) == 1 and e.variables[0] in e.expr.args)

    def rename(e: sp.Derivative) -> sp.Expr:
        p = e.expr.args.index(e.variables[0])
        return sp.Function(f"{e.expr.func.__name__}_{p}")(*e.expr.args)
    return expr.replace(is_partial, rename).doit()


def polynomial(n: int, rng: random.Random) -> tuple[tuple[sp.Symbol, ...], sp.Expr]:
    """A random polynomial in n variables with linear, all pairwise and cubic terms."""
    u = tuple(sp.Symbol(f"u{p}") for p in range(n))
    terms = [random_rational(rng) * v for v in u] + [random_rational(rng) * v**3 for v in u]
    terms += [random_rational(rng) * u[p] * u[q] for p in range(n) for q in range(p, n)]
    return u, sp.Add(*terms)


class Realisation:
    """A world made concrete for one route; values of expressions are memoised, so step i,
    the right side of one link and the left side of the next, is worked out once."""

    def __init__(self, world: World, symbolic: bool, seed: int) -> None:
        self.world, self.symbolic, self.rng = world, symbolic, random.Random(seed)
        self.polys = {name: polynomial(len(args), self.rng) for name, args in world.outer.values()}
        self.functions: dict[sp.FunctionClass, sp.Lambda] = {}
        self.point: dict[sp.Expr, sp.Expr] = {}
        self.memo: dict[sp.Expr, sp.Expr] = {}

    def realise(self, name: str, args: tuple[sp.Expr, ...]) -> sp.Expr:
        if self.symbolic:
            return sp.Function(name)(*args)
        u, body = self.polys[name]
        return body.xreplace(dict(zip(u, args)))

    def partial(self, name: str, args: tuple[sp.Expr, ...], p: int) -> sp.Expr:
        if self.symbolic:  # the same name position_functions gives SymPy's partials
            return sp.Function(f"{name}_{p}")(*args)
        u, body = self.polys[name]
        return sp.diff(body, u[p]).xreplace(dict(zip(u, args)))

    def value(self, expr: sp.Expr) -> sp.Expr:
        if expr not in self.memo:
            out = written_out(expr, self.world, self.realise, self.partial)
            self.memo[expr] = self.canonical(out) if self.symbolic else self.number(out)
        return self.memo[expr]

    def canonical(self, expr: sp.Expr) -> sp.Expr:
        """SymPy's chain rule, partials of undefined functions renamed by position, expanded."""
        return sp.expand(position_functions(expr.doit()))

    def number(self, expr: sp.Expr) -> sp.Expr:
        """h_l as random cubics (then differentiate), every leaf a random rational."""
        for f in undefined_functions(expr):
            self.functions.setdefault(f, surrogate(self.rng))
        expr = replace_functions(expr, self.functions)
        for leaf in sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key):
            self.point.setdefault(leaf, random_rational(self.rng))
        return expr.xreplace(self.point)


def compare_in(worlds: list[Realisation], lhs: sp.Expr, rhs: sp.Expr,
               wrong: Wrong | None = None) -> tuple[bool, str]:
    """lhs = rhs in every world (with `wrong`, the perturbed claim)."""
    details = []
    for r in worlds:
        left, right = r.value(lhs), r.value(rhs if wrong is None else wrong.apply(rhs))
        ok = sp.expand(left - right) == 0 if r.symbolic else (left.is_Rational and left == right)
        what = ("expand(lhs - rhs) = 0" if r.symbolic else "equal") if ok else (
            f"lhs - rhs = {sp.sstr(sp.expand(left - right))[:160]}" if r.symbolic else f"{left} != {right}")
        details.append(f"{at(r.world)}: {what}")
        if not ok:
            return False, "; ".join(details)
    return True, "; ".join(details)


def at(world: World) -> str:
    return ", ".join(f"{s}={v}" for s, v in sorted(world.sizes.items(), key=lambda kv: str(kv[0])))


def verify_in_worlds(d: Derivation, worlds: list[World], seed: int = 1, limit: float = 20.0) -> Derivation:
    """Check every link of d (lhs = step 0 = ... = claim) in every world, by both routes."""
    routes = {"symbolic": [Realisation(w, True, seed + n) for n, w in enumerate(worlds)],
              "exact-rational": [Realisation(w, False, seed + n) for n, w in enumerate(worlds)]}
    if PROVEN_ELSEWHERE["on"]:
        d.checks = []
        return d
    d.checks = d.short()
    for label, lhs, rhs in d.links():
        if lhs == rhs:
            d.checks.append(Check("symbolic", False, 0.0, f"{label}: both sides are the same expression"))
            continue
        wrong = perturbation(rhs, lhs)
        for route, realised in routes.items():
            check = timed(route, lambda: compare_in(realised, lhs, rhs), limit,
                          lambda: compare_in(realised, lhs, rhs, wrong))
            d.checks.append(replace(check, detail=f"{label}: {check.detail}"))
    return d
