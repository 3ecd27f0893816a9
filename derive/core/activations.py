"""Registry of non-linearities h, h': SymPy formulas, each checked at import against an independent numeric one."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.core import dual, typed, zform
from derive.core.branches import CONVENTION, Branches, branches, is_smooth
from derive.core.errors import DeriveError

a = sp.Symbol("a", real=True)
z = sp.Symbol("z", real=True)


@dataclass(frozen=True)
class Activation:
    """A non-linearity: h(a), h'(a), and h'(a) as a function of z = h(a) where one exists.

    h' is ``sp.diff(h, a)``; for a non-smooth h (max, min, abs, Piecewise) it is the
    derivative of h's smooth pieces, with the left derivative at a kink (`branches.CONVENTION`).
    The z-form (tanh: 1 - z^2, sigmoid: z (1 - z)) is found and proven by `zform.z_form`
    on first use; it lets the code's backward pass do without a and a second transcendental call.
    `typed` is the user's NAME=EXPR text for a typed activation, else "".
    """

    name: str
    h: sp.Expr
    dh: sp.Expr
    latex: str = ""
    pieces: Branches | None = None
    typed: str = ""

    def __call__(self, arg: sp.Expr) -> sp.Expr:
        return self.h.subs(a, arg)

    def derivative(self, arg: sp.Expr) -> sp.Expr:
        return self.dh.subs(a, arg)

    @property
    def lambda_h(self) -> sp.Lambda:
        return sp.Lambda(a, self.h)

    @property
    def kinks(self) -> tuple[sp.Expr, ...]:
        return self.pieces.kinks if self.pieces is not None else ()

    @property
    def convention(self) -> str:
        """What h' is at the kinks, for the sheet ("" for a smooth h)."""
        if not self.kinks:
            return ""
        at = ", ".join(f"a = {c}" for c in self.kinks)
        return f"{self.name} has no derivative at {at}; {CONVENTION}"

    @cached_property
    def dh_from_z(self) -> sp.Expr | None:
        if self.dh.has(sp.Heaviside):
            return None  # relu: the step of a, as the sheet writes it
        g = zform.z_form(self.h, self.dh, a, z, self.pieces)
        if g is not None and self.name in NUMERIC:
            check_z_form(self, g)
        return g


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
    kinks: tuple[Fraction, ...] = ()


def _sigmoid(u: Any) -> Any:
    return 1 / (1 + mpmath.exp(-u))


def _step(u: Any) -> Any:
    return 1 if u > 0 else 0  # step(0) = 0


def _leaky(u: Any) -> Any:
    return u if u > 0 else u / 100


def _mish(u: Any) -> Any:  # a tanh(softplus(a))
    return u * mpmath.tanh(mpmath.log1p(mpmath.exp(u)))


def _dmish(u: Any) -> Any:  # tanh(sp) + a sech^2(sp) sigmoid(a), sp = softplus(a)
    sp_u = mpmath.log1p(mpmath.exp(u))
    return mpmath.tanh(sp_u) + u * mpmath.sech(sp_u) ** 2 * _sigmoid(u)


NUMERIC: dict[str, Numeric] = {
    "identity": Numeric(lambda u: u, lambda u: 1, rational=True),
    "tanh": Numeric(mpmath.tanh, lambda u: 1 - mpmath.tanh(u) ** 2),
    "sigmoid": Numeric(_sigmoid, lambda u: _sigmoid(u) * (1 - _sigmoid(u))),
    "softplus": Numeric(lambda u: mpmath.log1p(mpmath.exp(u)), _sigmoid),
    "relu": Numeric(lambda u: max(u, 0 * u), _step, rational=True, kinks=(Fraction(0),)),
    "leaky_relu": Numeric(_leaky, lambda u: 1 if u > 0 else Fraction(1, 100), rational=True, kinks=(Fraction(0),)),
    "elu": Numeric(lambda u: u if u > 0 else mpmath.expm1(u), lambda u: 1 if u > 0 else mpmath.exp(u),
                   kinks=(Fraction(0),)),
    "gelu": Numeric(lambda u: u * mpmath.ncdf(u), lambda u: mpmath.ncdf(u) + u * mpmath.npdf(u)),
    "silu": Numeric(lambda u: u * _sigmoid(u), lambda u: _sigmoid(u) * (1 + u * (1 - _sigmoid(u)))),
    "softsign": Numeric(lambda u: u / (1 + abs(u)), lambda u: 1 / (1 + abs(u)) ** 2, rational=True,
                        kinks=(Fraction(0),)),
    "mish": Numeric(_mish, _dmish),
}
ALIASES = {"swish": "silu", "lrelu": "leaky_relu"}  # other names in use for the same function

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


def check_z_form(act: Activation, g: sp.Expr) -> None:
    """The proven z-form also against the independent h' at POINTS off the kinks (a second route)."""
    num = NUMERIC[act.name]
    with mpmath.workdps(DIGITS + 10):
        for p in POINTS:
            if p in num.kinks:
                continue
            u = mpmath.mpf(p.p) / p.q
            at_h = sp.Float(mpmath.nstr(num.h(u), DIGITS + 10), DIGITS + 10)
            _agree(act, "h'", g, _at(g, z, at_h), num.dh(u), p)


REGISTRY: dict[str, Activation] = {}


def build(name: str, h: sp.Expr, latex: str = "", dh: sp.Expr | None = None, typed_text: str = "") -> Activation:
    """h with h' = dh/da, or the left-derivative pieces of a non-smooth h; `dh` overrides h'
    (relu keeps SymPy's Heaviside step, whose value at 0 the code sets as PyTorch does)."""
    pieces = None if is_smooth(h) else branches(name, h, a)
    derivative = dh if dh is not None else (sp.diff(h, a) if pieces is None else pieces.derivative(a))
    shown = latex or f"h(a) = {sp.latex(h)}"
    if pieces is not None and dh is None:  # compute with the pieces, show what was written
        h = pieces.join(a)
    return Activation(name, h, derivative, shown, pieces, typed_text)


def register(name: str, h: sp.Expr, latex: str = "", dh: sp.Expr | None = None) -> Activation:
    """Build h and check it against NUMERIC[name] (values, h', central differences) before it is registered."""
    act = build(name, h, latex, dh)
    check(act)
    REGISTRY[name] = act
    return act


identity = register("identity", a, r"h(a) = a")
tanh = register("tanh", sp.tanh(a), r"h(a) = \tanh a")
sigmoid = register("sigmoid", 1 / (1 + sp.exp(-a)), r"h(a) = 1/(1 + e^{-a})")
relu = register("relu", sp.Max(0, a), r"h(a) = \max(0, a)", dh=sp.Heaviside(a))
softplus = register("softplus", sp.log(1 + sp.exp(a)), r"h(a) = \log(1 + e^{a})")
leaky_relu = register("leaky_relu", sp.Max(a, a / 100), r"h(a) = \max(a, a/100)")
elu = register("elu", sp.Piecewise((a, a > 0), (sp.exp(a) - 1, True)),
               r"h(a) = a \text{ for } a > 0, \text{ else } e^{a} - 1")
gelu = register("gelu", a * (1 + sp.erf(a / sp.sqrt(2))) / 2, r"h(a) = a\,\Phi(a) = \tfrac{a}{2}(1 + \operatorname{erf}(a/\sqrt{2}))")
silu = register("silu", a / (1 + sp.exp(-a)), r"h(a) = a\,\sigma(a) = a/(1 + e^{-a})")
softsign = register("softsign", a / (1 + sp.Abs(a)), r"h(a) = a/(1 + |a|)")
mish = register("mish", a * sp.tanh(sp.log(1 + sp.exp(a))), r"h(a) = a \tanh(\log(1 + e^{a}))")


def register_typed(text: str) -> str:
    """`NAME=EXPR`: parse EXPR with the grammar, check h' against the tree's own dual-number
    derivative and central differences, register it under NAME, and return NAME."""
    name, expr = typed.split(text)
    name = ALIASES.get(name, name)
    tree = typed.parse(expr)
    h = typed.to_sympy(tree, a)
    act = build(name, h, typed_text=f"{name}={expr}")
    known = REGISTRY.get(name)
    if known is not None:
        if known.typed == act.typed or (not known.typed and sp.simplify(known.h - act.h) == 0):
            return name  # the same function again
        raise DeriveError(f"--activation {text!r}: {name} is already {known.latex}; choose another NAME")
    kinks = []
    for c in act.kinks:
        if not c.is_Rational:
            raise DeriveError(f"{name} has a kink at a = {c}: kinks must be at rational points")
        kinks.append(Fraction(int(c.p), int(c.q)))
    h_num, dh_num = dual.functions(tree)
    NUMERIC[name] = Numeric(h_num, dh_num, rational=typed.is_rational(tree), kinks=tuple(kinks))
    try:
        check(act)
    except DeriveError:
        del NUMERIC[name]
        raise
    REGISTRY[name] = act
    return name


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Activation:
    """Look up an activation; an unknown name raises DeriveError listing the valid choices."""
    try:
        return REGISTRY[ALIASES.get(name, name)]
    except KeyError:
        raise DeriveError(
            f"unknown activation {name!r}; choose from: {', '.join(names())}, or type one as NAME=EXPR "
            f"(e.g. 'swish=a*sigmoid(a)')") from None
