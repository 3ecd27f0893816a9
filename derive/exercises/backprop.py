"""Exercises i-l and the vectorised form: error backpropagation, verified for any depth.

i) and k) derive the output delta with K symbolic (derive.output_delta); j) derives
eqs. (8) and (9) with symbolic widths (derive.induction) and compares the recursion with
plain differentiation on concrete networks of depth 1 to 5 and on the user's architecture
(derive.backprop); l) puts the sum over examples in; the vectorised form of
derive.vectorised is checked against the scalar rules (derive.vectorised_check).
"""
from __future__ import annotations

import itertools

import sympy as sp

from derive import backprop as bp
from derive import induction, output_delta as od
from derive import vectorised_check
from derive.exercises import Config, Exercise, exercise
from derive.fields import EXACT, MODULAR, MPMATH, Field
from derive.vectorised import Model
from derive.verify import Check, timed

REAL = ("tanh", "sigmoid", "softplus")
SWEEP = ((3, 2), (2, 4, 3), (3, 2, 4, 2), (2, 4, 3, 4, 3), (4, 3, 4, 2, 4, 3))  # L = 1..5
ALL_WEIGHTS = 1000  # above this many weights a network is checked at a sample per layer
PER_LAYER = 8


def network_check(net: bp.Net, field: Field, seed: int = 1, per_layer: int | None = None,
                  mutation: str | None = None) -> Check:
    """Route 1 (differentiate the written-out loss) against route 2 (the recursion), one check."""
    holder: dict[str, bp.Comparison] = {}

    def compare() -> tuple[bool, str]:
        holder["c"] = bp.compare(net, field, seed, per_layer, mutation)
        return holder["c"].passed, holder["c"].detail
    return timed(field.name, compare, 60.0)


def exact_net(widths: tuple[int, ...], loss: str = "sum-of-squares", output: str = "h", N: int = 1) -> bp.Net:
    """Every h_l undefined (random rational cubics at the check)."""
    return bp.Net(widths, (bp.UNDEFINED,) * (len(widths) - 2), loss, output, N)


def real_net(widths: tuple[int, ...], offset: int, N: int = 1) -> bp.Net:
    """tanh, sigmoid, softplus in turn; softmax with cross-entropy, or a sigmoid output."""
    hidden = tuple(itertools.islice(itertools.cycle(REAL), offset, offset + len(widths) - 2))
    if offset % 2:
        return bp.Net(widths, hidden, "sum-of-squares", "sigmoid", N)
    return bp.Net(widths, hidden, "cross-entropy", N=N)


def size(net: bp.Net) -> int:
    return sum(len(net.weights(l)) for l in range(1, net.L + 1))


def architecture_checks(config: Config) -> list[Check]:
    """The user's widths and activations: 50 digits with the real h, exact with undefined h.

    Exact rationals grow like 3^L digits through cubic stand-ins, so deeper or wider
    networks are checked exactly modulo a prime instead (derive.fields).
    """
    widths = config.widths
    per_layer = None if size(exact_net(widths)) <= ALL_WEIGHTS else PER_LAYER
    deep = len(widths) - 1 > 5 or max(widths) > 6
    real = bp.Net(widths, config.activations, "cross-entropy")
    return [network_check(real, MPMATH, per_layer=per_layer),
            network_check(exact_net(widths), MODULAR if deep else EXACT, per_layer=per_layer)]


@exercise("i")
def exercise_i(config: Config) -> Exercise:
    logits, softmax_hint = od.hint_logits(), od.hint_softmax()
    return Exercise("i", "Softmax with cross-entropy: the output delta",
                    "Exercise i): for classification with a softmax output and the cross-entropy "
                    "$E = -\\sum_k t_k \\log y_k$, find $\\delta_j^{(L)} = \\partial E / \\partial a_j^{(L)}$. "
                    "First write E in the logits, then differentiate the log-sum-exp "
                    "(Bishop eqs. 4.104, 5.18).",
                    ["Targets satisfy $\\sum_k t_k = 1$ (one-hot, or any distribution over the K classes). "
                     "The first hint needs it, and the step that uses it says so; without it the same "
                     "steps stop at $(\\sum_k t_k) y_j - t_j$ (derived last).",
                     "K is symbolic: the sums run over $k = 1, \\dots, K$, and $1 \\le j \\le K$ lets the "
                     "Kronecker sums pick $k = j$. The logits $a_k = a_k^{(L)}$ are real."],
                    [logits, softmax_hint, od.classification_delta(logits, softmax_hint),
                     od.classification_delta_unconstrained()])


@exercise("j")
def exercise_j(config: Config) -> Exercise:
    checks = []
    for offset, widths in enumerate(SWEEP):
        checks.append(network_check(exact_net(widths, output="h" if offset % 2 else "identity"), EXACT))
        checks.append(network_check(real_net(widths, offset), MPMATH))
    checks += architecture_checks(config)
    return Exercise("j", "Backpropagation for any layer $l < L$ (eqs. 8, 9)",
                    "Exercise j): show $\\partial E / \\partial w_{ji}^{(l)} = \\delta_j^{(l)} z_i^{(l-1)}$ "
                    "(8) and $\\delta_j^{(l)} = h_l'(a_j^{(l)}) \\sum_k w_{kj}^{(l+1)} \\delta_k^{(l+1)}$ (9) "
                    "for every layer, with symbolic widths, and check the recursion against plain "
                    "differentiation of the loss on concrete networks of depth 1 to 5 and on the "
                    "architecture asked for (Bishop eqs. 5.53-5.56).",
                    ["The sum over k in (9) runs over the units $k = 1, \\dots, M_{l+1}$ of layer l+1; "
                     "it is K only when $l + 1 = L$. It never includes the bias unit $k = 0$: "
                     "$z_0^{(l+1)} = 1$ has no incoming weights, so no delta.",
                     "E is any function of the pre-activations of layer l+1 (eq. 9) or l (eq. 8); the "
                     "derivations are checked with E undefined and with random polynomials for E.",
                     "Networks: route 1 writes the loss out in x, t and w alone and lets SymEngine "
                     "differentiate it with respect to each weight (no deltas anywhere); route 2 is the "
                     "recursion. Undefined $h_l$ become random rational cubics (exact), tanh, sigmoid "
                     "and softplus are compared at 50 digits.",
                     f"Networks with more than {ALL_WEIGHTS} weights are checked at {PER_LAYER} weights "
                     "per layer (the bias weight among them); deeper or wider than 5 layers of width 6 "
                     "the exact check runs modulo the prime $2^{61} - 1$."],
                    [induction.derivation_eq9(), induction.derivation_eq8()], checks)


@exercise("k")
def exercise_k(config: Config) -> Exercise:
    j, y, t, sigma = od.j, od.y, od.t, od.sigma
    twice = sp.Mul(2, y[j] - t[j], evaluate=False)  # kept factored, as the exercise writes it
    derivations = [od.regression_delta("exercise", "h", sp.Mul(twice, od.h_L_prime(j), evaluate=False)),
                   od.regression_delta("exercise", "identity", twice),
                   od.regression_delta("bishop", "identity", y[j] - t[j]),
                   od.regression_delta("gaussian", "h", (y[j] - t[j]) * od.h_L_prime(j) / sigma**2)]
    checks = [network_check(exact_net((2, 3, 2), output="h"), EXACT),
              network_check(exact_net((3, 3, 2), "half-sum-of-squares", "identity"), EXACT),
              network_check(bp.Net((2, 3, 3, 2), ("tanh", "softplus"), "sum-of-squares", "sigmoid"), MPMATH)]
    return Exercise("k", "Regression: the output delta, and the factor 2",
                    "Exercise k): the output delta for regression with an output non-linearity $h_L$, "
                    "for the exercise's sum of squares, Bishop's half sum of squares and the Gaussian "
                    "negative log-likelihood (Bishop eqs. 5.11-5.14, 5.18).",
                    ["With the exercise's $E = \\sum_n \\|y_n - t_n\\|^2$ (no 1/2): "
                     "$\\delta_j^{(L)} = 2 (y_j - t_j) h_L'(a_j^{(L)})$, and $2 (y_j - t_j)$ with the "
                     "identity output. The factor 2 stays: the emitted code uses this E.",
                     "The exercise's remark that the identity output gives the result of i) holds for "
                     "Bishop's $E = \\frac{1}{2} \\sum_n \\|y_n - t_n\\|^2$, or for the Gaussian negative "
                     "log-likelihood, whose delta $(y_j - t_j) h_L'(a_j^{(L)}) / \\sigma^2$ is $y_j - t_j$ "
                     "at $\\sigma^2 = 1$ with the identity output."],
                    derivations, checks)


@exercise("l")
def exercise_l(config: Config) -> Exercise:
    checks = []
    for N in range(1, 5):
        checks.append(network_check(exact_net((2, 3, 2), output="identity", N=N), EXACT, seed=N))
        checks.append(network_check(real_net((3, 3, 2, 2), 0, N=N), MPMATH, seed=N))
    return Exercise("l", "N examples: sum the per-example terms",
                    "Exercise l): with a data set of N examples and E the sum of the per-example "
                    "losses, $\\partial E / \\partial w_{ji}^{(l)} = \\sum_n \\delta_{nj}^{(l)} z_{ni}^{(l-1)}$, "
                    "with each $\\delta_{nj}^{(l)}$ from the recursion run on example n "
                    "(Bishop eq. 5.44).",
                    ["E is the sum over the examples, as in the exercise: no 1/N. A mean loss would "
                     "divide the gradient by N.",
                     "Checked with symbolic N (worlds with N = 1 to 4 and $E_n$ undefined) and on "
                     "networks with N = 1 to 4 against differentiating the summed loss."],
                    [induction.derivation_examples()], checks)


def shapes(config: Config) -> list[Model]:
    """Several shapes (relu, identity exact; tanh, sigmoid, softplus at 50 digits) and the user's."""
    models = [Model.of((2, 3, 2), ("tanh",), "cross-entropy", N=3),
              Model.of((3, 4, 4, 2), ("relu", "identity"), "sum-of-squares", N=2),
              Model.of((1, 3, 1), ("softplus",), "gaussian-nll", N=4),
              Model.of((2, 2), (), "cross-entropy", N=2),
              Model.of((3, 3, 3, 3), ("sigmoid", "relu"), "sum-of-squares", N=1)]
    user = Model.of(config.widths, config.activations, "cross-entropy", N=2)
    return models + ([user] if user not in models else [])


@exercise("vectorised")
def exercise_vectorised(config: Config) -> Exercise:
    checks = [c for model in shapes(config) for c in vectorised_check.checks(model)]
    return Exercise("vectorised", "The matrix form the emitted code computes",
                    "The batch-major matrix form: $\\Delta^{(L)} = Y - T$ (or $2 (Y - T)$ for the sum of "
                    "squares), $\\Delta^{(l)} = h_l'(A^{(l)}) \\circ (\\Delta^{(l+1)} W^{(l+1)})$, "
                    "$\\nabla_{W^{(l)}} E = \\Delta^{(l)T} Z^{(l-1)}$ and $\\nabla_{b^{(l)}} E = "
                    "\\Delta^{(l)T} 1$, checked entry by entry against the scalar rules for several shapes.",
                    ["Shapes: X (N, D); $W^{(l)}$ ($M_l$, $M_{l-1}$), row j the unit j of layer l; "
                     "$b^{(l)}$ kept apart from $W^{(l)}$, so $W^{(l+1)}$ holds no bias column and "
                     "$\\Delta^{(l+1)} W^{(l+1)}$ sums over the units of layer l+1 only, as in (9).",
                     "$h'$ is taken from Z where cheaper (tanh: $1 - z^2$, sigmoid: $z (1 - z)$). relu's $h'$ "
                     "is the Heaviside step; relu has no derivative at 0, and the checks refuse a point "
                     "with a pre-activation exactly 0.",
                     "The Gaussian negative log-likelihood is taken at $\\sigma^2 = 1$: $\\Delta^{(L)} = Y - T$.",
                     "Two routes per shape: the matrix form in exact or 50-digit arithmetic against the "
                     "scalar recursion, and in NumPy float64 against SymEngine's derivatives of the "
                     "written-out loss."],
                    [], checks)
