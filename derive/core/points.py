"""Random points for the numeric routes.

Rationals, surrogate polynomials for undefined functions, sizes and free indices per turn.
"""
from __future__ import annotations

import random

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.core.checks import Context, Point


def random_rational(rng: random.Random, positive: bool = False) -> sp.Rational:
    """A small non-zero rational; positive when asked."""
    num = rng.randint(1, 19) * (1 if positive or rng.random() < 0.5 else -1)
    return sp.Rational(num, rng.randint(1, 7))


def surrogate(rng: random.Random) -> sp.Lambda:
    """A random cubic with rational coefficients: stands in for an arbitrary function."""
    u = sp.Dummy("u")
    coeffs = [random_rational(rng) for _ in range(4)]
    return sp.Lambda(u, sum(c * u**p for p, c in enumerate(coeffs)))


def undefined_functions(expr: sp.Expr) -> list[sp.FunctionClass]:
    found = {f.func for f in expr.atoms(AppliedUndef)}
    found |= {f.func for d in expr.atoms(sp.Derivative) for f in d.atoms(AppliedUndef)}
    return sorted(found, key=lambda f: f.__name__)


def replace_functions(expr: sp.Expr, table: dict[sp.FunctionClass, sp.Lambda]) -> sp.Expr:
    for f, lam in table.items():
        expr = expr.replace(f, lam)
    return expr.doit()


def leaves(expr: sp.Expr) -> list[sp.Expr]:
    """The free quantities to sample: Indexed with concrete indices and free Symbols."""
    indexed = [e for e in expr.atoms(sp.Indexed) if all(v.is_Integer for v in e.indices)]
    labels = {e.base.label for e in expr.atoms(sp.Indexed)}
    symbols = [s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in labels]
    return sorted(set(indexed) | set(symbols), key=sp.default_sort_key)


def sample_point(exprs: list[sp.Expr], ctx: Context, sizes: dict[sp.Symbol, int],
                 rng: random.Random, scale: sp.Rational = sp.Integer(1)) -> Point:
    """Random values for the leaves (times `scale`), then the constraint hooks."""
    point: Point = {}
    for leaf in leaves(sp.Tuple(*exprs)):
        name = str(leaf.base) if isinstance(leaf, sp.Indexed) else str(leaf)
        positive = name in ctx.positive or bool(getattr(leaf, "is_positive", False))
        point[leaf] = random_rational(rng, positive) * scale
    for hook in ctx.constraints:
        hook(point, sizes, rng)
    return point


def choose_sizes(ctx: Context, turn: int) -> dict[sp.Symbol, int]:
    """Sizes and free indices for the `turn`-th point: every symbolic size gets a value
    (sizes may hide inside the definitions), and successive turns cycle through each
    size's listed values and each index's range, so no claim is only ever tried at one
    size or one unit (a random choice per seed can pick the same value every time)."""
    sizes = {s: v[(turn + m) % len(v)]
             for m, (s, v) in enumerate(sorted(ctx.sizes.items(), key=lambda kv: str(kv[0])))}
    for m, (index, bound) in enumerate(sorted(ctx.indices.items(), key=lambda kv: str(kv[0]))):
        sizes[index] = 1 + (turn + m) % int(sp.sympify(bound).subs(sizes))
    return sizes


def corner_sizes(ctx: Context, last: bool) -> dict[sp.Symbol, int]:
    """Every size at its first listed value and every index at 1, or all at their last."""
    sizes = {s: v[-1 if last else 0] for s, v in sorted(ctx.sizes.items(), key=lambda kv: str(kv[0]))}
    for index, bound in sorted(ctx.indices.items(), key=lambda kv: str(kv[0])):
        sizes[index] = int(sp.sympify(bound).subs(sizes)) if last else 1
    return sizes


def explicit(expr: sp.Expr, sizes: dict[sp.Symbol, int], rng: random.Random) -> Point:
    """Replace each MatrixSymbol by a random rational matrix of its concrete shape."""
    table: Point = {}
    for m in sorted(expr.atoms(sp.MatrixSymbol), key=str):
        rows, cols = (int(sp.sympify(d).subs(sizes)) for d in m.shape)
        table[m] = sp.Matrix(rows, cols, lambda *_: random_rational(rng))
    return table


def evaluate(expr: sp.Expr, point: Point, table: dict[sp.FunctionClass, sp.Lambda]) -> sp.Expr:
    """expr at `point` with the surrogate functions: numbers first, so nothing symbolic is
    expanded, except where a derivative is taken with respect to a sampled quantity."""
    if any(set(d.variables) & set(point) for d in expr.atoms(sp.Derivative)):
        expr = replace_functions(expr, table)  # differentiate before the numbers go in
    return replace_functions(expr.xreplace(point), table)
