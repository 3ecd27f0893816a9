"""Substituting definitions and sizes into an expression.

Every defined quantity written out, at concrete sizes where asked, sums evaluated.
"""
from __future__ import annotations

import sympy as sp

from derive.core.checks import Context, Definitions
from derive.core.points import choose_sizes


# --- substitution machinery -------------------------------------------------------------
def expand_definitions(expr: sp.Expr, defs: Definitions, doit: bool = True,
                       sizes: dict[sp.Symbol, int] | None = None) -> sp.Expr:
    """Replace every defined Indexed (and defined Symbol) by its definition until nothing changes.

    With `sizes`, symbolic sizes are substituted after every round, so sums close and
    every index is concrete (z_0 = 1 then comes out of the definition itself).
    """
    named = {key: value for key, value in defs.items() if not isinstance(key, sp.IndexedBase)}
    if sizes:  # a MatrixSymbol's shape holds sizes: the key must be sized like the expression
        named = {_substitute_sizes(k, sizes): _substitute_sizes(v, sizes) for k, v in named.items()}
    for _ in range(200):
        table = {e: defs[e.base](*e.indices) for e in expr.atoms(sp.Indexed) if e.base in defs}
        new = expr.xreplace({e: v for e, v in table.items() if v != e})
        if named:  # a Symbol or MatrixSymbol defined by an expression (z^(l+1) := ...)
            new = new.xreplace(named)
        if sizes:
            new = _substitute_sizes(new, sizes)
        if doit and new.has(sp.Sum, sp.Product, sp.Subs, sp.Derivative):
            new = doit_expanded(new, defs)
        if new == expr:
            return new
        expr = new
    raise RecursionError("definitions do not terminate")


def doit_expanded(expr: sp.Expr, defs: Definitions) -> sp.Expr:
    """doit, except for derivatives of quantities not yet expanded: d/da_j of a defined y_k
    must wait for y_k's definition, or SymPy takes it to be 0."""
    waiting = [d for d in expr.atoms(sp.Derivative)
               if any(e.base in defs for e in d.expr.atoms(sp.Indexed))]
    if not waiting:
        return expr.doit()
    hidden = {d: sp.Dummy() for d in waiting}
    return expr.xreplace(hidden).doit().xreplace({v: d for d, v in hidden.items()})


def _substitute_sizes(expr: sp.Expr, sizes: dict[sp.Symbol, int]) -> sp.Expr:
    """xreplace is fast but blind to bound summation indices; subs respects them."""
    bound = {v for s in expr.atoms(sp.Sum, sp.Product) for v in s.variables}
    return expr.subs(sizes) if bound & set(sizes) else expr.xreplace(sizes)


def instantiate_sizes(expr: sp.Expr, sizes: dict[sp.Symbol, int]) -> sp.Expr:
    return expr.subs(sizes).doit() if sizes else expr


def concrete_pair(lhs: sp.Expr, rhs: sp.Expr, ctx: Context, turn: int
                  ) -> tuple[sp.Expr, sp.Expr, dict[sp.Symbol, int]]:
    """Both sides at random sizes, with definitions expanded and sums evaluated."""
    sizes = choose_sizes(ctx, turn)
    left, right = (concrete(side, ctx, sizes) for side in (lhs, rhs))
    return left, right, sizes


def concrete(expr: sp.Expr, ctx: Context, sizes: dict[sp.Symbol, int]) -> sp.Expr:
    """expr at the given sizes, definitions expanded, finite sums and products evaluated.

    Memoised per context: step i is the right side of one check and the left of the next.
    """
    key = (expr, tuple(sorted(sizes.items(), key=lambda kv: str(kv[0]))))
    if key not in ctx.cache:
        at_sizes = doit_expanded(expr.subs(sizes), ctx.definitions) if sizes else expr
        ctx.cache[key] = expand_definitions(at_sizes, ctx.definitions, sizes=sizes)
    return ctx.cache[key]
