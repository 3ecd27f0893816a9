"""Named rewriting rules of the backpropagation derivations (exercises i-l).

Each function returns a rewrite expr -> expr, applied by ``Derivation.then(name, rule)``;
the verifier checks that the rewrite kept the expression equal (or, for the one-hot
rule, equal under the constraint it names).
"""
from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp

Rewrite = Callable[[sp.Expr], sp.Expr]


def replace_indexed(base: sp.IndexedBase, value: Callable[..., sp.Expr]) -> Rewrite:
    """Every base[idx] -> value(*idx): substitute a definition."""
    return lambda expr: expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == base,
                                     lambda e: value(*e.indices))


def log_of_quotient(expr: sp.Expr) -> sp.Expr:
    """log(e^u / S) = u - log S (u real: the logits)."""
    def split(e: sp.log) -> sp.Expr:
        num, den = e.args[0].as_numer_denom()
        return num.args[0] - sp.log(den) if isinstance(num, sp.exp) else e
    return expr.replace(lambda e: isinstance(e, sp.log), split)


def linearity(expr: sp.Expr) -> sp.Expr:
    """sum_k (f_k + g_k) = sum_k f_k + sum_k g_k, and factors free of k come out of the sum."""
    def split(s: sp.Sum) -> sp.Expr:
        bound = [v for v, *_ in s.limits]
        terms = []
        for term in sp.Add.make_args(sp.expand(s.function)):
            outside, inside = term.as_independent(*bound, as_Add=False)
            terms.append(outside * sp.Sum(inside, *s.limits))
        return sp.Add(*terms)
    return expr.replace(lambda e: isinstance(e, sp.Sum), split)


def sum_is_one(t: sp.IndexedBase, K: sp.Symbol) -> Rewrite:
    """The one-hot constraint sum_{k=1}^K t_k = 1, whatever the name of the summation index."""
    def is_target_sum(e: sp.Basic) -> bool:
        return (isinstance(e, sp.Sum) and len(e.limits) == 1 and e.limits[0][1:] == (1, K)
                and e.function == t[e.limits[0][0]])
    return lambda expr: expr.replace(is_target_sum, lambda e: sp.Integer(1))


def one_hot_hook(t: sp.IndexedBase, K: sp.Symbol) -> Callable[[dict, dict, random.Random], None]:
    """Constraint hook for derive.core.verify: a sampled point gets t_K = 1 - sum_{k<K} t_k."""
    def hook(point: dict, sizes: dict, rng: random.Random) -> None:
        size = sizes.get(K)
        if size is not None and t[size] in point:
            point[t[size]] = 1 - sum(point.get(t[k], 0) for k in range(1, size))
    return hook


def depends(f: sp.Expr, x: sp.Expr) -> bool:
    """Whether f may depend on x; a_k with a symbolic k may be a_j, so an Indexed x is its base."""
    return f.has(x.base) if isinstance(x, sp.Indexed) else f.has(x)


def derivative(f: sp.Expr, x: sp.Expr) -> sp.Expr:
    """df/dx taken into sums term by term, constants left outside; sums are not evaluated."""
    if not depends(f, x):
        return sp.Integer(0)
    if isinstance(f, sp.Sum):
        return sp.Sum(derivative(f.function, x), *f.limits)
    if f.is_Add:
        return sp.Add(*[derivative(u, x) for u in f.args])
    varying = [u for u in sp.Mul.make_args(f) if depends(u, x)]
    if f.is_Mul and len(varying) == 1:
        return f / varying[0] * derivative(varying[0], x)
    return sp.diff(f, x)


def differentiate(expr: sp.Expr) -> sp.Expr:
    """Carry out every derivative written as Derivative(...): term by term, into the sums."""
    def carry(e: sp.Derivative) -> sp.Expr:
        out = e.expr
        for x in e.variables:
            out = derivative(out, x)
        return out
    return expr.replace(lambda e: isinstance(e, sp.Derivative), carry)


def kronecker_sums(expr: sp.Expr) -> sp.Expr:
    """sum_k delta_{jk} f_k = f_j, for j within the range of k (the rule's name says which)."""
    def pick(s: sp.Sum) -> sp.Expr:
        for number, (k, *_) in enumerate(s.limits):
            for factor in sp.Mul.make_args(s.function):
                if isinstance(factor, sp.KroneckerDelta) and k in factor.args:
                    other = factor.args[1] if factor.args[0] == k else factor.args[0]
                    rest = (s.function / factor).subs(k, other)
                    limits = s.limits[:number] + s.limits[number + 1:]
                    return sp.Sum(rest, *limits) if limits else rest
        return s
    for _ in range(10):  # a product of Kronecker deltas: one sum at a time
        new = expr.replace(lambda e: isinstance(e, sp.Sum), pick)
        if new == expr:
            return new
        expr = new
    return expr


def out_of_sum(factor: sp.Expr) -> Rewrite:
    """sum_k c f_k = c sum_k f_k for a factor c free of the summation index."""
    def take(s: sp.Sum) -> sp.Expr:
        return factor * sp.Sum(s.function / factor, *s.limits)
    return lambda expr: expr.replace(
        lambda e: isinstance(e, sp.Sum) and factor in sp.Mul.make_args(e.function), take)


def replace_exact(old: sp.Expr, new: sp.Expr) -> Rewrite:
    """A named identity used as a substitution (e.g. the second hint of exercise i)."""
    return lambda expr: expr.xreplace({old: new})


def write_as(value: sp.Expr, name: sp.Expr) -> Rewrite:
    """value -> name wherever value stands outside a derivative (eq. 4 read backwards:
    h_L(a_j^(L)) = y_j, while dh_L(a_j^(L))/da_j^(L) stays h_L')."""
    def back(e: sp.Expr) -> sp.Expr:
        if e == value:
            return name
        if isinstance(e, sp.Derivative) or not e.args:
            return e
        return e.func(*[back(u) for u in e.args])
    return back
