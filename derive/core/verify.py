"""Checks that a claimed identity holds, each by independent routes, each timed.

Routes:
- ``symbolic``: SymPy proves lhs - rhs = 0 after the definitions are substituted
  (``expand`` first, ``simplify`` only under a time limit). Sums over symbolic sizes
  that SymPy cannot close are instantiated at one concrete size, and the detail says so.
- ``exact-rational``: both sides evaluated in exact rational arithmetic at random
  points (several seeds, random sizes), with every undefined function (h_l, E, ...)
  replaced by a random polynomial with rational coefficients: an identity that holds
  for every h holds for these. Where log/exp leave the rationals the same points are
  evaluated with mpmath at 50 digits (route ``mpmath-50``).
- ``float64``: the claim with real activations (tanh for an undefined h) in NumPy float64.

A check never raises: a failure or a time-out is a failed check with its reason."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import mpmath
import sympy as sp

from derive.core.checks import Check, Context, Wrong, perturbation, timed
from derive.core.expand import concrete, concrete_pair, expand_definitions
from derive.core.points import (
    corner_sizes,
    evaluate,
    explicit,
    leaves,
    random_rational,
    replace_functions,
    sample_point,
    surrogate,
    undefined_functions,
)


# --- the routes -------------------------------------------------------------------------------
def symbolic_route(lhs: sp.Expr, rhs: sp.Expr, ctx: Context, wrong: Wrong | None = None) -> tuple[bool, str]:
    """SymPy proves lhs - rhs = 0 (with `wrong`, the same for the perturbed claim)."""
    def side(expr: sp.Expr) -> sp.Expr:  # memoised: a step is the rhs of one link, the lhs of the next
        key = ("symbolic", expr)
        if key not in ctx.cache:
            ctx.cache[key] = expand_definitions(expr, ctx.definitions)
        return ctx.cache[key]

    def right(sizes: dict[sp.Symbol, int] | None) -> sp.Expr:
        value = side(rhs) if sizes is None else concrete(rhs, ctx, sizes)
        if wrong is None:
            return value
        offset = expand_definitions(wrong.offset, ctx.definitions) if sizes is None else concrete(
            wrong.offset, ctx, sizes)
        return wrong.apply(value, offset)
    if isinstance(lhs, (sp.MatrixBase, sp.MatrixExpr)) or lhs.atoms(sp.MatrixSymbol):
        side = lambda expr: expand_definitions(expr, ctx.definitions)  # noqa: E731  (no cache for matrices)
    diff = relate(side(lhs) - right(None), ctx, {})
    if is_zero(sp.expand(diff)):
        return True, "expand(lhs - rhs) = 0"
    note = ""
    if diff.has(sp.Sum, sp.Product, sp.Piecewise) and ctx.sizes:
        # SymPy cannot close sums over symbolic sizes: prove it, symbolic in everything
        # else, at two corners: all sizes at their first listed value with every free
        # index 1, and all at their last with every index at its bound.
        notes = []
        for last in (False, True):
            sizes = corner_sizes(ctx, last)
            diff = relate(concrete(lhs, ctx, sizes) - right(sizes), ctx, sizes)
            notes.append(", ".join(f"{s}={v}" for s, v in sizes.items()))
            if not is_zero(sp.expand(diff)):
                break
        else:
            return True, "expand(lhs - rhs) = 0 at " + " and at ".join(notes)
        note = " at " + notes[-1]
    witness = nonzero_at_a_point(diff)
    if witness is not None:  # simplify could not make it 0: it is not 0 at this point
        return False, f"lhs - rhs = {sp.sstr(diff)[:160]} is {witness} at a rational point{note}"
    simplified = sp.simplify(diff)
    if simplified == 0:
        return True, "simplify(lhs - rhs) = 0" + note
    return False, f"lhs - rhs = {sp.sstr(simplified)[:200]}{note}"


def nonzero_at_a_point(diff: sp.Expr) -> sp.Rational | None:
    """A non-zero exact value of diff at a random rational point, each undefined function a
    random polynomial, if there is one: then diff is not identically 0 (not for every h) and
    no simplification can prove it is. None: no such witness."""
    if isinstance(diff, (sp.MatrixBase, sp.MatrixExpr)) or diff.has(sp.Sum, sp.Product, sp.Piecewise):
        return None
    rng = random.Random(97)
    table = {f: surrogate(rng) for f in undefined_functions(diff)}
    if table:
        diff = replace_functions(diff, table)
    point = {q: random_rational(rng, positive=True) for q in sorted(leaves(diff), key=sp.default_sort_key)}
    value = diff.xreplace(point)
    return value if value.is_Rational and value != 0 else None


def relate(diff: sp.Expr, ctx: Context, sizes: dict[sp.Symbol, int]) -> sp.Expr:
    """Use the constraints' symbolic forms (ctx.relations) on a difference; none: unchanged."""
    for relation in ctx.relations:
        diff = relation(diff, sizes)
    return diff


def is_zero(e: sp.Basic) -> bool:
    """0 for scalars, the zero matrix for matrix expressions and explicit matrices."""
    if isinstance(e, sp.MatrixBase):
        return all(v == 0 for v in e)
    return e == 0 or isinstance(e, sp.ZeroMatrix)


def random_point_route(lhs: sp.Expr, rhs: sp.Expr, ctx: Context, wrong: Wrong | None = None
                       ) -> tuple[bool, str, str]:
    """(passed, detail, route): exact where the values are rational, else mpmath at 50 digits.
    With `wrong`, the same at the same points for the perturbed claim."""
    exact = True
    details, compared = [], 0
    for turn, seed in enumerate(ctx.seeds):
        rng = random.Random(seed)
        left, right, sizes = concrete_pair(lhs, rhs, ctx, turn)
        if wrong is not None:
            right = wrong.apply(right, concrete(wrong.offset, ctx, sizes))
        table = {f: surrogate(rng) for f in undefined_functions(sp.Tuple(left, right))}
        matrices = explicit(sp.Tuple(left, right), sizes, rng)
        if matrices:
            left = sp.Matrix(left.xreplace(matrices).doit())
            right = sp.Matrix(right.xreplace(matrices).doit())
        point = sample_point([left, right], ctx, sizes, rng)
        lv, rv = evaluate(left, point, table), evaluate(right, point, table)
        if halved(wrong) and not isinstance(rv, sp.MatrixBase) and rv == 0:
            details.append(f"seed {seed}: the right side is 0 here, a factor 2 cannot show")
            continue
        compared += 1
        if isinstance(lv, sp.MatrixBase):
            ok = lv.shape == rv.shape and is_zero(lv - rv)
        elif lv.is_Rational and rv.is_Rational:
            ok = lv == rv
        else:
            exact = False
            with mpmath.workdps(50):
                lf, rf = mpmath.mpmathify(sp.N(lv, 60)), mpmath.mpmathify(sp.N(rv, 60))
                ok = abs(lf - rf) <= mpmath.mpf(10) ** -40 * (1 + abs(lf))
        at = ", ".join(f"{s}={v}" for s, v in sorted(sizes.items(), key=str))
        details.append(f"seed {seed}{' (' + at + ')' if at else ''}: {'equal' if ok else f'{lv} != {rv}'}")
        if not ok:
            return False, "; ".join(details), "exact-rational" if exact else "mpmath-50"
    if not compared:
        return False, "; ".join(details), "exact-rational" if exact else "mpmath-50"  # no point could tell
    return True, "; ".join(details), "exact-rational" if exact else "mpmath-50"


def halved(wrong: Wrong | None) -> bool:
    """Whether `wrong` is the factor-2 control (no offset), vacuous wherever the right side is 0."""
    return wrong is not None and wrong.offset == 0 and wrong.scale != 1


def float64_route(lhs: sp.Expr, rhs: sp.Expr, ctx: Context, wrong: Wrong | None = None) -> tuple[bool, str]:
    """The claim with a real activation for every undefined h, in float64 (or the perturbed claim)."""
    import numpy as np

    from derive.core.activations import get
    rng = random.Random(ctx.seeds[0])
    left, right, sizes = concrete_pair(lhs, rhs, ctx, turn=1)
    if wrong is not None:
        right = wrong.apply(right, concrete(wrong.offset, ctx, sizes))
    real = get(ctx.real).lambda_h
    table = {f: (real if f.__name__.startswith("h") else surrogate(rng))
             for f in undefined_functions(sp.Tuple(left, right))}
    left, right = replace_functions(left, table), replace_functions(right, table)
    # Values of order 1/4 at most: at the full range a tanh network saturates to +-1 in
    # float64 and could not tell a right claim from a wrong one.
    small = sample_point([left, right], ctx, sizes, rng, scale=sp.Rational(1, 76))
    point = {k: float(v) for k, v in small.items()}
    syms = list(point)
    values = [np.float64(point[s]) for s in syms]
    dummies = [sp.Dummy() for _ in syms]
    lf = sp.lambdify(dummies, left.xreplace(dict(zip(syms, dummies))), "numpy")(*values)
    rf = sp.lambdify(dummies, right.xreplace(dict(zip(syms, dummies))), "numpy")(*values)
    if halved(wrong) and rf == 0:
        return False, f"h = {ctx.real}: the right side is 0 here, a factor 2 cannot show"
    ok = bool(np.isclose(lf, rf, rtol=1e-9, atol=1e-12))
    return ok, f"h = {ctx.real}: {float(lf):.12g} vs {float(rf):.12g}"


def first_accepted(route: Callable[[Wrong], tuple[bool, str]], wrongs: list[Wrong]) -> tuple[bool, str]:
    """(True, why) for the first wrong claim the route accepts (a powerless control), else (False, ...)."""
    for w in wrongs:
        ok, why = route(w)
        if ok:
            return True, f"{w}: {why}"
    return False, f"{len(wrongs)} wrong claim(s) rejected: {why}"


def check_identity(lhs: sp.Expr, rhs: sp.Expr, ctx: Context, what: str = "",
                   real: bool = False) -> list[Check]:
    """lhs = rhs by the symbolic and the random-point routes (and float64 if `real`).

    Each route also runs on the perturbed claim lhs = rhs + (1 + u^2)/97 (its control) and
    must reject it. Two sides that are one tree are never compared: that link fails.
    """
    label = f"{what}: " if what else ""
    if lhs == rhs:
        return [Check("symbolic", False, 0.0, label + "both sides are the same expression: nothing to check")]
    wrong = perturbation(rhs, lhs)
    checks = [timed("symbolic", lambda: symbolic_route(lhs, rhs, ctx),
                    ctx.time_limit, lambda: symbolic_route(lhs, rhs, ctx, wrong))]
    holder: dict[str, str] = {}

    def numeric(perturbed: Wrong | None = None) -> tuple[bool, str]:
        ok, detail, route = random_point_route(lhs, rhs, ctx, perturbed)
        holder.setdefault("route", route)
        return ok, detail
    # The point routes also reject the claim off by a factor 2 (rhs/2: the exercise's most
    # common slip), so a comparison that accepted integer multiples could not pass.
    wrongs = [wrong] if rhs.is_zero else [wrong, Wrong(scale=sp.Rational(1, 2))]
    check = timed("exact-rational", numeric, ctx.time_limit, lambda: first_accepted(numeric, wrongs))
    checks.append(replace(check, route=holder.get("route", check.route)))
    if real and not sp.Tuple(lhs, rhs).atoms(sp.MatrixSymbol):
        checks.append(timed("float64", lambda: float64_route(lhs, rhs, ctx), ctx.time_limit,
                            lambda: first_accepted(lambda w: float64_route(lhs, rhs, ctx, w), wrongs)))
    return [replace(c, detail=label + c.detail) for c in checks]
