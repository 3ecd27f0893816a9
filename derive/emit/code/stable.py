"""Overflow-free forms of h and h' for the emitted code, each the same function (checked at exact points).

- log(1 + e^x) becomes softplus(x), printed np.logaddexp(x, 0.0);
- e^(+-u) is written in s = sigmoid(u) and t = sigmoid(-u) = 1 - s (e^(-u) = t/s), kept
  where that leaves a polynomial in s and t: sigmoid' = s t, silu' = s + u s t, softplus' = s;
  s is printed exp(-logaddexp(-u, 0)), finite with full relative precision for any u;
- e^x - 1 becomes expm1(x) (ELU near 0);
- a Piecewise is printed np.where(u <= c, f(clip(u)), ...): each piece is evaluated at u
  clipped to its own interval, so exp(u) - 1 of ELU never sees u = 1000.
"""
from __future__ import annotations

import random
from functools import lru_cache

import sympy as sp

U = sp.Symbol("u", real=True)  # the argument of h and h' while they are rewritten
S, T = sp.symbols("s t", positive=True)


class softplus(sp.Function):
    """log(1 + e^x), printed as np.logaddexp(x, 0.0)."""


class logistic(sp.Function):
    """1/(1 + e^(-x)), printed as np.exp(-np.logaddexp(-x, 0.0))."""


class expm1(sp.Function):
    """e^x - 1, printed as np.expm1(x): full relative precision near x = 0."""


class clip(sp.Function):
    """x clipped to [lo, hi] (either end may be +-oo), printed with np.minimum / np.maximum."""


def _softplus(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.log) and (e.args[0] - 1).func == sp.exp,
                        lambda e: softplus((e.args[0] - 1).args[0]))


def _in_s(expr: sp.Expr, u: sp.Symbol) -> sp.Expr | None:
    """expr with e^(+-u) written in s and t, or None where that is not a polynomial in s."""
    if not expr.has(sp.exp(u), sp.exp(-u)):
        return None
    rewritten = sp.factor(sp.cancel(expr.subs(sp.exp(-u), 1 / S - 1)))  # subs rewrites exp(u) = 1/exp(-u) too
    if rewritten.has(sp.exp(u), sp.exp(-u)) or not rewritten.is_polynomial(S):
        return None
    parts = sp.collect(sp.expand(rewritten), u, evaluate=False)
    tidy = sp.Add(*[sp.factor(c) * k for k, c in parts.items()])
    return tidy.subs(1 - S, T).subs(S - 1, -T).subs(1 - T, S)


def _same(old: sp.Expr, new: sp.Expr, u: sp.Symbol) -> bool:
    """old = new at exact points (s, t, softplus, logistic written out): the rewrite is an identity."""
    written = new.subs({S: 1 / (1 + sp.exp(-u)), T: 1 / (1 + sp.exp(u))}).replace(
        softplus, lambda x: sp.log(1 + sp.exp(x))).replace(logistic, lambda x: 1 / (1 + sp.exp(-x))).replace(expm1, lambda x: sp.exp(x) - 1)
    rng = random.Random(0)
    for _ in range(4):
        p = sp.Rational(rng.randint(-40, 40), rng.randint(1, 9))
        gap = sp.N((old - written).subs(u, p), 30)
        if not abs(gap) < sp.Float("1e-20", 30):
            return False
    return True


def _expm1(expr: sp.Expr) -> sp.Expr:
    if expr.is_Add and -1 in expr.args:
        rest = [t for t in expr.args if t != -1]
        if len(rest) == 1 and rest[0].func == sp.exp:
            return expm1(rest[0].args[0])
    return expr


def smooth(body: sp.Expr, u: sp.Symbol) -> sp.Expr:
    new = _expm1(_softplus(body))
    in_s = _in_s(new, u)
    if in_s is not None:
        new = in_s.subs({S: logistic(u), T: logistic(-u)})
    if new != body and not _same(body, new, u):
        return body  # the rewrite did not hold: print the formula as it is
    return new


def _pieces(body: sp.Piecewise, u: sp.Symbol) -> sp.Expr:
    """Each piece at its argument clipped to its interval (u <= c_1, c_1 < u <= c_2, ...)."""
    out, low = [], -sp.oo
    for expr, cond in body.args:
        if cond is sp.true:
            high = sp.oo
        elif isinstance(cond, sp.LessThan) and cond.lhs == u and cond.rhs.is_number:
            high = cond.rhs
        else:
            return body  # not our canonical form: as it is
        piece = smooth(expr, u)
        if piece.has(u) and not piece.is_polynomial(u):
            piece = piece.subs(u, clip(u, low, high))
        out.append((piece, cond))
        low = high
    return sp.Piecewise(*out)


@lru_cache(maxsize=None)
def _stable(body: sp.Expr) -> sp.Expr:
    if isinstance(body, sp.Piecewise):
        return _pieces(body, U)
    if body.has(sp.Piecewise):
        return body
    return smooth(body, U)


def stable(body: sp.Expr, u: sp.Symbol) -> sp.Expr:
    """The same scalar function of u in a form that cannot overflow."""
    return _stable(body.subs(u, U)).subs(U, u)
