"""Exercise g: the one-hot categorical likelihood gives the cross-entropy (Bishop eq. 5.24).

The likelihood of iid one-hot targets is prod_n prod_k y_k(x_n)^{t_nk}; minus its log is
reached by the rules of e) (log of a product twice, then log of a power), for symbolic N
and K. The identity holds for any real t, so its random points draw general targets; the
one-hot constraint sum_k t_nk = 1 is what makes each example's factor the probability of
its class, and is checked separately (`one_hot_selects`, the one place that uses it).
"""
from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp

from derive.core import notation as nt
from derive.core.checks import CONTROL_P, Check, Context, Outcome, timed
from derive.core.derivation import Derivation
from derive.core.points import random_rational
from derive.exercises.base import Config, Exercise, exercise
from derive.exercises.e_gaussian_likelihood import first_link_every_size
from derive.rules import likelihood as lr

N, K, n, k = nt.N, nt.K, nt.n, nt.k
y = sp.IndexedBase("y", positive=True)  # y_nk = y_k(x_n), a softmax output: positive
t = sp.IndexedBase("t", real=True)


def cross_entropy(sign: int = -1) -> sp.Expr:
    """-sum_n sum_k t_nk log y_k(x_n): the form g) asks for (sign=+1 is the sign slip)."""
    return sign * lr.KeptSum(t[n, k] * sp.log(y[n, k]), (k, 1, K), (n, 1, N))


def likelihood() -> lr.Named:
    """p(t|x, w) for the checks, built apart from the rules' product of powers: the
    categorical distribution in its exponential-family form, prod_n exp(sum_k t_nk log y_nk)."""
    return lr.Named("p(t|x, w)", "p(t_1, \\dots, t_N | x_1, \\dots, x_N, w)",
                    sp.Product(sp.exp(lr.KeptSum(t[n, k] * sp.log(y[n, k]), (k, 1, K))), (n, 1, N)))


def powers() -> sp.Expr:
    """prod_n prod_k y_nk^{t_nk}, the likelihood as the first step writes it (the rules' side)."""
    return sp.Product(y[n, k] ** t[n, k], (k, 1, K), (n, 1, N))


def categorical_nll(target: sp.Expr | None = None) -> Derivation:
    """g): -log prod_n prod_k y_nk^{t_nk}, for symbolic N and K; general targets t at the points."""
    d = nll_chain().claim(cross_entropy() if target is None else target)
    lr.verify_every_size(d, (N, K), skip=1)
    d.checks.append(first_link_every_size(d, "N, K"))
    return d


def nll_chain() -> Derivation:
    """The steps of `categorical_nll`, without a claim, not yet verified."""
    ctx = Context(sizes={N: (2, 3), K: (3, 2)}, seeds=(1, 2))
    d = Derivation.start("negative log-likelihood of one-hot targets", -sp.log(likelihood()),
                         -sp.log(powers()),
                         "iid examples, each with likelihood $\\prod_k y_k(x_n)^{t_{nk}}$", ctx,
                         cite="Bishop (5.22)")
    d.then("log of a product over n is the sum of the logs", lr.log_of_product())
    d.then("log of a product over k, inside the sum", lr.log_of_product())
    return d.then("$\\log y^t = t \\log y$ for $y > 0$", lr.log_of_power(), "Bishop (5.24)")


def one_hot_selects(claimed: Callable[[list[sp.Rational], int], sp.Expr] = lambda ys, c: ys[c],
                    max_K: int = 5, seed: int = 11) -> Outcome:
    """With t = e_c: prod_k y_k^{t_k} = claimed(y, c) (y_c) and sum_k t_k = 1, exactly, for
    every K <= max_K and c."""
    rng = random.Random(seed)
    cases = 0
    for size in range(2, max_K + 1):
        ys = [random_rational(rng, positive=True) for _ in range(size)]
        for c in range(size):
            ts = [int(position == c) for position in range(size)]
            factor = sp.Mul(*(yk**tk for yk, tk in zip(ys, ts)))
            if factor != claimed(ys, c) or sum(ts) != 1:
                return False, f"K={size}, class {c + 1}: prod_k y_k^t_k = {factor}, not {claimed(ys, c)}"
            cases += 1
    return True, f"{cases} one-hot targets (K = 2..{max_K}): prod_k y_k^t_k = y_c and sum_k t_k = 1"


def off_by_a_little(ys: list[sp.Rational], c: int) -> sp.Expr:
    """The control of `one_hot_selects`: y_c + (1 + y_c^2)/97 claimed."""
    return ys[c] + (1 + ys[c] ** 2) / CONTROL_P


@exercise("g")
def exercise_g(config: Config) -> Exercise:
    checks: list[Check] = [timed("exact-rational", one_hot_selects, 5,
                                 control=lambda: one_hot_selects(off_by_a_little))]
    return Exercise(
        "g", "One-hot categorical likelihood gives the cross-entropy",
        "Exercise g): the same two moves as in e), log then times -1, applied to the likelihood "
        "$\\prod_n \\prod_k y_k(x_n)^{t_{nk}}$ of one-hot targets give the cross-entropy, "
        "derived below (Bishop eq. 5.24).",
        ["One-hot targets: $t_{nk} \\in \\{0, 1\\}$ and $\\sum_k t_{nk} = 1$, so each example's "
         "factor $\\prod_k y_k^{t_{nk}}$ is the probability of its class.",
         "$y_{nk} = y_k(x_n)$ are the softmax outputs, hence positive: the logs exist.",
         "N and K stay symbolic: the product and the sums are never expanded."],
        [categorical_nll()], checks)
