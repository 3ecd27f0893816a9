"""Exercises a and b: y_j written directly in x, for one and for two hidden layers.

Every a and z is eliminated by named substitutions (Bishop eqs. 5.7, 5.9); c) reuses
`eliminate` to unroll the recursion.
"""
from __future__ import annotations

import sympy as sp

from derive.core import notation as nt
from derive.core.checks import Context
from derive.core.derivation import Derivation
from derive.core.network import Network
from derive.exercises.base import Config, Exercise, exercise
from derive.rules import network as rules

SIZES = (2, 3)  # symbolic widths are checked at these values


def network_context(net: Network) -> Context:
    sizes: dict[sp.Symbol, tuple[int, ...]] = {w: SIZES for w in net.widths if isinstance(w, sp.Symbol)}
    return Context(definitions=net.definitions(), sizes=sizes, indices={nt.j: net.widths[-1]})


def eliminate(net: Network, title: str, start: str) -> Derivation:
    """y_j from the output non-linearity down to x, one named substitution at a time."""
    L, j = net.L, nt.j
    first = net.h(L, net.a(L)[j]) if start == "h" else net.z(L)[j]
    rule = (f"$y_j = z_j^{{({L})}} = h_{{{L}}}(a_j^{{({L})}})$" if start == "h"
            else f"output $y_j = z_j^{{({L})}}$")
    d = Derivation.start(title, net.y[j], first, rule, network_context(net), cite="eq. (4)")
    if start == "z":
        d.then(f"substitute $z^{{({L})}} = h_{{{L}}}(a^{{({L})}})$", rules.substitute_z(net, L), "eq. (5)")
    for name, rewrite, cite in rules.unroll(net, L):
        d.then(name, rewrite, cite)
    return d.claim(rules.closed_form(net, j)).verify()


@exercise("a")
def exercise_a(config: Config) -> Exercise:
    net = Network.generic(2)
    return Exercise("a", "One hidden layer: $y_j$ as a function of $x$",
                    "Exercise a): eliminate the pre-activations $a$ and the activations $z$ of a "
                    "network with one hidden layer of M units, writing the output $y_j$ directly "
                    "in the inputs $x_i$ and the weights (Bishop eq. 5.7).",
                    ["Bias as the extra input $x_0 = 1$ and the hidden bias unit $z_0^{(1)} = 1$ "
                     "(eq. 3): every sum over units starts at 0 unless the bias term is written out."],
                    [eliminate(net, "$y_j$ for one hidden layer", "h")])


@exercise("b")
def exercise_b(config: Config) -> Exercise:
    net = Network.generic(3)
    return Exercise("b", "Two hidden layers: $y_j$ as a function of $x$",
                    "Exercise b): the same for two hidden layers and three layers of weights "
                    "$w^{(1)}, w^{(2)}, w^{(3)}$ (Bishop eq. 5.9, nested once more).",
                    ["Bias as $x_0 = 1$ and $z_0^{(l)} = 1$ (eq. 3); hidden widths $M_1$, $M_2$."],
                    [eliminate(net, "$y_j$ for two hidden layers", "h")])
