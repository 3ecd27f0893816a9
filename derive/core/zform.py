"""h'(a) written in z = h(a), found by the engine: candidate polynomials and rationals in z, proven symbolically.

The search fits each candidate family's coefficients at high-precision sample points,
rounds them to small rationals, and accepts a candidate only when SymPy proves
h'(a) - g(h(a)) = 0 identically (tanh: 1 - z^2, sigmoid: z - z^2, softplus: 1 - e^(-z)).
A non-smooth h is handled piece by piece, each piece's interval carried over to z, which
needs h increasing: each piece's h' > 0 on its interval, proven by SymPy (`solveset`), or
the piece constant on the leftmost interval (relu). Where nothing is proven, None: the code
then keeps a for the backward pass, which is always correct.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import mpmath
import sympy as sp

from derive.core.branches import Branches

DIGITS = 40
SAMPLES = ("-2.3", "-1.1", "-0.45", "-0.2", "0.15", "0.35", "0.8", "1.3", "1.9", "2.7")
Family = tuple[str, Callable[[sp.Expr], list[sp.Expr]], int]  # (name, z -> numerator basis, denominator degree)


def _powers(n: int) -> Callable[[sp.Expr], list[sp.Expr]]:
    return lambda z: [z**k for k in range(n + 1)]


FAMILIES: tuple[Family, ...] = (
    ("polynomial of degree <= 3 in z", _powers(3), 0),
    ("polynomial of degree <= 2 in exp(-z)", lambda z: [sp.exp(-k * z) for k in range(3)], 0),
    ("polynomial of degree <= 2 in exp(z)", lambda z: [sp.exp(k * z) for k in range(3)], 0),
    ("rational of degree <= 2 in z", _powers(2), 2),
)


def _rational(x: mpmath.mpf) -> sp.Rational | None:
    q = Fraction(str(mpmath.nstr(x, DIGITS - 5))).limit_denominator(10_000)
    return sp.Rational(q.numerator, q.denominator) if abs(x - mpmath.mpf(q.numerator) / q.denominator) < 1e-25 else None


def fit(h: sp.Expr, dh: sp.Expr, a: sp.Symbol, z: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    """g with h'(a) = g(h(a)) for a in (lo, hi), or None."""
    inside = [p for p in map(sp.Rational, SAMPLES) if lo < p < hi]
    if len(inside) < 6:  # sample a half-line or a short interval afresh
        base = lo if lo.is_finite else (hi - 3 if hi.is_finite else sp.Integer(-3))
        width = (hi - base) if hi.is_finite else sp.Integer(6)
        inside = [base + width * sp.Rational(k, 11) for k in range(1, 11)]
    with mpmath.workdps(DIGITS):
        fh, fdh = sp.lambdify(a, h, "mpmath"), sp.lambdify(a, dh, "mpmath")
        try:
            values = [(mpmath.mpf(fh(mpmath.mpf(p.p) / p.q)), mpmath.mpf(fdh(mpmath.mpf(p.p) / p.q))) for p in inside]
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return None
        for _, basis, denominator in FAMILIES:
            found = _fit_family(basis, denominator, values, z)
            if found is not None and proven(h, dh, found, a, z):
                return found
    return None


def _fit_family(basis: Callable[[sp.Expr], list[sp.Expr]], denominator: int, values: list[tuple[mpmath.mpf, mpmath.mpf]],
                z: sp.Symbol) -> sp.Expr | None:
    """Least squares for g = sum c_i b_i(z) / (1 + sum_k q_k z^k), then rounded and re-checked at every sample."""
    terms = basis(z)
    numeric = [sp.lambdify(z, t, "mpmath") for t in terms]
    rows, rhs = [], []
    for zv, dv in values:
        rows.append([mpmath.mpf(f(zv)) for f in numeric] + [-dv * zv**k for k in range(1, denominator + 1)])
        rhs.append(dv)
    n = len(rows[0])
    if len(rows) <= n:
        return None
    try:
        coeffs = mpmath.lu_solve(mpmath.matrix(rows), mpmath.matrix(rhs))  # least squares when overdetermined
    except ZeroDivisionError:
        return None
    exact = [_rational(c) for c in coeffs]
    if any(c is None for c in exact):
        return None
    numerator = sum((c * t for c, t in zip(exact[:len(terms)], terms)), sp.Integer(0))
    g = numerator / (1 + sum((c * z**k for k, c in enumerate(exact[len(terms):], 1)), sp.Integer(0)))
    gz = sp.lambdify(z, g, "mpmath")
    if any(abs(gz(zv) - dv) > mpmath.mpf(10) ** (10 - DIGITS) * (1 + abs(dv)) for zv, dv in values):
        return None
    return neat(sp.nsimplify(g) if g.has(sp.Float) else g, z)


def neat(g: sp.Expr, z: sp.Symbol) -> sp.Expr:
    """z (1 - z) and (1 - z)^2 factored, 1 - z^2 expanded: factored where one sum remains."""
    factored = sp.factor(g)
    c, factors = factored.as_coeff_mul()
    sums = [f for f in factors if (f.base if f.is_Pow else f).is_Add]
    if len(sums) != 1 or not g.is_polynomial(z):
        return g
    if c < 0:  # -z (z - 1) -> z (1 - z)
        s = sums[0]
        flipped = sp.Pow(-s.base, s.exp) if s.is_Pow else -s
        if s.is_Pow and s.exp % 2 == 0:
            return g
        factored = -c * sp.Mul(*[flipped if f is s else f for f in factors])
    return factored


def proven(h: sp.Expr, dh: sp.Expr, g: sp.Expr, a: sp.Symbol, z: sp.Symbol) -> bool:
    """SymPy proves h'(a) - g(h(a)) = 0 for every a (exp-rewritten, then simplified)."""
    gap = sp.simplify((dh - g.subs(z, h)).rewrite(sp.exp))
    return bool(gap == 0)


def increasing(f: sp.Expr, a: sp.Symbol, interval: sp.Interval) -> bool:
    """f' > 0 on the open interval, by SymPy's solveset (False where it cannot tell)."""
    try:
        bad = sp.solveset(sp.diff(f, a) <= 0, a, interval.interior)
    except (NotImplementedError, ValueError, TypeError):
        return False
    return bad is sp.S.EmptySet


def z_form(h: sp.Expr, dh: sp.Expr, a: sp.Symbol, z: sp.Symbol, pieces: Branches | None) -> sp.Expr | None:
    """g(z) with h'(a) = g(h(a)), proven, or None."""
    if pieces is None:
        return fit(h, dh, a, z, -sp.oo, sp.oo)
    ends = (-sp.oo, *pieces.kinks, sp.oo)
    forms = []
    for i, f in enumerate(pieces.pieces):
        interval = sp.Interval(ends[i], ends[i + 1])
        constant = sp.diff(f, a) == 0
        if not (increasing(f, a, interval) or (constant and i == 0)):
            return None  # z does not tell the pieces apart
        g = sp.Integer(0) if constant else fit(f, sp.diff(f, a), a, z, ends[i], ends[i + 1])
        if g is None:
            return None
        forms.append(g)
    # a <= c_i exactly where z <= h(c_i): h is continuous and increasing (strictly right of the first piece)
    at_kinks = [sp.simplify(pieces.pieces[i].subs(a, c)) for i, c in enumerate(pieces.kinks)]
    return sp.Piecewise(*[(g, z <= v) for g, v in zip(forms, at_kinks)], (forms[-1], True))


def proven_pieces(pieces: Branches, g: sp.Expr, a: sp.Symbol, z: sp.Symbol) -> bool:
    """Each piece's g_i(z) of a Piecewise z-form proven again against that piece's derivative."""
    if not isinstance(g, sp.Piecewise) or len(g.args) != len(pieces.pieces):
        return False
    return all(proven(f, sp.diff(f, a), gi, a, z) for f, (gi, _) in zip(pieces.pieces, g.args))
