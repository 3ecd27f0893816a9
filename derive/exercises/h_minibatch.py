"""Exercise h: the gradient on a random minibatch is, on average, proportional to the true one.

A minibatch S is drawn uniformly from the C(N, B) subsets of size B of the N examples
(without replacement). With E a sum over the data, E = sum_n E_n, its gradient is
sum_n g_n with g_n = grad E_n, and

    E_S[sum_{n in S} g_n] = C(N-1, B-1) / C(N, B) sum_n g_n = (B/N) grad E,

because example n lies in exactly C(N-1, B-1) of the subsets (choose the other B-1 from
the other N-1). With means on both sides, (1/B) sum_{n in S} g_n against (1/N) sum_n g_n,
the factor is 1. The counting lemma is proved for symbolic N and B by double counting,
checked by enumerating all subsets for small N, and the result is checked statistically
on a real network's gradients (SymPy-differentiated, see toy_network).
"""
from __future__ import annotations

import itertools
import random

import numpy as np
import sympy as sp

from derive.core import notation as nt
from derive.core.checks import Check, Context, Outcome, timed, wrong_claim
from derive.core.derivation import Derivation
from derive.core.points import random_rational
from derive.exercises.base import Config, Exercise, exercise
from derive.exercises.toy_network import ToyNetwork
from derive.rules import likelihood as lr

N, B, n = nt.N, nt.B, nt.n
g = sp.IndexedBase("g", real=True)  # g_n = grad E_n(w), any one component
CONVENTIONS = ("sum", "mean")
COUNT = sp.binomial(N - 1, B - 1)  # the claimed number of B-subsets that hold a given example


class SubsetMean(sp.Expr):
    """E_S[sum_{n in S} f_n], S uniform over the B-subsets of {1..N}; doit() enumerates them."""

    def __new__(cls, body: sp.Expr, index: sp.Symbol, size: sp.Expr, batch: sp.Expr) -> SubsetMean:
        return sp.Expr.__new__(cls, *(sp.sympify(a) for a in (body, index, size, batch)))

    @property
    def body(self) -> sp.Expr:
        return self.args[0]

    @property
    def index(self) -> sp.Symbol:
        return self.args[1]

    @property
    def size(self) -> sp.Expr:
        return self.args[2]

    @property
    def batch(self) -> sp.Expr:
        return self.args[3]

    @property
    def free_symbols(self) -> set[sp.Basic]:
        return (self.body.free_symbols - {self.index}) | self.size.free_symbols | self.batch.free_symbols

    def doit(self, **hints: object) -> sp.Expr:
        if not (self.size.is_Integer and self.batch.is_Integer):
            return self
        subsets = list(itertools.combinations(range(1, int(self.size) + 1), int(self.batch)))
        total = sp.Add(*(self.body.subs(self.index, m) for S in subsets for m in S))
        return (total / len(subsets)).doit(**hints)

    def _latex(self, printer: object) -> str:
        body = printer._print(self.body)  # type: ignore[attr-defined]
        return f"\\mathbb{{E}}_{{S}}\\left[\\sum_{{{printer._print(self.index)} \\in S}} {body}\\right]"  # type: ignore[attr-defined]

    def _sympystr(self, printer: object) -> str:
        return f"E_S[sum_(n in S) {printer._print(self.body)}]"  # type: ignore[attr-defined]


def full_gradient(convention: str) -> lr.Named:
    """grad E = sum_n g_n for the sum; grad (E/N) = (1/N) sum_n g_n for the mean: the name
    and its definition, built apart from the sum the chain reaches (`reached`)."""
    gradients = lr.KeptSum(g[n], (n, 1, N))  # E = sum_n E_n, differentiated term by term
    if convention == "sum":
        return lr.Named("grad E(w)", "\\nabla E(w)", gradients)
    return lr.Named("grad E(w)/N", "\\nabla \\frac{E(w)}{N}", gradients / N)


def reached(convention: str) -> sp.Expr:
    """What the chain reaches for the full gradient, and the rule renames: sum_n g_n (sum),
    sum_n g_n / N with the 1/N the subset count leaves in front (mean)."""
    total = lr.KeptSum(g[n], (n, 1, N))
    return total if convention == "sum" else total / N


def rename(found: sp.Expr, named: lr.Named) -> lr.Rewrite:
    """Replace the expression the chain reached by a name whose definition was built apart."""
    return lambda expr: expr.xreplace({found: named})


def count_subsets(expr: sp.Expr) -> sp.Expr:
    """Exchange the sums: E_S[sum_{n in S} f_n] = (1/C(N,B)) sum_n C(N-1,B-1) f_n."""
    def exchange(e: SubsetMean) -> sp.Expr:
        size, batch = e.size, e.batch
        inside = sp.binomial(size - 1, batch - 1) * e.body
        return lr.KeptSum(inside, (e.index, 1, size)) / sp.binomial(size, batch)
    return expr.replace(lambda e: isinstance(e, SubsetMean), exchange)


def expected_gradient(convention: str, factor: sp.Expr | None = None) -> Derivation:
    """h): E_S of the minibatch gradient; claim factor * (full gradient of the same convention).

    factor defaults to B/N for the sum and 1 for the mean; other values are wrong claims.
    """
    d = gradient_chain(convention)
    default = B / N if convention == "sum" else sp.Integer(1)
    d.claim((default if factor is None else factor) * full_gradient(convention))
    return lr.verify_every_size(d, (N, B), skip=1)


def gradient_chain(convention: str) -> Derivation:
    """The steps of `expected_gradient`, without a claim, not yet verified."""
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; choose from: {', '.join(CONVENTIONS)}")
    body = g[n] if convention == "sum" else g[n] / B
    full = full_gradient(convention)
    ctx = Context(sizes={N: (4, 5), B: (2, 3)}, seeds=(1, 2))
    lhs = SubsetMean(body, n, N, B)
    d = Derivation.start(f"expected minibatch gradient, {convention} convention", lhs, count_subsets(lhs),
                         f"exchange the sums: example n lies in ${sp.latex(COUNT)}$ of the "
                         "$\\binom{N}{B}$ subsets", ctx)
    d.then("linearity of the sum", lr.sum_linearity())
    ratio = slash(sp.gammasimp(COUNT / sp.binomial(N, B)))
    d.then(f"$\\binom{{N-1}}{{B-1}} / \\binom{{N}}{{B}} = {ratio}$", lr.factor_ratio())
    return d.then("definition of the full gradient", rename(reached(convention), full))


# --- the counting lemma ------------------------------------------------------------------------
def double_counting(count: sp.Expr = COUNT) -> Outcome:
    """Symbolic N, B: sum_n c_n = sum_S |S| = B C(N,B); c_n is the same for every n (relabel
    the examples), so c_n = B C(N,B)/N, which must be `count`."""
    c = B * sp.binomial(N, B) / N
    gap = sp.gammasimp(c - count)
    return bool(gap == 0), f"B C(N,B)/N - ({count}) = {gap} for symbolic N, B (double counting)"


def enumerate_counts(count: sp.Expr = COUNT, max_N: int = 7) -> Outcome:
    """Every N <= max_N, B <= N, n: #{S : n in S} = count, by listing the subsets."""
    cases = 0
    for size in range(1, max_N + 1):
        for batch in range(1, size + 1):
            subsets = list(itertools.combinations(range(1, size + 1), batch))
            for m in range(1, size + 1):
                if sum(m in S for S in subsets) != count.subs({N: size, B: batch}):
                    return False, f"N={size}, B={batch}, n={m}: count differs from {count}"
                cases += 1
    return True, f"{cases} cases (N <= {max_N}, all B, all n): n lies in {count} subsets"


def enumerate_claim(factor: sp.Expr, convention: str, max_N: int = 6, seed: int = 4) -> Outcome:
    """Exact rational g_n, all subsets listed: mean minibatch gradient = factor * full, N <= max_N."""
    rng = random.Random(seed)
    for size in range(1, max_N + 1):
        gs = [random_rational(rng) for _ in range(size)]
        full = sum(gs) if convention == "sum" else sp.Rational(sum(gs), size)
        for batch in range(1, size + 1):
            subsets = list(itertools.combinations(gs, batch))
            per = [sum(S) if convention == "sum" else sp.Rational(sum(S), batch) for S in subsets]
            mean = sp.Rational(sum(per), len(per))
            if mean != sp.sympify(factor).subs({N: size, B: batch}) * full:
                return False, f"N={size}, B={batch}: mean over subsets {mean} != {factor} * {full}"
    return True, f"all subsets of every N <= {max_N}, every B, exact: mean = ({factor}) x full ({convention})"


# --- a real network ----------------------------------------------------------------------------
SIZE, BATCH, DRAWS, SEED = 20, 5, 4000, 2024  # the statistical check: N, B, minibatches, seed


def minibatch_gradients(convention: str, size: int = SIZE, batch: int = BATCH, draws: int = DRAWS,
                        seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(pick, full) of a tanh network (17 weights): row d of pick is the gradient of minibatch d
    (`draws` uniform B-subsets, without replacement), full the full-batch gradient (same convention)."""
    net = ToyNetwork((2, 3, 2))
    rng = np.random.default_rng(seed)
    X, T = rng.normal(size=(size, 2)), rng.normal(size=(size, 2))
    G = net.gradients(net.random_weights(rng), X, T)  # row n: grad E_n
    subsets = rng.random((draws, size)).argsort(axis=1)[:, :batch]  # uniform B-subsets
    pick = G[subsets].sum(axis=1) if convention == "sum" else G[subsets].mean(axis=1)
    full = G.sum(axis=0) if convention == "sum" else G.mean(axis=0)
    return pick, full


def standard_errors(pick: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """|mean of the minibatch gradients - expected| in standard errors of that mean, per weight."""
    se = pick.std(axis=0, ddof=1) / np.sqrt(len(pick))
    return np.asarray(np.abs(pick.mean(axis=0) - expected) / se)


def sampled_gradients(factor: sp.Expr, convention: str, size: int = SIZE, batch: int = BATCH,
                      draws: int = DRAWS, seed: int = SEED) -> tuple[bool, str]:
    """A tanh network's per-example gradients (17 weights); `draws` minibatches drawn without
    replacement; their mean must lie within 5 standard errors of factor * full, in every weight."""
    pick, full = minibatch_gradients(convention, size, batch, draws, seed)
    expected = float(sp.sympify(factor).subs({N: size, B: batch})) * full
    z = standard_errors(pick, expected)
    return bool(np.all(z <= 5)), (f"N={size}, B={batch}, {draws} minibatches ({convention}): "
                                  f"largest |mean - ({factor}) full| = {z.max():.2f} standard errors "
                                  f"over {len(full)} weights (band: 5)")


def factor_of(d: Derivation) -> sp.Expr:
    """The factor the derivation reached: its result divided by the full gradient."""
    named = next(iter(d.result.atoms(lr.Named)))
    return sp.simplify(d.result / named)


def convention_checks(d: Derivation, convention: str) -> list[Check]:
    """The factor the derivation reached, checked exactly and statistically. Controls: the
    exact check on the factor perturbed by about 1/97; the statistical one, whose 5-standard-
    error band cannot resolve 1/97, on the factor times (B+1)/B (B/N becomes (B+1)/N)."""
    factor = factor_of(d)
    wrong, coarse = wrong_claim(factor), factor * (B + 1) / B
    return [timed("exact-rational", lambda: enumerate_claim(factor, convention), 10,
                  control=lambda: enumerate_claim(wrong, convention)),
            timed("float64", lambda: sampled_gradients(factor, convention), 10,
                  control=lambda: sampled_gradients(coarse, convention))]


@exercise("h")
def exercise_h(config: Config) -> Exercise:
    total, mean = expected_gradient("sum"), expected_gradient("mean")
    wrong_count = wrong_claim(COUNT)
    checks = [timed("symbolic", double_counting, 5, control=lambda: double_counting(wrong_count)),
              timed("exact-rational", enumerate_counts, 5, control=lambda: enumerate_counts(wrong_count)),
              *convention_checks(total, "sum"), *convention_checks(mean, "mean")]
    by_sum, by_mean = slash(factor_of(total)), slash(factor_of(mean))
    return Exercise(
        "h", f"Minibatch gradients are unbiased up to the factor ${by_sum}$",
        "Exercise h): draw a minibatch S of B of the N examples uniformly without replacement. "
        f"Each example lies in ${sp.latex(COUNT)}$ of the $\\binom{{N}}{{B}}$ subsets, so the "
        f"expected minibatch gradient is ${by_sum}$ times the full gradient when E sums over the "
        "data, and equal to it when both losses are means.",
        ["E is a sum over the data, $E = \\sum_n E_n$, as in the exercise; $g_n = \\nabla E_n(w)$.",
         f"Sum convention: minibatch loss $\\sum_{{n \\in S}} E_n$, expectation $({by_sum}) \\nabla E$.",
         "Mean convention: minibatch loss $\\frac{1}{B} \\sum_{n \\in S} E_n$ against "
         f"$\\frac{{1}}{{N}} E$: factor ${by_mean}$, the minibatch gradient is unbiased.",
         "N and B stay symbolic in the derivation; the counting lemma is proved by double counting."],
        [total, mean], checks)


def slash(ratio: sp.Expr) -> str:
    """A ratio the engine computed, in LaTeX as numerator/denominator (B/N), or whole (1)."""
    numerator, denominator = sp.fraction(ratio)
    return sp.latex(ratio) if denominator == 1 else f"{sp.latex(numerator)}/{sp.latex(denominator)}"
