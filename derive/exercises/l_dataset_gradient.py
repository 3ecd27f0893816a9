"""Exercise l: a data set of N examples, the gradient summed over n.

dE/dw_ji^(l) = sum_n delta_nj^(l) z_ni^(l-1) (Bishop eq. 5.44), derived with symbolic N
and checked on networks with N = 1 to 4.
"""
from __future__ import annotations

import random

import sympy as sp

from derive.backprop.checks import exact_net, network_check, real_net
from derive.core import notation as nt
from derive.core.checks import Context
from derive.core.derivation import Derivation
from derive.core.fields import EXACT, MPMATH
from derive.core.worlds import World, verify_in_worlds
from derive.exercises.base import Config, Exercise, exercise
from derive.exercises.j_hidden_delta import E_n, M_l, M_prev, a, delta, m, unit, w, z_prev
from derive.rules import deltas as rules

i, i2, j, n, N = nt.i, nt.i2, nt.j, nt.n, nt.N  # layer-l symbols as in j); n the example


def derivation_examples(target: sp.Expr | None = None) -> Derivation:
    """dE/dw_ji^(l) = sum_n delta_nj^(l) z_ni^(l-1) for E = sum_n E_n (exercise l)."""
    total = sp.Sum(E_n[n], (n, 1, N))
    d = Derivation.start(r"exercise l): $\partial E / \partial w_{ji}^{(l)}$ for $N$ examples",
                         sp.Derivative(total, w[j, i]), sp.Sum(sp.Derivative(E_n[n], w[j, i]), (n, 1, N)),
                         r"$E = \sum_n E_n$: differentiate the finite sum term by term", Context(), cite="exercise l)")
    d.then(r"chain rule per example: $E_n$ depends on $w^{(l)}$ only through $a_{nm}^{(l)}$",
           per_example(lambda e: sp.Sum(sp.Derivative(e.expr, a[n, m]) * sp.Derivative(a[n, m], w[j, i]), (m, 1, M_l))))
    d.then(r"definition $\delta_{nm}^{(l)} = \partial E_n / \partial a_{nm}^{(l)}$",
           lambda e: e.replace(lambda u: isinstance(u, sp.Derivative) and u.expr == E_n[n],
                               lambda u: delta[u.variables[0].indices]))
    d.then(r"eq. (6) for example $n$: $a_{nm}^{(l)} = \sum_{i'} w_{mi'}^{(l)} z_{ni'}^{(l-1)}$",
           rules.replace_indexed(a, lambda nn, mm: sp.Sum(w[mm, i2] * z_prev[nn, i2], (i2, 0, M_prev))))
    d.then(r"differentiate: $\partial w_{mi'}^{(l)} / \partial w_{ji}^{(l)} = \delta_{mj} \delta_{i'i}$",
           rules.differentiate)
    d.then(r"Kronecker sums over $i'$ and $m$", rules.kronecker_sums)
    d.claim(sp.Sum(delta[n, j] * z_prev[n, i], (n, 1, N)) if target is None else target)
    return verify_in_worlds(d, [world_examples(size, seed) for seed, size in enumerate((1, 2, 3, 4))])


def per_example(chain: rules.Rewrite) -> rules.Rewrite:
    return lambda expr: expr.replace(lambda e: isinstance(e, sp.Derivative) and e.expr == E_n[n], chain)


def world_examples(size: int, seed: int) -> World:
    """N examples, E_n = E_n(a_n1^(l), ..., a_nM^(l)), each its own function. The z_ni^(l-1) stay
    free, the bias unit's too: the identity holds whatever they are."""
    rng = random.Random(seed)
    Mp, Ml = rng.randint(1, 3), rng.randint(1, 3)
    defs = {a: lambda nn, mm: sum(w[mm, ii] * z_prev[nn, ii] for ii in range(Mp + 1))}
    outer = {E_n[nn]: (f"E{nn}", tuple(a[nn, mm] for mm in range(1, Ml + 1))) for nn in range(1, size + 1)}
    return World({N: size, M_prev: Mp, M_l: Ml, j: rng.randint(1, Ml), i: rng.randint(0, Mp)}, defs, outer,
                 {delta: lambda nn, mm: (E_n[nn], unit(mm, Ml))})


@exercise("l")
def exercise_l(config: Config) -> Exercise:
    checks = []
    for count in range(1, 5):
        checks.append(network_check(exact_net((2, 3, 2), output="identity", N=count), EXACT, seed=count))
        checks.append(network_check(real_net((3, 3, 2, 2), 0, N=count), MPMATH, seed=count))
    return Exercise("l", "N examples: sum the per-example terms",
                    "Exercise l): with a data set of N examples and E the sum of the per-example "
                    "losses, $\\partial E / \\partial w_{ji}^{(l)} = \\sum_n \\delta_{nj}^{(l)} z_{ni}^{(l-1)}$, "
                    "with each $\\delta_{nj}^{(l)}$ from the recursion run on example n "
                    "(Bishop eq. 5.44).",
                    ["E is the sum over the examples, as in the exercise: no 1/N. A mean loss would "
                     "divide the gradient by N.",
                     "Checked with symbolic N (worlds with N = 1 to 4 and $E_n$ undefined) and on "
                     "networks with N = 1 to 4 against differentiating the summed loss."],
                    [derivation_examples()], checks)
