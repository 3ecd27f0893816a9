"""The loss registry: each loss's per-example E (SymPy), its output activation, targets, and the reductions.

One table that the backprop routes (derive.backprop), the exercises and the code emitter all read:

    name                 E_n (one example)                              output    targets
    sum-of-squares       sum_k (y_k - t_k)^2 (the exercise's, no 1/2)   identity  real
    half-sum-of-squares  1/2 sum_k (y_k - t_k)^2 (Bishop eq. 5.11)      identity  real
    gaussian-nll         1/2 sum_k (y_k - t_k)^2 + K/2 log 2 pi         identity  real
    cross-entropy        -sum_k t_k log y_k (Bishop eq. 5.24)           softmax   sum_k t_k = 1
    binary-cross-entropy -sum_k [t_k log y_k + (1-t_k) log(1-y_k)]      sigmoid   t_k in [0, 1]

E = sum_n E_n (reduction "sum", the exercise's E(w)) or E = (1/N) sum_n E_n (reduction "mean":
the mean over the N examples of the batch, not over the N K elements as torch's MSELoss and
gaussian_nll_loss 'mean' do; torch's cross_entropy 'mean' with class-probability targets does
divide by N). `Loss.scale` is the claim c in delta_nk = dE/da_nk^(L) = c (y_nk - t_nk) (times
1/N for the mean) that derive.exercises.output_deltas derives and verifies for every loss and
reduction; nothing else may take it on trust.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from derive.core import notation as nt
from derive.core.errors import DeriveError

Term = Callable[[sp.Expr, sp.Expr], sp.Expr]  # (y_k, t_k) -> the loss of one output unit
REDUCTIONS = ("sum", "mean")
REDUCTION_TEXT = {"sum": "E = sum_n E_n, the sum over the N examples (the exercise's E(w))",
                  "mean": "E = (1/N) sum_n E_n, the mean over the N examples (not over the N K elements)"}


@dataclass(frozen=True)
class Loss:
    """A loss: E_n = sum_k term(y_k, t_k) for one example (a constant, as the Gaussian's, in the term).

    output: the output activation y = h_L(a^(L)) the loss is paired with ("identity",
    "softmax", or a registered activation name). canonical: the pair is a canonical link
    (Bishop sec. 5.2: softmax with cross-entropy, sigmoid with binary cross-entropy), the
    output is fixed and h_L' cancels from delta; otherwise any h_L may be used and delta has
    the factor h_L'(a). scale: the claimed c of delta = c (y - t) h_L'(a).
    """

    name: str
    output: str
    term: Term
    latex: str
    description: str
    targets: str
    scale: int = 1
    canonical: bool = False
    simplex: bool = False  # the targets must satisfy sum_k t_k = 1

    def example(self, y: Callable[[sp.Expr], sp.Expr], t: Callable[[sp.Expr], sp.Expr],
                k: sp.Symbol = nt.k, K: sp.Expr = nt.K) -> sp.Expr:
        """E_n in y(k), t(k) (each a function of the output index, e.g. an IndexedBase), K outputs."""
        return sp.Sum(self.term(y(k), t(k)), (k, 1, K))

    def total(self, y: Callable[..., sp.Expr], t: Callable[..., sp.Expr], reduction: str,
              n: sp.Symbol, N: sp.Expr = nt.N, k: sp.Symbol = nt.k, K: sp.Expr = nt.K) -> sp.Expr:
        """E = r sum_{n=1}^N E_n, y(n, k) and t(n, k) of example n; r = 1 (sum) or 1/N (mean)."""
        E_n = self.example(lambda u: y(n, u), lambda u: t(n, u), k, K)
        return reduction_factor(reduction, N) * sp.Sum(E_n, (n, 1, N))

    def delta(self, y: sp.Expr, t: sp.Expr, reduction: str, N: sp.Expr = nt.N) -> sp.Expr:
        """The claim dE/da_nk^(L) = r c (y_nk - t_nk) for the loss's own output (times h_L' otherwise)."""
        residual = sp.Mul(self.scale, y - t, evaluate=False) if self.scale != 1 else y - t
        return reduction_factor(reduction, N) * residual


def reduction_factor(reduction: str, N: sp.Expr = nt.N) -> sp.Expr:
    """r in E = r sum_n E_n: 1 for "sum", 1/N for "mean"; DeriveError for anything else."""
    check_reduction(reduction)
    return sp.Integer(1) if reduction == "sum" else 1 / N


def check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise DeriveError(f"unknown reduction {reduction!r}; choose from: {', '.join(REDUCTIONS)}")
    return reduction


def squares(y: sp.Expr, t: sp.Expr) -> sp.Expr:
    return (y - t) ** 2


def half_squares(y: sp.Expr, t: sp.Expr) -> sp.Expr:
    return (y - t) ** 2 / 2


def gaussian(y: sp.Expr, t: sp.Expr) -> sp.Expr:
    """-log N(t | y, 1) = (y - t)^2 / 2 + log(2 pi) / 2 for one output unit."""
    return (y - t) ** 2 / 2 + sp.log(2 * sp.pi) / 2


LOSSES: dict[str, Loss] = {loss.name: loss for loss in (
    Loss("sum-of-squares", "identity", squares,
         r"E_n = \sum_{k=1}^{K} (y_{nk} - t_{nk})^2",
         "the exercise's sum of squares: Bishop eq. (5.11) without its 1/2",
         "real targets", scale=2),
    Loss("half-sum-of-squares", "identity", half_squares,
         r"E_n = \frac{1}{2} \sum_{k=1}^{K} (y_{nk} - t_{nk})^2",
         "Bishop's sum-of-squares error, eq. (5.11); output delta eq. (5.18)",
         "real targets"),
    Loss("gaussian-nll", "identity", gaussian,
         r"E_n = \frac{1}{2} \sum_{k=1}^{K} (y_{nk} - t_{nk})^2 + \frac{K}{2} \log 2\pi",
         "the Gaussian negative log-likelihood, Bishop eqs. (5.12)-(5.13), (5.16), at sigma^2 = 1 (beta = 1)",
         "real targets"),
    Loss("cross-entropy", "softmax", lambda y, t: -t * sp.log(y),
         r"E_n = -\sum_{k=1}^{K} t_{nk} \log y_{nk}",
         "multiclass cross-entropy, Bishop eq. (5.24), softmax outputs eq. (5.25); output delta eq. (5.18)",
         "sum_k t_nk = 1 (one-hot rows, or any distribution over the K classes)",
         canonical=True, simplex=True),
    Loss("binary-cross-entropy", "sigmoid", lambda y, t: -(t * sp.log(y) + (1 - t) * sp.log(1 - y)),
         r"E_n = -\sum_{k=1}^{K} \left[t_{nk} \log y_{nk} + (1 - t_{nk}) \log(1 - y_{nk})\right]",
         "K independent binary cross-entropies, Bishop eqs. (5.21), (5.23), sigmoid outputs eq. (5.19); "
         "output delta eq. (5.18)",
         "t_nk in {0, 1} (or in [0, 1]), each output its own Bernoulli variable", canonical=True),
)}


def names() -> list[str]:
    return list(LOSSES)


def get(name: str) -> Loss:
    """The registered loss `name`; DeriveError listing the choices otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise DeriveError(f"unknown loss {name!r}; choose from: {', '.join(LOSSES)}") from None
