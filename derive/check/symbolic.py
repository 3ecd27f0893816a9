"""The symbolic route: the difference of two sides, written out at one point's sizes, expanded to 0.

The sizes and free indices are the point's; the leaves (w, x, t, ...) stay symbols, h_l stays an
undefined function and h_l' its derivative, and the leaves the others fix are tied as the points
tie them (x_0 = 1, a one-hot t, a softmax y). `decide` answers True (the difference expands to 0),
False (it expands to a rational function of the leaves that is not 0) or None (too big, out of time,
or a remainder with logs or functions that expand cannot settle): None is never `wrong`.
"""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.check.clock import overdue, within
from derive.check.numeric import Point, written

SECONDS = 0.5  # for one comparison, then the points decide alone
MAX_OPS = 600  # a side written out bigger than this is not cheap
ROUTE = "symbolic"


def tied(expr: sp.Basic, point: Point) -> sp.Basic:
    table = {e: t for e in expr.atoms(sp.Indexed) if (t := point.tied(e)) is not None}
    return expr.xreplace(table) if table else expr


def side(expr: sp.Basic, point: Point, alias: dict[sp.Symbol, sp.Symbol] | None = None) -> sp.Basic | None:
    """expr written out at the point's sizes with symbolic leaves; None where it is not cheap."""
    out = tied(written(expr, point, alias, surrogates=False), point)
    return None if sp.count_ops(out) > MAX_OPS else out


def leaves(e: sp.Basic) -> list[sp.Basic]:
    return sorted(e.free_symbols | e.atoms(sp.Indexed), key=str)


def settle(difference: sp.Basic) -> bool | None:
    """0 -> True; else False where the expanded difference is a nonzero rational function of the leaves
    and of h's values at polynomial arguments (expand writes those one way only); else None."""
    out = sp.expand(difference, force=True)
    if out == 0:
        return True
    rest = out
    while rest.has(AppliedUndef):  # h's values, innermost first, each a new symbol
        calls = {f for f in rest.atoms(AppliedUndef) if not any(a.has(AppliedUndef) for a in f.args)}
        if any(not arg.is_polynomial(*leaves(arg)) for f in calls for arg in f.args):
            return None
        rest = rest.xreplace({f: sp.Dummy() for f in calls})
    if rest.has(sp.Function, sp.Derivative, sp.Subs, sp.Sum, sp.Product):
        return None
    if not leaves(rest):
        return False if rest.is_Rational else None
    if not rest.is_rational_function(*leaves(rest)):
        return None
    return None if sp.cancel(sp.together(rest)) == 0 else False


def decide(student: sp.Basic, truth: sp.Basic | None, point: Point, alias: dict[sp.Symbol, sp.Symbol] | None = None,
           seconds: float | None = None) -> bool | None:
    """Whether student == truth (truth already written out by `side`) at the point's sizes, for every value
    of the leaves and of h; None: not cheap or undecided."""
    if truth is None:
        return None
    try:
        with within(SECONDS if seconds is None else seconds):
            u = side(student, point, alias)
            return None if u is None else settle(u - truth)
    except (TimeoutError, RecursionError, ValueError, TypeError, ZeroDivisionError, NotImplementedError):
        if overdue():  # the answer's own limit, not this route's: the answer is undecided
            raise TimeoutError("time limit reached") from None
        return None


def written_truth(truth: sp.Basic, point: Point, seconds: float | None = None) -> sp.Basic | None:
    """The verified side written out once (Checker keeps it), or None where that is not cheap."""
    try:
        with within(SECONDS if seconds is None else seconds):
            return side(truth, point)
    except (TimeoutError, RecursionError, ValueError, TypeError, ZeroDivisionError, NotImplementedError):
        if overdue():  # the answer's own limit, not this route's: the answer is undecided
            raise TimeoutError("time limit reached") from None
        return None
