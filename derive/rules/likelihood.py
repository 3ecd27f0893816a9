"""Rules for exercises e-h: logs of products, linearity of sums, named definitions.

Each rule returns a function expr -> expr for `Derivation.then`; each is local and
refuses to act where its condition fails (log of a product needs positive factors),
so an unproved step is left unchanged and the claim that follows it fails honestly.

``canonical`` is the normal form the "every size" checks compare: logs expanded from
the assumptions (never forced), sums split into terms with the constants pulled out,
sums of constants counted. It treats N, D, K, B as symbols, so a link it proves holds
for every size, not only for those the random points draw.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import sympy as sp
from sympy.core.symbol import Str

from derive.core.checks import timed, wrong_claim
from derive.core.derivation import Derivation

Rewrite = Callable[[sp.Expr], sp.Expr]

# Component of a D-dimensional target t_n (exercise e); the other letters are in notation.
d = sp.Symbol("d", integer=True, nonnegative=True)


class Named(sp.Expr):
    """A quantity shown by its name, E(w), and defined by an expression; doit() unfolds it."""

    def __new__(cls, name: str | Str, latex: str | Str, definition: sp.Expr) -> Named:
        name, latex = (s if isinstance(s, Str) else Str(s) for s in (name, latex))
        return sp.Expr.__new__(cls, name, latex, sp.sympify(definition))

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def definition(self) -> sp.Expr:
        return self.args[2]

    @property
    def free_symbols(self) -> set[sp.Basic]:
        return self.definition.free_symbols

    def doit(self, **hints: object) -> sp.Expr:
        return self.definition.doit(**hints)

    def _eval_is_real(self) -> bool | None:
        return self.definition.is_real

    def _eval_is_nonnegative(self) -> bool | None:
        return self.definition.is_nonnegative

    def _latex(self, printer: object) -> str:
        return self.args[1].name

    def _sympystr(self, printer: object) -> str:
        return self.name


def on(kind: type, rewrite: Callable[[sp.Expr], sp.Expr]) -> Rewrite:
    """Apply `rewrite` to every subexpression of type `kind` (bottom-up)."""
    return lambda expr: expr.replace(lambda e: isinstance(e, kind), rewrite)


# --- logs --------------------------------------------------------------------------------
def log_of_product() -> Rewrite:
    """log prod_n f_n = sum_n log f_n, and log(ab) = log a + log b, for positive factors."""
    def split(e: sp.log) -> sp.Expr:
        arg = e.args[0]
        if isinstance(arg, sp.Product) and positive(arg.function):
            # Peel the outermost range: log prod_n prod_k f = sum_n log prod_k f.
            *inner, outer = arg.limits
            return KeptSum(sp.log(sp.Product(arg.function, *inner) if inner else arg.function), outer)
        factors = sp.Mul.make_args(arg)
        if len(factors) > 1 and all(f.is_positive for f in factors):
            return sp.Add(*(sp.log(f) for f in factors))
        return e
    return on(sp.log, split)


def positive(e: sp.Expr) -> bool:
    """e > 0 from the assumptions; a product of positive factors is positive."""
    if isinstance(e, sp.Product):
        return positive(e.function)
    return e.is_positive is True


def log_of_power() -> Rewrite:
    """log b^p = p log b (b > 0, p real) and log exp(x) = x (x real)."""
    def lower(e: sp.log) -> sp.Expr:
        arg = e.args[0]
        if isinstance(arg, sp.exp) and arg.args[0].is_real:
            return arg.args[0]
        if arg.is_Pow and arg.base.is_positive and arg.exp.is_real:
            return arg.exp * sp.log(arg.base)
        return e
    return on(sp.log, lower)


# --- sums --------------------------------------------------------------------------------
class KeptSum(sp.Sum):
    """A Sum that doit() evaluates only once its range is concrete.

    Over a symbolic range SymPy's doit() tries closed forms (seconds on a sum of logs);
    a derivation over symbolic N wants the sum kept, so only the summand is evaluated.
    """

    def doit(self, **hints: object) -> sp.Expr:
        if all(b.is_number for _, lo, hi in self.limits for b in (lo, hi)):
            return sp.Sum(*self.args).doit(**hints)
        body = self.function.doit(**hints) if hints.get("deep", True) else self.function
        return self.func(body, *self.limits)


def split_sum(s: sp.Sum, expand: bool = False) -> sp.Expr:
    """sum (a + b) = sum a + sum b; sum c f = c sum f; sum_{n=1}^{N} c = N c.

    A sum over several ranges is split from the innermost range out.
    """
    out = s.function
    for limit in s.limits:
        out = split_once(out, limit, type(s), expand)
    return out


def split_once(body: sp.Expr, limit: sp.Tuple, cls: type, expand: bool) -> sp.Expr:
    index, lower, upper = limit
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(body) if expand else body):
        outside: list[sp.Expr] = []
        inside: list[sp.Expr] = []
        for factor in sp.Mul.make_args(term):
            (inside if factor.has(index) else outside).append(factor)
        kept = cls(sp.Mul(*inside), (index, lower, upper)) if inside else upper - lower + 1
        total += sp.Mul(*outside) * kept
    return total


def sum_linearity() -> Rewrite:
    """Linearity of the sum, with constants pulled out and sums of constants counted."""
    return on(sp.Sum, split_sum)


def name(named: Named) -> Rewrite:
    """Replace the defining expression by its name (definition of E, of the gradient, ...)."""
    return lambda expr: expr.xreplace({named.definition: named})


def factor_ratio(simplify: Callable[[sp.Expr], sp.Expr] = sp.gammasimp) -> Rewrite:
    """Simplify the coefficient in front of a sum (a ratio of binomials: B/N)."""
    def rewrite(expr: sp.Expr) -> sp.Expr:
        coeff, rest = expr.as_independent(sp.Sum, as_Add=False)
        return simplify(coeff) * rest
    return rewrite


# --- the every-size check ---------------------------------------------------------------------
def canonical(expr: sp.Expr) -> sp.Expr:
    """A normal form valid for symbolic sizes: unfold names, expand logs and sums, count."""
    expr = expr.doit(deep=False) if isinstance(expr, Named) else expr
    expr = expr.replace(lambda e: isinstance(e, Named), lambda e: e.definition)
    expr = expr.replace(lambda e: isinstance(e, KeptSum), lambda e: sp.Sum(*e.args))
    expr = sp.expand_log(expr, deep=True, force=False)
    for _ in range(6):
        new = sp.expand(expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: split_sum(e, True)))
        if new == expr:
            break
        expr = new
    return sp.expand(sp.gammasimp(expr)) if expr.has(sp.binomial, sp.gamma) else expr


def same_canonical(lhs: sp.Expr, rhs: sp.Expr, sizes: str) -> tuple[bool, str]:
    gap = sp.expand(canonical(lhs) - canonical(rhs))
    if gap == 0:
        return True, f"canonical forms agree for symbolic {sizes}"
    return False, f"canonical(lhs) - canonical(rhs) = {sp.sstr(gap)[:200]} (symbolic {sizes})"


def verify_every_size(d: Derivation, sizes: Iterable[sp.Symbol], skip: int = 0,
                      limit: float = 10.0) -> Derivation:
    """d.verify(), then prove each link again with the sizes left symbolic (route symbolic).

    `skip` leaves out the first links (their every-size proof is a separate check).
    """
    d.verify()
    names = ", ".join(str(s) for s in sizes)
    for label, lhs, rhs in d.links()[skip:]:
        if label == "lhs = claim":  # the claim is the last step: the links above prove it
            continue
        wrong = wrong_claim(rhs, lhs)
        check = timed("symbolic", lambda: same_canonical(lhs, rhs, names), limit,
                      lambda: same_canonical(lhs, wrong, names))
        d.checks.append(replace(check, detail=f"{label}: {check.detail}"))
    return d
