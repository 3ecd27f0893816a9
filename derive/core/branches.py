"""A non-smooth activation (max, min, abs, Piecewise) as smooth branches on intervals of a, with its kinks.

h = f_0 on (-oo, c_1], f_1 on (c_1, c_2], ..., f_m on (c_m, oo): SymPy's own reading of the
conditions (`as_expr_set_pairs`). h must be continuous; at a kink c_i h' is taken as the
left derivative f_{i-1}'(c_i), PyTorch's convention for relu, leaky_relu and elu.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.core.errors import DeriveError

NONSMOOTH = (sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.Heaviside, sp.sign)
CONVENTION = "at a kink c, h'(c) is the derivative from the left (as PyTorch's relu, leaky_relu and elu)"


@dataclass(frozen=True)
class Branches:
    """The smooth pieces f_0..f_m of h and the kinks c_1 < ... < c_m between them."""

    pieces: tuple[sp.Expr, ...]
    kinks: tuple[sp.Expr, ...]

    def join(self, a: sp.Symbol, exprs: tuple[sp.Expr, ...] | None = None) -> sp.Expr:
        """Piecewise((e_0, a <= c_1), ..., (e_m, True)): at a kink, the piece on its left."""
        exprs = exprs if exprs is not None else self.pieces
        return sp.Piecewise(*[(e, a <= c) for e, c in zip(exprs, self.kinks)], (exprs[-1], True))

    def derivative(self, a: sp.Symbol) -> sp.Expr:
        return self.join(a, tuple(tidy(sp.diff(f, a), a) for f in self.pieces))


def tidy(expr: sp.Expr, a: sp.Symbol) -> sp.Expr:
    """A rational function of a in lowest terms, factored (softsign's piece: 1/(a + 1)^2)."""
    return sp.factor(sp.cancel(expr)) if expr.is_rational_function(a) else expr


def is_smooth(h: sp.Expr) -> bool:
    return not h.has(*NONSMOOTH)


def branches(name: str, h: sp.Expr, a: sp.Symbol) -> Branches:
    """h's pieces on intervals; raises DeriveError unless they are finitely many, smooth and continuous."""
    folded = sp.piecewise_fold(h.rewrite(sp.Piecewise))
    if not isinstance(folded, sp.Piecewise):
        raise DeriveError(f"{name}: cannot split {h} into smooth pieces")
    try:
        pairs = folded.as_expr_set_pairs(sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise DeriveError(f"{name}: cannot read the conditions of {h} as intervals of a ({exc})") from None
    intervals: list[tuple[sp.Interval, sp.Expr]] = []
    for expr, where in pairs:
        parts = where.args if isinstance(where, sp.Union) else (where,)
        for part in parts:
            if isinstance(part, sp.FiniteSet):
                continue  # single points: h there is checked by continuity below
            if not isinstance(part, sp.Interval):
                raise DeriveError(f"{name}: the condition of the piece {expr} is not an interval of a ({part})")
            if not is_smooth(expr):
                raise DeriveError(f"{name}: the piece {expr} is not smooth")
            intervals.append((part, expr))
    intervals.sort(key=lambda pair: sp.Float(pair[0].start) if pair[0].start.is_finite else -sp.oo)
    pieces: list[sp.Expr] = []
    kinks: list[sp.Expr] = []
    for interval, expr in intervals:
        if pieces and (expr == pieces[-1] or sp.expand(expr - pieces[-1]) == 0):
            continue  # the same formula on the next interval
        if pieces:
            kinks.append(interval.start)
        pieces.append(expr)
    if not pieces:
        raise DeriveError(f"{name}: {h} has no pieces")
    for c, (left, right) in zip(kinks, zip(pieces, pieces[1:])):
        if not c.is_real or not c.is_finite:
            raise DeriveError(f"{name}: the kink {c} is not a real number")
        jump, value = (left.subs(a, c) - right.subs(a, c)), (h.subs(a, c) - right.subs(a, c))
        if sp.simplify(jump) != 0 or sp.simplify(value) != 0:  # simplify: only where a number is not yet 0
            raise DeriveError(f"{name} jumps at a = {c}: backpropagation needs a continuous activation")
    return Branches(tuple(pieces), tuple(kinks))
