"""The output delta delta_j^(L) = dE/da_j^(L) for classification (i) and regression (k).

All with K symbolic: the losses are Sums over Indexed, derivatives of sums give
KroneckerDelta factors, and a named rule evaluates the Kronecker sums. The logits a^(L)
are real (log e^a = a needs it).
"""
from __future__ import annotations

import sympy as sp

from derive import delta_rules as rules
from derive import notation as nt
from derive.derivation import Derivation
from derive.verify import Context

k, j, K, sigma = nt.k, nt.j, nt.K, nt.sigma
k2 = sp.Symbol("k'", integer=True, positive=True)  # the softmax denominator's own index
a = sp.IndexedBase(str(nt.base("a", "L")), real=True)  # the logits a_k^(L); a str name: a Symbol label
# without the assumption would make SymPy differentiate a_k to 0
t, y = nt.base("t"), nt.base("y")
h_L = nt.h("L")
SIZES = (3, 2, 4)  # K at the numeric points


def softmax(index: sp.Expr) -> sp.Expr:
    """y_k = exp(a_k) / sum_{k'} exp(a_{k'}) (Bishop eq. 4.104)."""
    return sp.exp(a[index]) / sp.Sum(sp.exp(a[k2]), (k2, 1, K))


def log_sum_exp() -> sp.Expr:
    return sp.log(sp.Sum(sp.exp(a[k]), (k, 1, K)))


def cross_entropy() -> sp.Expr:
    """E = -sum_k t_k log y_k for one example (exercise g)."""
    return -sp.Sum(t[k] * sp.log(y[k]), (k, 1, K))


def classification_context(one_hot: bool = True) -> Context:
    """Softmax outputs; with one_hot, both routes use sum_k t_k = 1 where a step needs it."""
    return Context(definitions={y: softmax}, sizes={K: SIZES}, indices={j: K},
                   constraints=(rules.one_hot_hook(t, K),) if one_hot else (),
                   relations=(rules.one_hot_relation(t, K),) if one_hot else ())


def hint_logits(one_hot: bool = True) -> Derivation:
    """E = -sum_k t_k a_k + log sum_k exp(a_k): the first hint of exercise i."""
    E = cross_entropy()
    d = Derivation.start("$E$ in the logits (first hint)", E, rules.replace_indexed(y, softmax)(E),
                         r"softmax output $y_k = e^{a_k} / \sum_{k'} e^{a_{k'}}$",
                         classification_context(one_hot), cite="Bishop eq. (4.104)")
    d.then(r"log of a quotient: $\log(e^{a_k}/S) = a_k - \log S$", rules.log_of_quotient)
    d.then(r"split the sum; $\log S$ does not depend on $k$", rules.linearity)
    d.then(r"one-hot targets: $\sum_k t_k = 1$", rules.sum_is_one(t, K))
    return d.claim(-sp.Sum(t[k] * a[k], (k, 1, K)) + log_sum_exp()).verify()


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


# --- exercise k: regression ---------------------------------------------------------------------
def squares() -> sp.Expr:
    return sp.Sum((y[k] - t[k]) ** 2, (k, 1, K))


LOSSES = {  # name -> (E for one example, its description)
    "exercise": (squares(), r"the exercise's $E = \sum_k (y_k - t_k)^2$ (no 1/2)"),
    "bishop": (squares() / 2, r"Bishop's $E = \frac{1}{2} \sum_k (y_k - t_k)^2$"),
    "gaussian": (K / 2 * sp.log(2 * sp.pi * sigma**2) + squares() / (2 * sigma**2),
                 r"the Gaussian negative log-likelihood $\frac{K}{2} \log 2\pi\sigma^2 + "
                 r"\frac{1}{2\sigma^2} \sum_k (y_k - t_k)^2$"),
}


def regression_delta(loss: str, output: str, target: sp.Expr) -> Derivation:
    """delta_j^(L) for a regression loss; output 'h' (general h_L) or 'identity'."""
    E, says = LOSSES[loss]
    out = (lambda u: h_L(a[u])) if output == "h" else (lambda u: a[u])
    ctx = Context(definitions={y: out}, sizes={K: SIZES}, indices={j: K})
    name = r"$y_k = h_L(a_k^{(L)})$" if output == "h" else r"identity output $y_k = a_k^{(L)}$"
    d = Derivation.start(f"{says}, {'general $h_L$' if output == 'h' else 'identity output'}",
                         sp.Derivative(E, a[j]), sp.Derivative(rules.replace_indexed(y, out)(E), a[j]),
                         name, ctx, cite="exercise k)")
    d.then(r"differentiate term by term (chain rule; $\partial a_k / \partial a_j = \delta_{jk}$)", rules.differentiate)
    d.then(r"Kronecker sum ($1 \le j \le K$)", rules.kronecker_sums)
    return d.claim(target).verify()


def h_L_prime(index: sp.Expr) -> sp.Expr:
    return sp.Derivative(h_L(a[index]), a[index])
