"""Exercise k: the output delta for regression.

For the exercise's E (the factor 2 stays), Bishop's 1/2 and the Gaussian negative
log-likelihood (Bishop eqs. 5.11-5.14).
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from derive.backprop.checks import exact_net, network_check
from derive.backprop.net import Net
from derive.core import losses
from derive.core.activations import identity
from derive.core.checks import Check, Context
from derive.core.derivation import Derivation
from derive.core.fields import EXACT, MPMATH
from derive.core.verify import check_identity
from derive.exercises.base import Config, Exercise, exercise
from derive.exercises.output_layer import SIZES, K, a, h_L, j, k, sigma, t, y
from derive.rules import deltas as rules


# --- exercise k: regression ---------------------------------------------------------------------
def squares() -> sp.Expr:
    return sp.Sum((y[k] - t[k]) ** 2, (k, 1, K))


LOSSES = {  # name -> (E for one example, its description; the formula is the lhs on the sheet)
    # the exercise's E from the loss registry (derive.core.losses); Bishop's with the 1/2 in front of
    # the sum as eq. (5.11) writes it, and the Gaussian at any sigma^2 (the registry's is sigma^2 = 1)
    "exercise": (losses.get("sum-of-squares").example(y.__getitem__, t.__getitem__),
                 "the exercise's sum of squares (no 1/2)"),
    "bishop": (squares() / 2, "Bishop's half sum of squares"),
    "gaussian": (K / 2 * sp.log(2 * sp.pi * sigma**2) + squares() / (2 * sigma**2),
                 "the Gaussian negative log-likelihood"),
}


def step_output(output: str) -> Callable[[sp.Expr], sp.Expr]:
    """The output y_k the first step substitutes (the rule's side)."""
    return (lambda u: h_L(a[u])) if output == "h" else (lambda u: a[u])


def output_for_checks(output: str) -> Callable[[sp.Expr], sp.Expr]:
    """The verifier's y_k = z_k^(L) = h_L(a_k^(L)), built apart from `step_output`: the
    activation object (the undefined h_L, or the registry's identity) applied to the logit."""
    act = h_L if output == "h" else identity
    return lambda u: act(a[u])


def regression_delta(loss: str, output: str, target: sp.Expr) -> Derivation:
    """delta_j^(L) for a regression loss; output 'h' (general h_L) or 'identity'; verified."""
    return regression_chain(loss, output).claim(target).verify()


def regression_chain(loss: str, output: str) -> Derivation:
    """The steps of `regression_delta`, without a claim, not yet verified."""
    E, says = LOSSES[loss]
    out = step_output(output)
    ctx = Context(definitions={y: output_for_checks(output)}, sizes={K: SIZES}, indices={j: K})
    name = r"$y_k = h_L(a_k^{(L)})$" if output == "h" else r"identity output $y_k = a_k^{(L)}$"
    d = Derivation.start(f"{says}, {'general $h_L$' if output == 'h' else 'identity output'}",
                         sp.Derivative(E, a[j]), sp.Derivative(rules.replace_indexed(y, out)(E), a[j]),
                         name, ctx, cite="exercise k)")
    d.then(r"differentiate term by term (chain rule; $\partial a_k / \partial a_j = \delta_{jk}$)", rules.differentiate)
    d.then(r"Kronecker sum ($1 \le j \le K$)", rules.kronecker_sums)
    back = r"$h_L(a_j^{(L)}) = y_j$" if output == "h" else r"$a_j^{(L)} = y_j$"
    return d.then(f"the output again: {back}", rules.write_as(out(j), y[j]), "eq. (4)")


def h_L_prime(index: sp.Expr) -> sp.Expr:
    return sp.Derivative(h_L(a[index]), a[index])


def normal_density(target: sp.Expr, mean: sp.Expr) -> sp.Expr:
    """N(t | y, sigma^2) written out, apart from LOSSES (Bishop eq. 1.46)."""
    return sp.exp(-(target - mean) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)


def gaussian_loss_checks() -> list[Check]:
    """The Gaussian loss the sheet shows is -log prod_k N(t_k | y_k, sigma^2): checked as a
    claim of its own, since its derivative (the delta) cannot see a wrong constant."""
    # log e^u = u needs u real: t and y are (force=True says so), sigma > 0
    log_density = sp.expand_log(sp.log(normal_density(t[k], y[k])), force=True)
    likelihood = -sp.Sum(log_density, (k, 1, K))
    context = Context(sizes={K: SIZES}, positive=frozenset({"sigma"}))
    return check_identity(likelihood, LOSSES["gaussian"][0], context,
                          what="the Gaussian loss is -sum_k log N(t_k | y_k, sigma^2)", real=True)


@exercise("k")
def exercise_k(config: Config) -> Exercise:
    twice = sp.Mul(2, y[j] - t[j], evaluate=False)  # kept factored, as the exercise writes it
    derivations = [regression_delta("exercise", "h", sp.Mul(twice, h_L_prime(j), evaluate=False)),
                   regression_delta("exercise", "identity", twice),
                   regression_delta("bishop", "identity", y[j] - t[j]),
                   regression_delta("gaussian", "h", (y[j] - t[j]) * h_L_prime(j) / sigma**2)]
    checks = [network_check(exact_net((2, 3, 2), output="h"), EXACT),
              network_check(exact_net((3, 3, 2), "half-sum-of-squares", "identity"), EXACT),
              network_check(Net((2, 3, 3, 2), ("tanh", "softplus"), "sum-of-squares", "sigmoid"), MPMATH)]
    checks += gaussian_loss_checks()
    return Exercise("k", "Regression: the output delta, and the factor 2",
                    "Exercise k): the output delta for regression with an output non-linearity $h_L$, "
                    "for the exercise's sum of squares, Bishop's half sum of squares and the Gaussian "
                    "negative log-likelihood (Bishop eqs. 5.11-5.14, 5.18).",
                    ["With the exercise's $E = \\sum_n \\|y_n - t_n\\|^2$ (no 1/2) the factor 2 stays "
                     "in the delta, for a general $h_L$ and for the identity output (the first two "
                     "derivations below); the emitted code uses this E.",
                     "The exercise's remark that the identity output gives the result of i) holds for "
                     "Bishop's $E = \\frac{1}{2} \\sum_n \\|y_n - t_n\\|^2$, or for the Gaussian negative "
                     "log-likelihood at $\\sigma^2 = 1$ with the identity output (the last two derivations)."],
                    derivations, checks)
