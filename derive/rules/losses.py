"""Named rules of the output-delta derivations for every loss and reduction (exercise "losses").

Each function returns (or is) a rewrite expr -> expr for ``Derivation.then``; the verifier checks
that every rewrite kept the expression equal (the target rule: equal under the constraint it
names). Unlike exercises i and k the quantities carry the example index as well, a_{nk}, y_{nk},
t_{nk}, so the rules find the output index as the last index.
"""
from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp

Rewrite = Callable[[sp.Expr], sp.Expr]


def split_sums(expr: sp.Expr) -> sp.Expr:
    """sum (f + g) = sum f + sum g, and each factor as far out of a multiple sum as its indices allow:
    sum_n sum_k c_n f_nk = sum_n c_n sum_k f_nk (the limits run inner to outer)."""
    def nest(term: sp.Expr, limits: tuple[sp.Tuple, ...]) -> sp.Expr:
        for limit in limits:
            outside, inside = term.as_independent(limit[0], as_Add=False)
            term = outside * sp.Sum(inside, limit)
        return term

    def split(s: sp.Sum) -> sp.Expr:
        return sp.Add(*[nest(term, s.limits) for term in sp.Add.make_args(sp.expand(s.function))])
    return expr.replace(lambda e: isinstance(e, sp.Sum), split)


def targets_sum_to_one(t: sp.IndexedBase, K: sp.Symbol) -> Rewrite:
    """sum_{k=1}^K t_{nk} = 1 (one-hot rows, or any distribution over the classes), for every example n."""
    def is_row_sum(e: sp.Basic) -> bool:
        if not (isinstance(e, sp.Sum) and len(e.limits) == 1 and e.limits[0][1:] == (1, K)):
            return False
        f, v = e.function, e.limits[0][0]
        return isinstance(f, sp.Indexed) and f.base == t and f.indices[-1] == v and not any(
            u.has(v) for u in f.indices[:-1])
    return lambda expr: expr.replace(is_row_sum, lambda e: sp.Integer(1))


def rows_sum_to_one_hook(t: sp.IndexedBase, K: sp.Symbol, N: sp.Symbol) -> Callable[[dict, dict, random.Random], None]:
    """Constraint hook for derive.core.verify: each sampled row gets t_{nK} = 1 - sum_{k<K} t_{nk}."""
    def hook(point: dict, sizes: dict, rng: random.Random) -> None:
        size, rows = sizes.get(K), sizes.get(N)
        if size is None or rows is None:
            return
        for n in range(1, rows + 1):
            if t[n, size] in point:
                point[t[n, size]] = 1 - sum(point.get(t[n, k], 0) for k in range(1, size))
    return hook


def sigmoid_argument(e: sp.Expr) -> sp.Expr | None:
    """u where e is 1 / (1 + e^{-u}), else None."""
    if not (e.is_Pow and e.exp == -1 and e.base.is_Add and len(e.base.args) == 2 and 1 in e.base.args):
        return None
    other = next(u for u in e.base.args if u != 1)
    return -other.args[0] if isinstance(other, sp.exp) else None


def log_sigmoid(expr: sp.Expr) -> sp.Expr:
    """log sigma(u) = -log(1 + e^{-u}) and log(1 - sigma(u)) = -u - log(1 + e^{-u}), sigma(u) = 1/(1 + e^{-u})."""
    def rewrite(e: sp.log) -> sp.Expr:
        arg = e.args[0]
        u = sigmoid_argument(arg)
        if u is not None:
            return -sp.log(1 + sp.exp(-u))
        if arg.is_Add and len(arg.args) == 2 and 1 in arg.args:
            other = next(v for v in arg.args if v != 1)
            u = sigmoid_argument(-other)
            if u is not None:
                return -u - sp.log(1 + sp.exp(-u))
        return e
    return expr.replace(lambda e: isinstance(e, sp.log), rewrite)


def multiply_out(expr: sp.Expr) -> sp.Expr:
    """Multiply out products of sums inside every sum (logarithms and exponentials kept whole)."""
    return expr.replace(lambda e: isinstance(e, sp.Sum),
                        lambda s: sp.Sum(sp.expand(s.function, log=False, power_exp=False), *s.limits))


def softmax_as_output(a: sp.IndexedBase, y: sp.IndexedBase, K: sp.Symbol) -> Rewrite:
    """e^{a_{nj}} / sum_{k'=1}^K e^{a_{nk'}} = y_{nj} (the softmax, read backwards), wherever the two meet."""
    def denominator_of(u: sp.Expr) -> tuple[sp.Expr, ...] | None:
        """The leading indices n of a factor (sum_{k'} e^{a_{nk'}})^{-1}."""
        if not (u.is_Pow and u.exp == -1 and isinstance(u.base, sp.Sum) and len(u.base.limits) == 1):
            return None
        v, lo, hi = u.base.limits[0]
        f = u.base.function
        if (lo, hi) != (1, K) or not isinstance(f, sp.exp) or not isinstance(f.args[0], sp.Indexed):
            return None
        x = f.args[0]
        return tuple(x.indices[:-1]) if x.base == a and x.indices[-1] == v else None

    def fold(product: sp.Mul) -> sp.Expr:
        factors = list(product.args)
        for den in factors:
            lead = denominator_of(den)
            if lead is None:
                continue
            for num in factors:
                x = num.args[0] if isinstance(num, sp.exp) else None
                if isinstance(x, sp.Indexed) and x.base == a and tuple(x.indices[:-1]) == lead:
                    rest = [u for u in factors if u is not num and u is not den]
                    return sp.Mul(y[x.indices], *rest)
        return product
    return lambda expr: expr.replace(lambda e: e.is_Mul, fold)


def sigmoid_complement(a: sp.IndexedBase, y: sp.IndexedBase) -> Rewrite:
    """e^{-a_x} / (1 + e^{-a_x}) = 1 - sigma(a_x) = 1 - y_x, with y_x = sigma(a_x) the sigmoid output."""
    def fold(product: sp.Mul) -> sp.Expr:
        factors = list(product.args)
        for den in factors:
            x = sigmoid_argument(den)
            if isinstance(x, sp.Indexed) and x.base == a and sp.exp(-x) in factors:
                rest = list(factors)
                rest.remove(den)
                rest.remove(sp.exp(-x))
                return sp.Mul(1 - y[x.indices], *rest)
        return product
    return lambda expr: expr.replace(lambda e: e.is_Mul, fold)
