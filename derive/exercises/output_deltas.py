"""Exercise "losses": the output delta of every registered loss and reduction, derived and verified.

For each loss of derive.core.losses and each reduction (sum, mean) the engine derives
delta_nj^(L) = dE/da_nj^(L) = r c (y_nj - t_nj) from E = r sum_n E_n, as exercises i and k do
for one example: named rules, every link checked by the symbolic and the random-point routes
(mpmath at 50 digits where exp and log leave the rationals, float64 on the claim). Then the
backprop check of a whole network (the written-out loss differentiated against the recursion)
for each, and the negative log-likelihoods behind gaussian-nll, cross-entropy and
binary-cross-entropy (Bishop eqs. 5.16, 5.22, 5.20).
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from derive.backprop import fullsize
from derive.backprop.checks import exact_net, network_check
from derive.backprop.net import Net
from derive.core import activations, losses
from derive.core import notation as nt
from derive.core.checks import Check, Context
from derive.core.derivation import Derivation
from derive.core.fields import EXACT, MPMATH
from derive.core.verify import check_identity
from derive.exercises.base import Config, Exercise, exercise
from derive.exercises.output_layer import K, a, j, k, k2, t, y
from derive.rules import deltas as rules
from derive.rules import losses as loss_rules

n, N = nt.n, nt.N  # the example whose delta is asked, and the number of examples
n2 = sp.Symbol("n'", integer=True, positive=True)  # the example index the sum over the data runs over
SIZES = {K: (2, 3), N: (3, 2)}  # N >= 2 everywhere: a missing 1/N cannot hide
Output = Callable[[sp.Expr, sp.Expr], sp.Expr]  # (n, k) -> y_nk in the logits
TARGETS = {"identity": "real $t_{nk}$", "softmax": r"$\sum_k t_{nk} = 1$ for every $n$ (one-hot, or any distribution)",
           "sigmoid": r"$t_{nk} \in [0, 1]$, each output its own Bernoulli variable"}
OUTPUT_RULE = {"identity": r"identity output $y_{nk} = a_{nk}^{(L)}$",
               "softmax": r"softmax output $y_{nk} = e^{a_{nk}} / \sum_{k'} e^{a_{nk'}}$ (Bishop eq. 5.25)",
               "sigmoid": r"sigmoid output $y_{nk} = 1 / (1 + e^{-a_{nk}})$ (Bishop eq. 5.19)"}


def step_output(output: str) -> Output:
    """The output y_nk the first step substitutes (the rule's side)."""
    if output == "softmax":
        return lambda u, v: sp.exp(a[u, v]) / sp.Sum(sp.exp(a[u, k2]), (k2, 1, K))
    if output == "sigmoid":
        return lambda u, v: 1 / (1 + sp.exp(-a[u, v]))
    return lambda u, v: a[u, v]


def output_for_checks(output: str) -> Output:
    """The verifier's y_nk, built apart from `step_output`: the activation registry's h applied to the
    logit, or the softmax as exp(a_nk - log sum_k' exp(a_nk'))."""
    if output == "softmax":
        return lambda u, v: sp.exp(a[u, v] - sp.log(sp.Sum(sp.exp(a[u, k2]), (k2, 1, K))))
    act = activations.get(output)
    return lambda u, v: act(a[u, v])


def rows_sum_to_one(expr: sp.Expr, sizes: dict[sp.Symbol, int]) -> sp.Expr:
    """sum_k t_nk = 1 for the symbolic route, built apart from the rule `targets_sum_to_one`: at
    concrete K and N, t_nK = 1 - t_n1 - ... - t_n,K-1 for every n (at symbolic sizes nothing)."""
    size, rows = sizes.get(K), sizes.get(N)
    if size is None or rows is None:
        return expr
    return expr.xreplace({t[m, size]: 1 - sp.Add(*(t[m, q] for q in range(1, size))) for m in range(1, rows + 1)})


def context(loss: losses.Loss) -> Context:
    """The verifier's outputs; with simplex targets, both routes use sum_k t_nk = 1 where a step needs it."""
    simplex = loss.simplex
    return Context(definitions={y: output_for_checks(loss.output)}, sizes=dict(SIZES), indices={j: K, n: N},
                   constraints=(loss_rules.rows_sum_to_one_hook(t, K, N),) if simplex else (),
                   relations=(rows_sum_to_one,) if simplex else ())


def prepare(loss: losses.Loss) -> list[tuple[str, Callable[[sp.Expr], sp.Expr]]]:
    """The named rules that bring E into a form to differentiate, for the loss's output."""
    if loss.output == "softmax":
        return [(r"log of a quotient: $\log(e^{a_{nk}}/S_n) = a_{nk} - \log S_n$", rules.log_of_quotient),
                (r"split the sums; $\log S_n$ does not depend on $k$", loss_rules.split_sums),
                (r"targets: $\sum_k t_{nk} = 1$ for every example", loss_rules.targets_sum_to_one(t, K))]
    if loss.output == "sigmoid":
        return [(r"$\log \sigma(a) = -\log(1 + e^{-a})$, $\log(1 - \sigma(a)) = -a - \log(1 + e^{-a})$",
                 loss_rules.log_sigmoid),
                ("multiply out", loss_rules.multiply_out),
                ("split the sums", loss_rules.split_sums)]
    return []


def output_back(loss: losses.Loss) -> tuple[str, Callable[[sp.Expr], sp.Expr]]:
    """The last rule: the logits expressed by the output again."""
    if loss.output == "softmax":
        return r"softmax: $e^{a_{nj}} / \sum_{k'} e^{a_{nk'}} = y_{nj}$", loss_rules.softmax_as_output(a, y, K)
    if loss.output == "sigmoid":
        return r"$e^{-a_{nj}} / (1 + e^{-a_{nj}}) = 1 - \sigma(a_{nj}) = 1 - y_{nj}$", loss_rules.sigmoid_complement(a, y)
    return r"the output again: $a_{nj}^{(L)} = y_{nj}$", rules.write_as(a[n, j], y[n, j])


def delta_chain(name: str, reduction: str) -> Derivation:
    """The steps of `output_delta`, without a claim, not yet verified."""
    loss = losses.get(name)
    E = loss.total(lambda u, v: y[u, v], lambda u, v: t[u, v], reduction, n2)
    r = "" if reduction == "sum" else r"\frac{1}{N} "
    d = Derivation.start(rf"$\delta_{{nj}}^{{(L)}}$: {name}, {reduction} over the examples",
                         sp.Derivative(E, a[n, j]), sp.Derivative(rules.replace_indexed(y, step_output(loss.output))(E),
                                                                  a[n, j]),
                         OUTPUT_RULE[loss.output], context(loss),
                         note=(f"{loss.description[0].upper()}{loss.description[1:]}: $E = {r}\\sum_{{n'=1}}^{{N}} E_{{n'}}$ with ${loss.latex}$; "
                               f"targets: {TARGETS[loss.output]}."))
    for rule, fn in prepare(loss):
        d.then(rule, fn)
    d.then(r"differentiate term by term ($\partial a_{n'k} / \partial a_{nj} = \delta_{n'n} \delta_{kj}$)",
           rules.differentiate)
    d.then(r"Kronecker sums ($1 \le n \le N$, $1 \le j \le K$)", rules.kronecker_sums)
    return d.then(*output_back(loss))


def output_delta(name: str, reduction: str, target: sp.Expr | None = None) -> Derivation:
    """delta_nj^(L) = dE/da_nj^(L) for the loss and reduction, claimed r c (y_nj - t_nj) by the registry
    (or `target`, e.g. a wrong claim); verified."""
    claim = losses.get(name).delta(y[n, j], t[n, j], reduction) if target is None else target
    return delta_chain(name, reduction).claim(claim).verify()


def normal(target: sp.Expr, mean: sp.Expr) -> sp.Expr:
    """N(t | y, 1) written out (Bishop eq. 1.46 at sigma^2 = 1)."""
    return sp.exp(-(target - mean) ** 2 / 2) / sp.sqrt(2 * sp.pi)


LIKELIHOOD: dict[str, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {  # p(t_k | y_k) per output unit
    "gaussian-nll": normal,  # Bishop eq. 5.16 at beta = 1
    "cross-entropy": lambda tk, yk: yk ** tk,  # Bishop eq. 5.22: prod_k y_k^{t_k}
    "binary-cross-entropy": lambda tk, yk: yk ** tk * (1 - yk) ** (1 - tk),  # Bishop eq. 5.20
}


def likelihood_checks(name: str) -> list[Check]:
    """The registry's E_n is -sum_k log p(t_k | y_k): a claim of its own, since the delta cannot see a
    wrong constant (log e^u = u and log y^t = t log y need y > 0 and t, u real: force=True says so)."""
    p = LIKELIHOOD[name]
    nll = -sp.Sum(sp.expand_log(sp.log(p(t[k], y[k])), force=True), (k, 1, K))
    ctx = Context(sizes={K: SIZES[K]}, positive=frozenset({"y"}))
    return check_identity(nll, losses.get(name).example(y.__getitem__, t.__getitem__), ctx,
                          what=f"the {name} loss is the negative log-likelihood, E_n = -sum_k log p(t_k | y_k)",
                          real=True)


def network(name: str, reduction: str) -> Check:
    """The backprop check on a small net (widths 2,3,2, N = 2): the written-out loss differentiated
    (SymEngine) against the recursion with the registry's delta; exact where the values stay rational."""
    loss = losses.get(name)
    net = exact_net((2, 3, 2), name, "identity" if loss.canonical else "h", N=2, reduction=reduction)
    return network_check(net, EXACT if loss.output == "identity" else MPMATH)


def architecture(config: Config, name: str, reduction: str) -> list[Check]:
    """With a configured loss, the full-size check of config's architecture (every weight, mod p with random
    cubics and in float64 with its activations); none for softmax over one output (E is constant)."""
    if config.loss is None or (losses.get(name).output == "softmax" and config.widths[-1] < 2):
        return []
    return fullsize.checks(Net(config.widths, config.activations, name, "identity", 2, reduction))


def chosen(config: Config) -> list[tuple[str, str]]:
    """The (loss, reduction) pairs config asks for: every one by default."""
    names = [losses.get(config.loss).name] if config.loss is not None else losses.names()
    reductions = [losses.check_reduction(config.reduction)] if config.reduction is not None else list(losses.REDUCTIONS)
    return [(name, reduction) for name in names for reduction in reductions]


CONVENTIONS = [
    ("Reduction sum: $E = \\sum_n E_n$, the exercise's $E(w)$. Reduction mean: $E = \\frac{1}{N} \\sum_n E_n$, "
     "the mean over the $N$ examples (not over the $N K$ elements, as torch's MSELoss 'mean' averages), so "
     "every delta gets the factor $1/N$."),
    ("Cross-entropy needs $\\sum_k t_{nk} = 1$ for every example; binary cross-entropy treats the $K$ outputs "
     "as independent Bernoulli variables, $t_{nk} \\in [0, 1]$."),
    ("The sum of squares without the 1/2 keeps the factor 2; the half sum of squares and the Gaussian negative "
     "log-likelihood (its constant has derivative 0) give $y - t$, as do the two cross-entropies with their "
     "canonical outputs, where $h_L'$ cancels."),
]


@exercise("losses")
def exercise_losses(config: Config) -> Exercise:
    pairs = chosen(config)
    derivations = [output_delta(name, reduction) for name, reduction in pairs]
    checks = [network(name, reduction) for name, reduction in pairs]
    checks += [c for name, reduction in pairs for c in architecture(config, name, reduction)]
    checks += [c for name in dict.fromkeys(name for name, _ in pairs) if name in LIKELIHOOD
               for c in likelihood_checks(name)]
    return Exercise("losses", "Every loss and reduction: the output delta",
                    "For each loss of the registry (the exercise's sum of squares, Bishop's half sum of "
                    "squares eq. 5.11, the Gaussian negative log-likelihood eq. 5.16 at $\\sigma^2 = 1$, the "
                    "cross-entropy eq. 5.24 with softmax outputs, the binary cross-entropy eq. 5.23 with sigmoid "
                    "outputs) and each reduction, find $\\delta_{nj}^{(L)} = \\partial E / \\partial a_{nj}^{(L)}$ "
                    "(Bishop eq. 5.18).",
                    CONVENTIONS,
                    derivations, checks)
