"""Registry of non-linearities h, h': SymPy formulas, each checked at import against an independent numeric one."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.core.errors import DeriveError

a = sp.Symbol("a", real=True)
z = sp.Symbol("z", real=True)


@dataclass(frozen=True)
class Activation:
    """A non-linearity: h(a), h'(a), and h'(a) as a function of z = h(a) where cheaper.

    The z-form (tanh: 1 - z^2, sigmoid: z (1 - z)) lets the code generator's backward pass
    do without a second transcendental call. h' is ``sp.diff(h, a)``.
    """

    name: str
    h: sp.Expr
    dh: sp.Expr
    dh_from_z: sp.Expr | None = None
    latex: str = ""

    def __call__(self, arg: sp.Expr) -> sp.Expr:
        return self.h.subs(a, arg)

    def derivative(self, arg: sp.Expr) -> sp.Expr:
        return self.dh.subs(a, arg)

    @property
    def lambda_h(self) -> sp.Lambda:
        return sp.Lambda(a, self.h)


# --- the independent numeric implementations ----------------------------------------------------
@dataclass(frozen=True)
class Numeric:
    """h and h' written by hand in mpmath (or plain arithmetic), not derived from the SymPy formula.

    rational: h and h' map rationals to rationals, so the exact fields may use them.
    kinks: where h has no derivative; h' there is a convention (relu'(0) = 0, as in PyTorch;
    SymPy's Heaviside(0) is 1/2), so h' is not compared there, and the checks refuse such points.
    """

    h: Callable[[Any], Any]
    dh: Callable[[Any], Any]
    rational: bool = False
    kinks: tuple[int, ...] = ()


def _sigmoid(u: Any) -> Any:
    return 1 / (1 + mpmath.exp(-u))


def _step(u: Any) -> Any:
    return 1 if u > 0 else 0  # step(0) = 0


NUMERIC: dict[str, Numeric] = {
    "identity": Numeric(lambda u: u, lambda u: 1, rational=True),
    "tanh": Numeric(mpmath.tanh, lambda u: 1 - mpmath.tanh(u) ** 2),
    "sigmoid": Numeric(_sigmoid, lambda u: _sigmoid(u) * (1 - _sigmoid(u))),
    "softplus": Numeric(lambda u: mpmath.log1p(mpmath.exp(u)), _sigmoid),
    "relu": Numeric(lambda u: max(u, 0 * u), _step, rational=True, kinks=(0,)),
}

POINTS = tuple(sp.Rational(p) for p in ("-3", "-1", "-1/3", "0", "1/7", "1/2", "3"))  # both sides of 0
DIGITS = 30
TOLERANCE = mpmath.mpf(10) ** (5 - DIGITS)  # relative, of 1 + |value|
STEP = mpmath.mpf(10) ** -9  # central differences: error about STEP^2 |h'''| / 6
DIFF_TOLERANCE = mpmath.mpf(10) ** -12


def _at(expr: sp.Expr, symbol: sp.Symbol, value: sp.Expr) -> Any:
    """The SymPy expression at symbol = value, as an mpmath number (SymPy's own evaluation)."""
    result = sp.N(expr.subs(symbol, value), DIGITS + 10)
    try:
        return mpmath.mpf(str(result))
    except (TypeError, ValueError):
        raise DeriveError(f"{expr} is not a real number at {symbol} = {value}") from None


def _close(u: Any, v: Any, tolerance: Any = TOLERANCE) -> bool:
    return bool(abs(u - v) <= tolerance * (1 + abs(v)))


def _agree(act: Activation, what: str, formula: sp.Expr, mine: Any, theirs: Any, p: sp.Expr) -> None:
    """Raise, in one line, unless the SymPy value `mine` of `formula` matches the independent one."""
    if not _close(mine, theirs):
        raise DeriveError(f"{what} of {act.name} is {formula} = {mpmath.nstr(mine, 15)} at a = {p}, "
                          f"but the independent {what} is {mpmath.nstr(theirs, 15)}")


def check(act: Activation) -> None:
    """h, h' (and the z-form) of `act` against NUMERIC[act.name] at POINTS; raises on a mismatch.

    The independent h' is also checked against a central difference of the independent h,
    so the table cannot hold a wrong pair that the SymPy formulas would then match.
    """
    if act.h.atoms(AppliedUndef):
        return  # an explicitly undefined h: no values to check
    num = NUMERIC.get(act.name)
    if num is None:
        raise DeriveError(f"activation {act.name!r} has no independent implementation in NUMERIC: add one")
    with mpmath.workdps(DIGITS + 10):
        for p in POINTS:
            u = mpmath.mpf(p.p) / p.q
            h = num.h(u)
            _agree(act, "h", act.h, _at(act.h, a, p), h, p)
            if p in num.kinks:  # h' there is a convention, but one of the one-sided slopes
                sides = ((num.h(u + STEP) - h) / STEP, (h - num.h(u - STEP)) / STEP)
                if not any(_close(side, num.dh(u), mpmath.mpf(10) ** -6) for side in sides):
                    raise DeriveError(f"the independent h' of {act.name} at its kink {p} is {num.dh(u)}, "
                                      f"neither one-sided slope ({', '.join(mpmath.nstr(v, 6) for v in sides)})")
                continue
            dh, diff = num.dh(u), (num.h(u + STEP) - num.h(u - STEP)) / (2 * STEP)
            if not _close(diff, dh, DIFF_TOLERANCE):
                raise DeriveError(f"the independent h' of {act.name} is {mpmath.nstr(dh, 15)} at a = {p}, "
                                  f"but a central difference of h gives {mpmath.nstr(diff, 15)}")
            _agree(act, "h'", act.dh, _at(act.dh, a, p), dh, p)
            if act.dh_from_z is not None:
                at_h = sp.Float(mpmath.nstr(h, DIGITS + 10), DIGITS + 10)
                _agree(act, "h'", act.dh_from_z, _at(act.dh_from_z, z, at_h), dh, p)


REGISTRY: dict[str, Activation] = {}


def register(name: str, h: sp.Expr, dh_from_z: sp.Expr | None = None, latex: str = "") -> Activation:
    """Register h with h' = dh/da; check the z-form symbolically, and everything against NUMERIC."""
    dh = sp.diff(h, a)
    if dh_from_z is not None:
        # A wrong z-form must not get in: h'(a) - g(h(a)) must vanish identically.
        gap = sp.simplify((dh - dh_from_z.subs(z, h)).rewrite(sp.exp))
        if gap != 0:
            raise DeriveError(f"h' of {name} is not {dh_from_z} in terms of z")
    act = Activation(name, h, dh, dh_from_z, latex or name)
    check(act)
    REGISTRY[name] = act
    return act


identity = register("identity", a, dh_from_z=sp.Integer(1), latex=r"h(a) = a")
tanh = register("tanh", sp.tanh(a), dh_from_z=1 - z**2, latex=r"h(a) = \tanh a")
sigmoid = register("sigmoid", 1 / (1 + sp.exp(-a)), dh_from_z=z * (1 - z),
                   latex=r"h(a) = 1/(1 + e^{-a})")
relu = register("relu", sp.Max(0, a), latex=r"h(a) = \max(0, a)")
softplus = register("softplus", sp.log(1 + sp.exp(a)), latex=r"h(a) = \log(1 + e^{a})")


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Activation:
    """Look up an activation; an unknown name raises DeriveError listing the valid choices."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise DeriveError(
            f"unknown activation {name!r}; choose from: {', '.join(names())}") from None
