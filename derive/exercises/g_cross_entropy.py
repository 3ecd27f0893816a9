"""Exercise g: the one-hot categorical likelihood gives the cross-entropy (Bishop eq. 5.24).

The likelihood of iid one-hot targets is prod_n prod_k y_k(x_n)^{t_nk}; minus its log is
reached by the rules of e) (log of a product twice, then log of a power), for symbolic N
and K. The identity holds for any real t; the one-hot constraint sum_k t_nk = 1 is what
makes each example's factor the probability of its class, and is checked separately.
"""
from __future__ import annotations

import random

import sympy as sp

from derive.core import notation as nt
from derive.core.checks import Check, Context, Point, timed
from derive.core.derivation import Derivation
from derive.core.points import random_rational
from derive.exercises.base import Config, Exercise, exercise
from derive.rules import likelihood as lr

N, K, n, k = nt.N, nt.K, nt.n, nt.k
y = sp.IndexedBase("y", positive=True)  # y_nk = y_k(x_n), a softmax output: positive
t = sp.IndexedBase("t", real=True)


def one_hot(point: Point, sizes: dict[sp.Symbol, int], rng: random.Random) -> None:
    """Targets t_nk at a sampled point become one-hot: sum_k t_nk = 1 for every n."""
    rows: dict[sp.Expr, list[sp.Indexed]] = {}
    for leaf in point:
        if isinstance(leaf, sp.Indexed) and leaf.base == t:
            rows.setdefault(leaf.indices[0], []).append(leaf)
    for _, row in sorted(rows.items(), key=lambda kv: sp.default_sort_key(kv[0])):
        hot = rng.randrange(len(row))
        for position, leaf in enumerate(sorted(row, key=sp.default_sort_key)):
            point[leaf] = sp.Integer(int(position == hot))


def cross_entropy(sign: int = -1) -> sp.Expr:
    """-sum_n sum_k t_nk log y_k(x_n): the form g) asks for (sign=+1 is the sign slip)."""
    return sign * lr.KeptSum(t[n, k] * sp.log(y[n, k]), (k, 1, K), (n, 1, N))


def categorical_nll(target: sp.Expr | None = None) -> Derivation:
    """g): -log prod_n prod_k y_nk^{t_nk}, for symbolic N and K."""
    likelihood = sp.Product(y[n, k] ** t[n, k], (k, 1, K), (n, 1, N))
    p = lr.Named("p(t|x, w)", "p(t_1, \\dots, t_N | x_1, \\dots, x_N, w)", likelihood)
    ctx = Context(sizes={N: (2, 3), K: (3, 2)}, constraints=(one_hot,), seeds=(1, 2))
    d = Derivation.start("negative log-likelihood of one-hot targets", -sp.log(p), -sp.log(likelihood),
                         "iid examples, each with likelihood $\\prod_k y_k(x_n)^{t_{nk}}$", ctx,
                         cite="Bishop (5.22)")
    d.then("log of a product over n is the sum of the logs", lr.log_of_product())
    d.then("log of a product over k, inside the sum", lr.log_of_product())
    d.then("$\\log y^t = t \\log y$ for $y > 0$", lr.log_of_power(), "Bishop (5.24)")
    d.claim(cross_entropy() if target is None else target)
    return lr.verify_every_size(d, (N, K))


def one_hot_selects(max_K: int = 5, seed: int = 11) -> tuple[bool, str]:
    """With t = e_c: prod_k y_k^{t_k} = y_c and sum_k t_k = 1, exactly, for every K <= max_K and c."""
    rng = random.Random(seed)
    cases = 0
    for size in range(2, max_K + 1):
        ys = [random_rational(rng, positive=True) for _ in range(size)]
        for c in range(size):
            ts = [int(position == c) for position in range(size)]
            factor = sp.Mul(*(yk**tk for yk, tk in zip(ys, ts)))
            if factor != ys[c] or sum(ts) != 1:
                return False, f"K={size}, class {c + 1}: prod_k y_k^t_k = {factor}, not y_c = {ys[c]}"
            cases += 1
    return True, f"{cases} one-hot targets (K = 2..{max_K}): prod_k y_k^t_k = y_c and sum_k t_k = 1"


@exercise("g")
def exercise_g(config: Config) -> Exercise:
    checks: list[Check] = [timed("exact-rational", one_hot_selects, 5)]
    return Exercise(
        "g", "One-hot categorical likelihood gives the cross-entropy",
        "Exercise g): the same two moves as in e), log then times -1, applied to the likelihood "
        "$\\prod_n \\prod_k y_k(x_n)^{t_{nk}}$ of one-hot targets give the cross-entropy "
        "$-\\sum_n \\sum_k t_{nk} \\log y_k(x_n)$ (Bishop eq. 5.24).",
        ["One-hot targets: $t_{nk} \\in \\{0, 1\\}$ and $\\sum_k t_{nk} = 1$, so each example's "
         "factor $\\prod_k y_k^{t_{nk}}$ is the probability of its class.",
         "$y_{nk} = y_k(x_n)$ are the softmax outputs, hence positive: the logs exist.",
         "N and K stay symbolic: the product and the sums are never expanded."],
        [categorical_nll()], checks)
