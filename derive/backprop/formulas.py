"""Route 1's reading of an activation: its SymPy formula evaluated in a field, or on dual numbers.

Route 2 evaluates the independent table derive.core.activations.NUMERIC instead. A non-smooth
h (max, min, abs, Piecewise) is evaluated piece by piece: the piece whose interval holds u,
and its derivative by SymPy's diff; a point at a kink, where h has no derivative, is refused.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import scipy.special
import sympy as sp

from derive.backprop.rings import DUAL, Dual, lift
from derive.core import activations
from derive.core.errors import DeriveError
from derive.core.fields import Field

Fn = Callable[[Any], Any]
ELEMENTARY = {sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.erf: "erf"}


def compiled(expr: sp.Expr, field: Field) -> Fn:
    """expr (in activations.a) as a function on the field's numbers, node by node."""
    a = activations.a

    def ev(e: sp.Expr, u: Any) -> Any:
        if e == a:
            return u
        if e.is_Rational:
            return field.num(Fraction(int(e.p), int(e.q)))
        if e is sp.pi or e is sp.E:
            if field.exact:
                raise DeriveError(f"{e} leaves the rationals: use the mpmath-50 field for it")
            return mpmath.pi if e is sp.pi else mpmath.e
        if e.is_Add:
            return sum((ev(t, u) for t in e.args[1:]), ev(e.args[0], u))
        if e.is_Mul:
            out = ev(e.args[0], u)
            for t in e.args[1:]:
                out = out * ev(t, u)
            return out
        if e.is_Pow:
            base, n = e.args
            if n.is_Integer:
                b = ev(base, u)
                return b ** int(n) if n > 0 else 1 / b ** int(-n)
            if field.exact:
                raise DeriveError(f"{e} leaves the rationals: use the mpmath-50 field for it")
            return mpmath.power(ev(base, u), ev(n, u))
        if e.func in ELEMENTARY:
            return field.elementary(ELEMENTARY[e.func])(ev(e.args[0], u))
        raise DeriveError(f"route 1 cannot evaluate {e} in {field.name}")
    return lambda u: ev(expr, u)


def pieces_in(name: str, field: Field) -> tuple[Fn, Fn]:
    """(h, h') of a non-smooth activation from its pieces and their SymPy derivatives."""
    act = activations.get(name)
    if act.pieces is None:
        raise DeriveError(f"{name} is smooth: it has no pieces")
    a = activations.a
    hs = [compiled(f, field) for f in act.pieces.pieces]
    dhs = [compiled(sp.diff(f, a), field) for f in act.pieces.pieces]
    kinks = [field.num(Fraction(int(c.p), int(c.q))) for c in act.pieces.kinks]

    def which(u: Any) -> int:
        for i, c in enumerate(kinks):
            if field.equal(u, c, 0):
                raise DeriveError(f"a pre-activation is {c} (to the field's precision), where {name} has no derivative")
            if u <= c:
                return i
        return len(kinks)
    return (lambda u: hs[which(u)](u)), (lambda u: dhs[which(u)](u))


# --- on dual numbers (float64, arrays) --------------------------------------------------------
MORE = {"erf": lift(scipy.special.erf, lambda v: 2 / np.sqrt(np.pi) * np.exp(-v * v)),
        "sqrt": lambda x: x ** sp.S.Half if isinstance(x, Dual) else np.sqrt(x), "pi": np.pi, "E": np.e}


def dual_fn(name: str) -> Callable[[Dual], Dual]:
    """h on dual numbers from its SymPy formula; a non-smooth h piece by piece, each piece at
    u clipped to its interval (so exp(u) - 1 never sees u = 1000), joined by np.where."""
    act = activations.get(name)
    a = activations.a
    if act.pieces is None or name == "relu":
        return sp.lambdify(a, act.h, [MORE, DUAL])
    fns = [sp.lambdify(a, f, [MORE, DUAL]) for f in act.pieces.pieces]
    kinks = [float(c) for c in act.pieces.kinks]

    def h(u: Dual) -> Dual:
        ends = [-np.inf, *kinks, np.inf]
        value, slope = np.zeros_like(u.v), np.zeros_like(u.v)
        for i, f in enumerate(fns):
            inside = (u.v > ends[i]) & (u.v <= ends[i + 1])
            at = Dual(np.clip(u.v, ends[i], ends[i + 1]), u.d, u.R)
            piece = f(at)
            piece = piece if isinstance(piece, Dual) else Dual(np.full_like(u.v, piece), 0 * u.d, u.R)
            value, slope = np.where(inside, piece.v, value), np.where(inside, piece.d, slope)
        return Dual(value, slope, u.R)
    return h

