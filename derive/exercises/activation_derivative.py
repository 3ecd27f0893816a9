"""The network's activations: h' derived by SymPy, against an independent reading, in z = h(a), and at its kinks.

Exercise j needs h_l' of the network's activations. For each one (every registered activation
when the network is the default one, else the network's own, typed ones included):
- h' = dh/da by SymPy (piece by piece for max, min, abs, Piecewise);
- route mpmath-50: h' against the independent h' (hand-written in mpmath for the registry,
  the typed formula's own dual numbers otherwise) at seven points on both sides of 0;
- route central-differences: h' against central differences of the independent h;
- route symbolic: the z-form g(z) with h' = g(h(a)), found by the engine and proven;
- at a kink c: h'(c) is the left derivative (PyTorch's convention), against a one-sided
  difference of the independent h from the left.
Each route also runs on a wrong claim (h' + (1 + a^2)/97, the right derivative at a kink
where it differs, g + (1 + z^2)/97) and must reject it.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import mpmath
import sympy as sp

from derive.core import activations
from derive.core.activations import DIGITS, NUMERIC, POINTS, a, z
from derive.core.branches import branches
from derive.core.checks import Check, Context, timed
from derive.core.derivation import Derivation, Step
from derive.core.errors import DeriveError
from derive.core.zform import proven, proven_pieces
from derive.exercises.base import Config, Exercise, exercise

OFF_A, OFF_Z = (1 + a**2) / 97, (1 + z**2) / 97
STEP = mpmath.mpf(10) ** -12
H = sp.Function("h")


def _value(expr: sp.Expr, symbol: sp.Symbol, u: mpmath.mpf) -> mpmath.mpf:
    return mpmath.mpf(str(sp.N(expr.subs(symbol, sp.Float(mpmath.nstr(u, DIGITS + 10), DIGITS + 10)), DIGITS + 10)))


def _agree(u: mpmath.mpf, v: mpmath.mpf, tolerance: mpmath.mpf) -> bool:
    return bool(abs(u - v) <= tolerance * (1 + abs(v)))


def points_off(act: activations.Activation) -> Iterator[tuple[sp.Rational, mpmath.mpf]]:
    for p in POINTS:
        if p not in act.kinks:
            yield p, mpmath.mpf(p.p) / p.q


def against(act: activations.Activation, claim: sp.Expr, truth: Callable[[mpmath.mpf], mpmath.mpf],
            tolerance: mpmath.mpf, what: str, what_h: str = "h'(a)") -> tuple[bool, str]:
    with mpmath.workdps(DIGITS + 10):
        for p, u in points_off(act):
            mine, theirs = _value(claim, a, u), truth(u)
            if not _agree(mine, theirs, tolerance):
                return False, f"at a = {p}: {mpmath.nstr(mine, 12)} but {what} gives {mpmath.nstr(theirs, 12)}"
    n = len(list(points_off(act)))
    return True, f"{what_h} = {sp.sstr(claim)} equals {what} at {n} points a in {{-3, -1, -1/3, 0, 1/7, 1/2, 3}} off the kinks"


def checks_of(act: activations.Activation, rules: list[str]) -> list[Check]:
    """Every link's checks, each detail starting with its link (derive.core.derivation's labels)."""
    num = NUMERIC[act.name]
    limit = 30.0

    def central(u: mpmath.mpf) -> mpmath.mpf:
        return (num.h(u + STEP) - num.h(u - STEP)) / (2 * STEP)
    tight, loose = mpmath.mpf(10) ** (5 - DIGITS), mpmath.mpf(10) ** -15
    independent = "the independent h'" + (" (the typed formula's dual numbers)" if act.typed else " (NUMERIC)")

    def values(claim: sp.Expr) -> tuple[bool, str]:
        return against(act, claim, num.h, tight, "the independent h", what_h="h(a)")
    links = [f"lhs = step 0 ({rules[0]})", f"step 0 = step 1 ({rules[1]})"]
    out = [
        timed("mpmath-50", lambda: values(act.h), limit, lambda: values(act.h + OFF_A)),
        timed("mpmath-50", lambda: against(act, act.dh, num.dh, tight, independent), limit,
              lambda: against(act, act.dh + OFF_A, num.dh, tight, independent)),
        timed("central-differences", lambda: against(act, act.dh, central, loose, "a central difference of h"),
              limit, lambda: against(act, act.dh + OFF_A, central, loose, "a central difference of h")),
    ]
    labels = [links[0], links[1], links[1]]
    g = act.dh_from_z
    if g is not None:
        def prove(form: sp.Expr) -> bool:
            return proven(act.h, act.dh, form, a, z) if act.pieces is None else proven_pieces(act.pieces, form, a, z)
        wrong = g + OFF_Z if act.pieces is None else sp.Piecewise(*[(e + OFF_Z, c) for e, c in g.args])
        out.append(timed("symbolic", lambda: (prove(g), f"h'(a) = g(h(a)) with g(z) = {sp.sstr(g)}, proven by "
                                              f"simplify" + ("" if act.pieces is None else " piece by piece")),
                         limit, lambda: (prove(wrong), "g + (1 + z^2)/97")))
        labels.append(f"step 1 = step 2 ({rules[2]})")
    if act.pieces is not None:
        out.append(timed("symbolic", lambda: continuity(act, sp.Integer(0)), limit,
                         lambda: continuity(act, sp.Rational(1, 97))))
        labels.append(links[0])
    slope = act.dh.replace(sp.Heaviside, lambda x, *_: sp.Heaviside(x, 0))  # relu'(0) = 0, as the code takes it
    for c in act.kinks:
        out.append(kink_check(act, slope, c, limit))
        labels.append(links[1])
    return [replace(c, detail=f"{label}: {c.detail}") for c, label in zip(out, labels)]


def continuity(act: activations.Activation, jump: sp.Expr) -> tuple[bool, str]:
    """The pieces meet at every kink (derive.core.branches refuses a jump); `jump` lifts every piece
    right of a kink by that much: the control, which must be refused."""
    assert act.pieces is not None
    lifted = tuple(f + jump * i for i, f in enumerate(act.pieces.pieces))
    try:
        branches(act.name, act.pieces.join(a, lifted), a)
    except DeriveError as exc:
        return False, str(exc)
    kinks = ", ".join(f"a = {c}" for c in act.kinks)
    return True, f"h is continuous: its pieces meet at {kinks} (a jump of 1/97 there is refused)"


def kink_check(act: activations.Activation, slope: sp.Expr, c: sp.Expr, limit: float) -> Check:
    """h'(c) at a kink c is the left derivative; the right one (or h'(c) + 1/97) is rejected."""
    return timed("one-sided", lambda: left_derivative(act, slope.subs(a, c), c), limit,
                 lambda: left_derivative(act, wrong_at_kink(slope, c), c))


def wrong_at_kink(slope: sp.Expr, c: sp.Expr) -> sp.Expr:
    """The right derivative at c where it differs from the left one, else h'(c) + 1/97."""
    right = sp.limit(slope, a, c, "+")
    left = slope.subs(a, c)
    return right if sp.simplify(right - left) != 0 else left + sp.Rational(1, 97)


def left_derivative(act: activations.Activation, claim: sp.Expr, c: sp.Expr) -> tuple[bool, str]:
    num = NUMERIC[act.name]
    with mpmath.workdps(DIGITS + 10):
        u, eps = mpmath.mpf(c.p) / c.q, mpmath.mpf(10) ** -15
        left = (num.h(u) - num.h(u - eps)) / eps
        value = mpmath.mpf(str(sp.N(claim, DIGITS)))
        ok = _agree(value, left, mpmath.mpf(10) ** -10)
    return ok, (f"h'({c}) = {claim}: the derivative from the left (one-sided difference of the independent h: "
                f"{mpmath.nstr(left, 12)}), as PyTorch takes it")


def derivation(act: activations.Activation) -> Derivation:
    """h'(a) = d/da h(a) = (SymPy's derivative) [= g(z), z = h(a)]: steps by named rules."""
    d = Derivation.start(f"h' of {act.name}", sp.Derivative(H(a), a), sp.Derivative(act.h, a, evaluate=False),
                         f"the definition of {act.name}" + (f", typed as {act.typed}" if act.typed else ""),
                         Context())
    d.steps.append(Step(act.dh, "differentiate (SymPy diff)" if act.pieces is None else
                        "differentiate each piece; at a kink the left derivative"))
    if act.dh_from_z is not None:
        d.steps.append(Step(act.dh_from_z, "write in z = h(a): found among polynomials and rationals in z, proven"))
    return d


def names(config: Config) -> list[str]:
    """The network's own activations; every registered one for the default network."""
    own = list(dict.fromkeys(config.activations))
    return sorted(n for n in activations.REGISTRY if n in NUMERIC) if config == Config() else own


@exercise("activation")
def exercise_activation(config: Config) -> Exercise:
    start = time.perf_counter()
    derivations, notes = [], []
    for name in names(config):
        act = activations.get(name)
        if name not in NUMERIC:
            raise DeriveError(f"{name} has no independent implementation")
        d = derivation(act)
        d.checks = checks_of(act, [step.rule for step in d.steps])
        derivations.append(d)
        if act.convention:
            notes.append(act.convention + ".")
    shown = ", ".join(names(config))
    return Exercise("activation", "The activations' derivatives h'",
                    f"Exercise j needs $h'$ of the network's activations ({shown}). Each is derived by SymPy, "
                    "checked against an independent implementation and central differences, written in "
                    "$z = h(a)$ where the engine finds and proves such a form (the backward pass then needs "
                    "only Z), and given a value at its kinks.",
                    ["A non-smooth h (max, min, abs, Piecewise) is split into smooth pieces on intervals of a; "
                     "at a kink c, $h'(c)$ is the derivative from the left, as PyTorch's relu, leaky_relu and "
                     "elu take it. The checks at random points refuse a point at a kink.", *notes],
                    derivations, [], time.perf_counter() - start)
