"""Exercises a and b: y_j written directly in x, for one and for two hidden layers.

Every a and z is eliminated by named substitutions (Bishop eqs. 5.7, 5.9); c) reuses
`eliminate` to unroll the recursion.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from derive.core import notation as nt
from derive.core.checks import Context, Definitions
from derive.core.derivation import Derivation
from derive.core.network import Network, Width
from derive.exercises.base import Config, Exercise, exercise
from derive.rules import network as rules

SIZES = (2, 3)  # symbolic widths are checked at these values
LAYERS = {"a": 2, "b": 3}  # layers of weights: a) one hidden layer, b) two


def network_context(net: Network) -> Context:
    """The verifier's meaning of x, a, z, y: `forward_definitions`, not the rules' own."""
    sizes: dict[sp.Symbol, tuple[int, ...]] = {w: SIZES for w in net.widths if isinstance(w, sp.Symbol)}
    return Context(definitions=forward_definitions(net), sizes=sizes, indices={nt.j: net.widths[-1]})


def forward_definitions(net: Network) -> Definitions:
    """Eqs. (3)-(7) written out again for the checks, layer by layer in a plain loop, apart
    from Network.a_def / z_def and the substitution rules (a wrong rule cannot cancel)."""
    x = nt.base("x")
    defs: Definitions = {x: lambda i: sp.Integer(1) if i == 0 else x[i]}  # eq. (3): x_0 = 1
    below: sp.IndexedBase = x
    for layer in range(1, net.L + 1):
        w, a, z = nt.base("w", layer), nt.base("a", layer), nt.base("z", layer)
        act = net.activations[layer - 1]
        h = nt.h(layer) if act is None else act
        defs[a] = weighted_sum(w, below, net.unit_index(layer - 1), net.widths[layer - 1])
        defs[z] = unit_or_bias(a, h)
        below = z
    top = below
    defs[nt.base("y")] = lambda k: top[k]  # eq. (4)
    return defs


def weighted_sum(w: sp.IndexedBase, below: sp.IndexedBase, i: sp.Symbol, width: Width
                 ) -> Callable[[sp.Expr], sp.Expr]:
    """eqs. (6)-(7): j -> w_j0 below_0 + ... + w_jM below_M, the bias unit 0 included; a
    Python sum over the units for a concrete width, a Sum over i for a symbolic one."""
    if isinstance(width, int):
        return lambda j: sp.Add(*(w[j, unit] * below[unit] for unit in range(width + 1)))
    return lambda j: sp.Sum(w[j, i] * below[i], (i, 0, width))


def unit_or_bias(a: sp.IndexedBase, h: Callable[[sp.Expr], sp.Expr]) -> Callable[[sp.Expr], sp.Expr]:
    """eqs. (3), (5): z_0 = 1, z_j = h(a_j) for j >= 1 (a Piecewise where j may be 0)."""
    def value(j: sp.Expr) -> sp.Expr:
        j = sp.sympify(j)
        if j.is_zero:
            return sp.Integer(1)
        if j.is_positive:
            return h(a[j])
        return sp.Piecewise((sp.Integer(1), sp.Eq(j, 0)), (h(a[j]), True))
    return value


def eliminate(net: Network, title: str, start: str) -> Derivation:
    """y_j from the output non-linearity down to x, one named substitution at a time, verified."""
    return eliminate_chain(net, title, start).verify()


def eliminate_chain(net: Network, title: str, start: str) -> Derivation:
    """The steps and the claim of `eliminate`, not yet verified."""
    L, j = net.L, nt.j
    first = net.h(L, net.a(L)[j]) if start == "h" else net.z(L)[j]
    rule = (f"$y_j = z_j^{{({L})}} = h_{{{L}}}(a_j^{{({L})}})$" if start == "h"
            else f"output $y_j = z_j^{{({L})}}$")
    d = Derivation.start(title, net.y[j], first, rule, network_context(net), cite="eq. (4)")
    if start == "z":
        d.then(f"substitute $z^{{({L})}} = h_{{{L}}}(a^{{({L})}})$", rules.substitute_z(net, L), "eq. (5)")
    for name, rewrite, cite in rules.unroll(net, L):
        d.then(name, rewrite, cite)
    return d.claim(rules.closed_form(net, j))


@exercise("a")
def exercise_a(config: Config) -> Exercise:
    net = Network.generic(LAYERS["a"])
    return Exercise("a", "One hidden layer: $y_j$ as a function of $x$",
                    "Exercise a): eliminate the pre-activations $a$ and the activations $z$ of a "
                    "network with one hidden layer of M units, writing the output $y_j$ directly "
                    "in the inputs $x_i$ and the weights (Bishop eq. 5.7).",
                    ["Bias as the extra input $x_0 = 1$ and the hidden bias unit $z_0^{(1)} = 1$ "
                     "(eq. 3): every sum over units starts at 0 unless the bias term is written out."],
                    [eliminate(net, "$y_j$ for one hidden layer", "h")])


@exercise("b")
def exercise_b(config: Config) -> Exercise:
    net = Network.generic(LAYERS["b"])
    return Exercise("b", "Two hidden layers: $y_j$ as a function of $x$",
                    "Exercise b): the same for two hidden layers and three layers of weights "
                    "$w^{(1)}, w^{(2)}, w^{(3)}$ (Bishop eq. 5.9, nested once more).",
                    ["Bias as $x_0 = 1$ and $z_0^{(l)} = 1$ (eq. 3); hidden widths $M_1$, $M_2$."],
                    [eliminate(net, "$y_j$ for two hidden layers", "h")])
