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

A check never raises: a failure or a time-out is a failed check with its reason.
"""
from __future__ import annotations

import random
import signal
import time
from typing import Any
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

Definitions = dict[Any, Any]  # IndexedBase -> Callable[..., Expr], or Symbol -> Expr
Point = dict[sp.Expr, sp.Expr]


@dataclass(frozen=True)
class Check:
    """The outcome of one route on one claim."""

    route: str
    passed: bool
    seconds: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"route": self.route, "passed": self.passed,
                "seconds": round(self.seconds, 4), "detail": self.detail}


@dataclass
class Context:
    """What a check needs to know beyond the two expressions.

    definitions: each defined quantity (a, z, y, ...) as a function of its indices.
    sizes: candidate values for symbolic sizes (N, D, K, M, ...) at numeric points.
    positive: names of IndexedBases/Symbols that must be sampled positive (y in log y).
    constraints: hooks that adjust a sampled point (one-hot targets: sum_k t_k = 1).
    indices: free unit indices and their upper bound (j runs over 1..K), picked at random.
    real: an activation name for the float64 route to use in place of an undefined h.
    relations: the constraints in symbolic form, for the symbolic route: each maps
        (lhs - rhs, sizes) to the same with the constraint used (one-hot targets at K = 3:
        t_3 = 1 - t_1 - t_2); sizes is empty at symbolic sizes.
    """

    definitions: Definitions = field(default_factory=dict)
    sizes: dict[sp.Symbol, tuple[int, ...]] = field(default_factory=dict)
    positive: frozenset[str] = frozenset()
    constraints: tuple[Callable[[Point, dict[sp.Symbol, int], random.Random], None], ...] = ()
    indices: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    real: str = "tanh"
    seeds: tuple[int, ...] = (1, 2, 3)
    time_limit: float = 20.0
    cache: dict[object, sp.Expr] = field(default_factory=dict, repr=False, compare=False)
    relations: tuple[Callable[[sp.Expr, dict[sp.Symbol, int]], sp.Expr], ...] = ()


# --- time limits ----------------------------------------------------------------------
@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError after `seconds` (SIGALRM, main thread only; elsewhere no limit)."""
    def _raise(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds:g} s")
    try:
        previous = signal.signal(signal.SIGALRM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(route: str, fn: Callable[[], tuple[bool, str]], limit: float) -> Check:
    """Run one route under a time limit; any exception is a failed check, not a crash."""
    start = time.perf_counter()
    try:
        with time_limit(limit):
            passed, detail = fn()
    except Exception as exc:  # noqa: BLE001 - a route that errs has not verified
        passed, detail = False, f"{type(exc).__name__}: {exc}"
    return Check(route, passed, time.perf_counter() - start, detail)


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


# --- the routes -------------------------------------------------------------------------------
def symbolic_route(lhs: sp.Expr, rhs: sp.Expr, ctx: Context) -> tuple[bool, str]:
    diff = relate(expand_definitions(lhs - rhs, ctx.definitions), ctx, {})
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
            diff = relate(concrete(lhs - rhs, ctx, sizes), ctx, sizes)
            notes.append(", ".join(f"{s}={v}" for s, v in sizes.items()))
            if not is_zero(sp.expand(diff)):
                break
        else:
            return True, "expand(lhs - rhs) = 0 at " + " and at ".join(notes)
        note = " at " + notes[-1]
    simplified = sp.simplify(diff)
    if simplified == 0:
        return True, "simplify(lhs - rhs) = 0" + note
    return False, f"lhs - rhs = {sp.sstr(simplified)[:200]}{note}"


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


def random_point_route(lhs: sp.Expr, rhs: sp.Expr, ctx: Context) -> tuple[bool, str, str]:
    """(passed, detail, route): exact where the values are rational, else mpmath at 50 digits."""
    exact = True
    details = []
    for turn, seed in enumerate(ctx.seeds):
        rng = random.Random(seed)
        left, right, sizes = concrete_pair(lhs, rhs, ctx, turn)
        table = {f: surrogate(rng) for f in undefined_functions(sp.Tuple(left, right))}
        matrices = explicit(sp.Tuple(left, right), sizes, rng)
        if matrices:
            left = sp.Matrix(left.xreplace(matrices).doit())
            right = sp.Matrix(right.xreplace(matrices).doit())
        point = sample_point([left, right], ctx, sizes, rng)
        lv, rv = evaluate(left, point, table), evaluate(right, point, table)
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
    return True, "; ".join(details), "exact-rational" if exact else "mpmath-50"


def float64_route(lhs: sp.Expr, rhs: sp.Expr, ctx: Context) -> tuple[bool, str]:
    """The claim with a real activation for every undefined h, in float64."""
    from derive.activations import get
    import numpy as np
    rng = random.Random(ctx.seeds[0])
    left, right, sizes = concrete_pair(lhs, rhs, ctx, turn=1)
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
    ok = bool(np.isclose(lf, rf, rtol=1e-9, atol=1e-12))
    return ok, f"h = {ctx.real}: {float(lf):.12g} vs {float(rf):.12g}"


def check_identity(lhs: sp.Expr, rhs: sp.Expr, ctx: Context, what: str = "",
                   real: bool = False) -> list[Check]:
    """lhs = rhs by the symbolic and the random-point routes (and float64 if `real`)."""
    label = f"{what}: " if what else ""
    checks = [timed("symbolic", lambda: symbolic_route(lhs, rhs, ctx), ctx.time_limit)]
    holder: dict[str, str] = {}

    def numeric() -> tuple[bool, str]:
        ok, detail, holder["route"] = random_point_route(lhs, rhs, ctx)
        return ok, detail
    check = timed("exact-rational", numeric, ctx.time_limit)
    checks.append(Check(holder.get("route", check.route), check.passed, check.seconds, check.detail))
    if real and not sp.Tuple(lhs, rhs).atoms(sp.MatrixSymbol):
        checks.append(timed("float64", lambda: float64_route(lhs, rhs, ctx), ctx.time_limit))
    return [Check(c.route, c.passed, c.seconds, label + c.detail) for c in checks]
