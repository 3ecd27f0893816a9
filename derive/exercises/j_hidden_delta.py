"""Exercise j: backpropagation for a layer l < L, eqs. (8) and (9).

Derived with symbolic widths and checked in worlds where E is undefined; the recursion
is compared with differentiation on concrete networks (Bishop eqs. 5.53-5.56).
"""
from __future__ import annotations

import random

import sympy as sp

from derive.backprop import fullsize
from derive.backprop.checks import exact_net, network_check, real_net, size
from derive.backprop.net import Net, classification_loss
from derive.core import notation as nt
from derive.core.checks import Check, Context
from derive.core.derivation import Derivation
from derive.core.errors import DeriveError
from derive.core.fields import EXACT, MODULAR, MPMATH
from derive.core.worlds import World, verify_in_worlds
from derive.exercises.base import Config, Exercise, exercise
from derive.rules import deltas as rules

j, i, k, n, N = nt.j, nt.i, nt.k, nt.n, nt.N
m = sp.Symbol("m", integer=True, nonnegative=True)
i2 = nt.i2
M_prev, M_l, M_next = (sp.Symbol(f"M_{{{s}}}", integer=True, positive=True) for s in ("l-1", "l", "l+1"))
w, w_next = nt.base("w", "l"), nt.base("w", "l+1")
a, a_next = nt.base("a", "l"), nt.base("a", "l+1")
z, z_prev = nt.base("z", "l"), nt.base("z", "l-1")
delta, delta_next = nt.base("delta", "l"), nt.base("delta", "l+1")
E, E_n = sp.Symbol("E"), nt.base("E")
h = nt.h("l")
WORLDS = ((1, 2, 3), (2, 3, 2), (3, 1, 2))  # (M_{l-1}, M_l, M_{l+1}) of the worlds


def h_prime(u: sp.Expr) -> sp.Expr:
    """h_l'(u) for an atom u, in SymPy's form."""
    return sp.Derivative(h(u), u)


def eq9() -> sp.Expr:
    """delta_j^(l) = h_l'(a_j^(l)) sum_{k=1}^{M_{l+1}} w_kj^(l+1) delta_k^(l+1)."""
    return h_prime(a[j]) * sp.Sum(w_next[k, j] * delta_next[k], (k, 1, M_next))


def chain_through(key: sp.Expr, inner: sp.IndexedBase, index: sp.Symbol, upper: sp.Expr) -> rules.Rewrite:
    """d key / dx = sum_index d key / d inner_index * d inner_index / dx (the chain rule)."""
    def chain(d: sp.Derivative) -> sp.Expr:
        x = d.variables[0]
        return sp.Sum(sp.Derivative(key, inner[index]) * sp.Derivative(inner[index], x), (index, 1, upper))
    return lambda expr: expr.replace(lambda e: isinstance(e, sp.Derivative) and e.expr == key, chain)


def name_partials(key: sp.Expr, inner: sp.IndexedBase, named: sp.IndexedBase) -> rules.Rewrite:
    """d key / d inner_k -> named_k (the definition of delta)."""
    return lambda expr: expr.replace(
        lambda e: (isinstance(e, sp.Derivative) and e.expr == key
                   and getattr(e.variables[0], "base", None) == inner),
        lambda e: named[e.variables[0].indices])


def pre_activation_next(index: sp.Expr) -> sp.Expr:
    """eq. (6) for layer l+1 with the bias unit apart: w_k0 + sum_{m>=1} w_km h_l(a_m^(l))."""
    return w_next[index, 0] + sp.Sum(w_next[index, m] * h(a[m]), (m, 1, M_l))


def pre_activation(index: sp.Expr) -> sp.Expr:
    """eq. (6) for layer l: a_j^(l) = sum_{i'=0}^{M_{l-1}} w_ji'^(l) z_i'^(l-1)."""
    return sp.Sum(w[index, i2] * z_prev[i2], (i2, 0, M_prev))


def derivation_eq9(target: sp.Expr | None = None) -> Derivation:
    """delta_j^(l) = dE/da_j^(l) = h_l'(a_j) sum_k w_kj^(l+1) delta_k^(l+1) (eq. 9)."""
    d = Derivation.start(r"eq. (9): $\delta_j^{(l)}$ from $\delta^{(l+1)}$", delta[j], sp.Derivative(E, a[j]),
                         r"definition $\delta_j^{(l)} = \partial E / \partial a_j^{(l)}$", Context(), cite="exercise j)")
    d.then(r"chain rule: $E$ depends on $a_j^{(l)}$ only through $a_k^{(l+1)}$, $k = 1, \dots, M_{l+1}$",
           chain_through(E, a_next, k, M_next))
    d.then(r"definition $\delta_k^{(l+1)} = \partial E / \partial a_k^{(l+1)}$", name_partials(E, a_next, delta_next))
    d.then(r"eq. (6) for $a_k^{(l+1)}$, bias unit $z_0^{(l)} = 1$ apart, $z_m^{(l)} = h_l(a_m^{(l)})$",
           rules.replace_indexed(a_next, pre_activation_next))
    d.then(r"differentiate: $\partial a_m^{(l)} / \partial a_j^{(l)} = \delta_{mj}$", rules.differentiate)
    d.then(r"Kronecker sum over $m$ ($1 \le j \le M_l$)", rules.kronecker_sums)
    d.then(r"$h_l'(a_j^{(l)})$ does not depend on $k$", rules.out_of_sum(h_prime(a[j])))
    d.claim(eq9() if target is None else target)
    return verify_in_worlds(d, [world_eq9(*sizes, seed) for seed, sizes in enumerate(WORLDS)])


def world_eq9(Mp: int, Ml: int, Mn: int, seed: int) -> World:
    """E = E(a_1^(l+1), ..., a_Mn^(l+1)); a^(l) are the leaves."""
    rng = random.Random(seed)
    defs = {a_next: lambda kk: w_next[kk, 0] + sum(w_next[kk, mm] * h(a[mm]) for mm in range(1, Ml + 1)),
            delta: lambda jj: sp.Derivative(E, a[jj])}
    args = tuple(a_next[kk] for kk in range(1, Mn + 1))
    return World({M_prev: Mp, M_l: Ml, M_next: Mn, j: rng.randint(1, Ml)}, defs, {E: ("E", args)},
                 {delta_next: lambda kk: (E, unit(kk, Mn))})


def derivation_eq8(target: sp.Expr | None = None) -> Derivation:
    """dE/dw_ji^(l) = delta_j^(l) z_i^(l-1) (eq. 8), i = 0 the bias."""
    lhs = sp.Derivative(E, w[j, i])
    d = Derivation.start(r"eq. (8): $\partial E / \partial w_{ji}^{(l)}$", lhs, chain_through(E, a, m, M_l)(lhs),
                         r"chain rule: $E$ depends on $w^{(l)}$ only through $a_m^{(l)}$, $m = 1, \dots, M_l$",
                         Context(), cite="exercise j)")
    d.then(r"definition $\delta_m^{(l)} = \partial E / \partial a_m^{(l)}$", name_partials(E, a, delta))
    d.then(r"eq. (6) for $a_m^{(l)}$", rules.replace_indexed(a, pre_activation))
    d.then(r"differentiate: $\partial w_{mi'}^{(l)} / \partial w_{ji}^{(l)} = \delta_{mj} \delta_{i'i}$",
           rules.differentiate)
    d.then(r"Kronecker sums over $i'$ and $m$ ($0 \le i \le M_{l-1}$, $1 \le j \le M_l$)", rules.kronecker_sums)
    d.claim(delta[j] * z_prev[i] if target is None else target)
    return verify_in_worlds(d, [world_eq8(*sizes, seed) for seed, sizes in enumerate(WORLDS)])


def world_eq8(Mp: int, Ml: int, Mn: int, seed: int) -> World:
    """E = E(a_1^(l), ..., a_Ml^(l)); z^(l-1) are leaves with z_0 = 1; i may be the bias 0."""
    rng = random.Random(seed)
    defs = {a: lambda mm: sum(w[mm, ii] * z_prev[ii] for ii in range(Mp + 1)),
            z_prev: lambda ii: sp.Integer(1) if ii == 0 else z_prev[ii]}
    args = tuple(a[mm] for mm in range(1, Ml + 1))
    return World({M_prev: Mp, M_l: Ml, j: rng.randint(1, Ml), i: rng.randint(0, Mp)}, defs,
                 {E: ("E", args)}, {delta: lambda mm: (E, unit(mm, Ml))})


def unit(index: sp.Expr, width: int) -> int:
    """The argument position of delta_index; the bias unit 0 has no delta."""
    if not 1 <= int(index) <= width:
        raise DeriveError(f"delta_{index} does not exist: units run from 1 to {width}, the bias unit 0 has no delta")
    return int(index) - 1


SWEEP = ((3, 2), (2, 4, 3), (3, 2, 4, 2), (2, 4, 3, 4, 3), (4, 3, 4, 2, 4, 3))  # L = 1..5
ALL_WEIGHTS = 1000  # up to this many weights the architecture is also checked against SymEngine, every weight


def architecture_checks(config: Config) -> list[Check]:
    """The user's widths and activations at full size, every weight (derive.backprop.fullsize): exactly mod p with
    random cubics for every h, and in float64 with the real h. Up to ALL_WEIGHTS weights also against SymEngine's
    derivatives: at 50 digits with the real h, exactly with undefined h.

    Exact rationals grow like 3^L digits through cubic stand-ins, so deeper or wider
    networks are checked exactly modulo a prime instead (derive.core.fields).
    """
    widths = config.widths
    loss = classification_loss(widths)
    checks = fullsize.checks(Net(widths, config.activations, loss, N=2))
    if size(exact_net(widths)) <= ALL_WEIGHTS:
        deep = len(widths) - 1 > 5 or max(widths) > 6
        real = Net(widths, config.activations, loss)
        checks += [network_check(real, MPMATH), network_check(exact_net(widths), MODULAR if deep else EXACT)]
    return checks


@exercise("j")
def exercise_j(config: Config) -> Exercise:
    checks = []
    for offset, widths in enumerate(SWEEP):
        checks.append(network_check(exact_net(widths, output="h" if offset % 2 else "identity"), EXACT))
        checks.append(network_check(real_net(widths, offset), MPMATH, seed=2))  # seed 1: a relu a^(1) is 0
        if len(widths) > 2:  # relu stays rational: every hidden layer relu, exactly
            checks.append(network_check(Net(widths, ("relu",) * (len(widths) - 2)), EXACT, seed=2))
    checks += architecture_checks(config)
    if len(config.widths) < 4:  # the full-size checks on three layers of weights too: a shallow
        deep = Net(SWEEP[2], ("gelu", "relu"), "cross-entropy", N=2)  # net has one hidden delta (gelu: erf on duals)
        checks += fullsize.checks(deep)
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
                     "recursion. Undefined $h_l$ become random rational cubics (exact); tanh, sigmoid, "
                     "softplus and relu are compared at 50 digits, and relu networks also exactly. "
                     "Route 2 takes $h$ and $h'$ from an independent numeric table, route 1 "
                     "differentiates the registered formula, so a wrong formula cannot cancel.",
                     "The architecture asked for is checked at full size, every weight: the derivative of "
                     "the written-out loss along random directions V, by dual numbers (no deltas), against "
                     "$\\langle G, V \\rangle$ with G the recursion's gradient; exactly modulo the largest prime "
                     "p with $n p^2 < 2^{63}$ (n the largest width), every h a random cubic (a false identity "
                     "passes a point with probability at most deg/p), and in float64 with the real h. "
                     f"Up to {ALL_WEIGHTS} weights it is also compared with SymEngine, every weight; deeper or "
                     "wider than 5 layers of width 6 that exact check runs modulo the prime $2^{61} - 1$."],
                    [derivation_eq9(), derivation_eq8()], checks)
