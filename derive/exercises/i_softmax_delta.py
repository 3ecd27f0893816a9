"""Exercise i: the output delta of softmax with cross-entropy, y_j - t_j.

Derived from the exercise's two hints with K symbolic (Bishop eqs. 4.104, 5.18).
"""
from __future__ import annotations

import sympy as sp

from derive.core.checks import Context
from derive.core.derivation import Derivation
from derive.exercises.base import Config, Exercise, exercise
from derive.exercises.output_layer import SIZES, K, a, j, k, k2, t, y
from derive.rules import deltas as rules


def softmax(index: sp.Expr) -> sp.Expr:
    """y_k = exp(a_k) / sum_{k'} exp(a_{k'}) (Bishop eq. 4.104)."""
    return sp.exp(a[index]) / sp.Sum(sp.exp(a[k2]), (k2, 1, K))


def softmax_for_checks(index: sp.Expr) -> sp.Expr:
    """The verifier's softmax, built apart from `softmax` (the rule's): exp(a_k - log sum_k' exp(a_k'))."""
    return sp.exp(a[index] - sp.log(sp.Sum(sp.exp(a[k2]), (k2, 1, K))))


def one_hot_relation(expr: sp.Expr, sizes: dict[sp.Symbol, int]) -> sp.Expr:
    """sum_k t_k = 1 for the symbolic route, built apart from the rule `sum_is_one`: at concrete
    K, t_K = 1 - t_1 - ... - t_{K-1}. At symbolic K nothing: the route then proves the link
    at concrete corner sizes, where this applies."""
    size = sizes.get(K)
    if size is None:
        return expr
    return expr.xreplace({t[size]: 1 - sp.Add(*(t[m] for m in range(1, size)))})


def log_sum_exp() -> sp.Expr:
    return sp.log(sp.Sum(sp.exp(a[k]), (k, 1, K)))


def cross_entropy() -> sp.Expr:
    """E = -sum_k t_k log y_k for one example (exercise g)."""
    return -sp.Sum(t[k] * sp.log(y[k]), (k, 1, K))


def classification_context(one_hot: bool = True) -> Context:
    """Softmax outputs (`softmax_for_checks`); with one_hot, both routes use sum_k t_k = 1
    where a step needs it (the symbolic route by `one_hot_relation`)."""
    return Context(definitions={y: softmax_for_checks}, sizes={K: SIZES}, indices={j: K},
                   constraints=(rules.one_hot_hook(t, K),) if one_hot else (),
                   relations=(one_hot_relation,) if one_hot else ())


def hint_logits(one_hot: bool = True) -> Derivation:
    """E = -sum_k t_k a_k + log sum_k exp(a_k): the first hint of exercise i, verified."""
    return hint_logits_chain(one_hot).verify()


def hint_logits_chain(one_hot: bool = True) -> Derivation:
    """The steps and the claim of `hint_logits`, not yet verified."""
    E = cross_entropy()
    d = Derivation.start("$E$ in the logits (first hint)", E, rules.replace_indexed(y, softmax)(E),
                         r"softmax output $y_k = e^{a_k} / \sum_{k'} e^{a_{k'}}$",
                         classification_context(one_hot), cite="Bishop eq. (4.104)")
    d.then(r"log of a quotient: $\log(e^{a_k}/S) = a_k - \log S$", rules.log_of_quotient)
    d.then(r"split the sum; $\log S$ does not depend on $k$", rules.linearity)
    d.then(r"one-hot targets: $\sum_k t_k = 1$", rules.sum_is_one(t, K))
    return d.claim(-sp.Sum(t[k] * a[k], (k, 1, K)) + log_sum_exp())


def softmax_back(expr: sp.Expr) -> sp.Expr:
    """e^{a_j} / sum_k e^{a_k} = y_j, wherever the two factors meet in a product."""
    def is_denominator(u: sp.Expr) -> bool:
        return (u.is_Pow and u.exp == -1 and isinstance(u.base, sp.Sum)
                and u.base.function == sp.exp(a[u.base.limits[0][0]]) and u.base.limits[0][1:] == (1, K))

    def fold(product: sp.Mul) -> sp.Expr:
        factors = list(product.args)
        dens = [u for u in factors if is_denominator(u)]
        if sp.exp(a[j]) not in factors or not dens:
            return product
        factors.remove(sp.exp(a[j]))
        factors.remove(dens[0])
        return sp.Mul(y[j], *factors)
    return expr.replace(lambda e: e.is_Mul, fold)


def log_derivative(expr: sp.Expr) -> sp.Expr:
    """d/dx log S = (dS/dx) / S."""
    return expr.replace(lambda e: isinstance(e, sp.Derivative) and isinstance(e.expr, sp.log),
                        lambda e: sp.Derivative(e.expr.args[0], *e.variables) / e.expr.args[0])


def hint_softmax() -> Derivation:
    """d/da_j log sum_k exp(a_k) = y_j: the second hint of exercise i."""
    lhs = sp.Derivative(log_sum_exp(), a[j])
    d = Derivation.start(r"$\partial \log \sum_k e^{a_k} / \partial a_j = y_j$ (second hint)", lhs,
                         log_derivative(lhs), r"derivative of the logarithm: $(\log S)' = S'/S$",
                         classification_context())
    d.then(r"differentiate each term: $\partial a_k / \partial a_j = \delta_{jk}$", rules.differentiate)
    d.then(r"Kronecker sum: only $k = j$ remains ($1 \le j \le K$)", rules.kronecker_sums)
    d.then(r"softmax: $e^{a_j} / \sum_k e^{a_k} = y_j$", softmax_back)
    return d.claim(y[j]).verify()


def split_derivative(expr: sp.Expr) -> sp.Expr:
    """The derivative of a sum of terms is the sum of their derivatives."""
    return expr.replace(lambda e: isinstance(e, sp.Derivative) and e.expr.is_Add,
                        lambda e: sp.Add(*[sp.Derivative(u, *e.variables) for u in e.expr.args]))


def differentiate_linear(expr: sp.Expr) -> sp.Expr:
    """Carry out the derivatives that hold no logarithm (the hint-2 term waits for its rule)."""
    return expr.replace(lambda e: isinstance(e, sp.Derivative) and not e.has(sp.log), lambda e: e.doit())


def classification_delta(logits: Derivation, softmax_hint: Derivation, target: sp.Expr | None = None) -> Derivation:
    """delta_j^(L) = dE/da_j^(L) = y_j - t_j, from the two hints (exercise i)."""
    d = Derivation.start(r"$\delta_j^{(L)}$ for softmax with cross-entropy", sp.Derivative(cross_entropy(), a[j]),
                         sp.Derivative(logits.target, a[j]),
                         r"first hint ($E$ in the logits; uses the one-hot $\sum_k t_k = 1$)",
                         classification_context(), cite="exercise i)")
    d.then("the derivative of a sum is the sum of the derivatives", split_derivative)
    d.then(r"differentiate $\sum_k t_k a_k$: $\partial a_k / \partial a_j = \delta_{jk}$", differentiate_linear)
    d.then(r"Kronecker sum ($1 \le j \le K$)", rules.kronecker_sums)
    d.then(r"second hint: $\partial \log \sum_k e^{a_k} / \partial a_j = y_j$",
           rules.replace_exact(softmax_hint.lhs, softmax_hint.target))
    return d.claim(y[j] - t[j] if target is None else target).verify()


def classification_delta_unconstrained() -> Derivation:
    """Without sum_k t_k = 1 the same steps stop at (sum_k t_k) y_j - t_j."""
    lhs = sp.Derivative(cross_entropy(), a[j])
    d = Derivation.start(r"$\delta_j^{(L)}$ without the one-hot constraint", lhs,
                         rules.replace_indexed(y, softmax)(lhs), r"softmax output $y_k = e^{a_k} / \sum_{k'} e^{a_{k'}}$",
                         classification_context(one_hot=False), cite="exercise i)")
    d.then(r"log of a quotient: $\log(e^{a_k}/S) = a_k - \log S$", rules.log_of_quotient)
    d.then(r"split the sum; $\log S$ does not depend on $k$", rules.linearity)
    d.then(r"differentiate term by term ($\partial a_k / \partial a_j = \delta_{jk}$)", rules.differentiate)
    d.then(r"Kronecker sums ($1 \le j \le K$)", rules.kronecker_sums)
    d.then(r"softmax: $e^{a_j} / \sum_k e^{a_k} = y_j$", softmax_back)
    return d.claim(y[j] * sp.Sum(t[k], (k, 1, K)) - t[j]).verify()


@exercise("i")
def exercise_i(config: Config) -> Exercise:
    logits, softmax_hint = hint_logits(), hint_softmax()
    return Exercise("i", "Softmax with cross-entropy: the output delta",
                    "Exercise i): for classification with a softmax output and the cross-entropy "
                    "$E = -\\sum_k t_k \\log y_k$, find $\\delta_j^{(L)} = \\partial E / \\partial a_j^{(L)}$. "
                    "First write E in the logits, then differentiate the log-sum-exp "
                    "(Bishop eqs. 4.104, 5.18).",
                    ["Targets satisfy $\\sum_k t_k = 1$ (one-hot, or any distribution over the K classes). "
                     "The first hint needs it, and the step that uses it says so; without it the same "
                     "steps stop short, with $\\sum_k t_k$ left in the result (derived last).",
                     "K is symbolic: the sums run over $k = 1, \\dots, K$, and $1 \\le j \\le K$ lets the "
                     "Kronecker sums pick $k = j$. The logits $a_k = a_k^{(L)}$ are real."],
                    [logits, softmax_hint, classification_delta(logits, softmax_hint),
                     classification_delta_unconstrained()])
