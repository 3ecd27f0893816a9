"""Backpropagation against plain differentiation, on concrete networks of any depth.

Two independent routes to dE/dw_ji^(l) for every weight of a concrete network (`Net`):

- route 1 (derive.backprop.route1) writes the loss out in x, t and w alone, with no a, z
  or delta, and lets SymEngine differentiate it with respect to each weight;
- route 2 (derive.backprop.route2) is the delta recursion: delta^(L) from the loss (exercises i, k),
  eq. (9) down the layers, eq. (8) for the gradient, summed over the examples (l).

Both are evaluated at the same random point (`sample`) in one number field
(derive.core.fields): exact rationals or exact mod p, with every undefined h_l a random
rational cubic (an identity that holds for every h holds for these), or mpmath at 50
digits with the real activations (tanh, sigmoid, softplus). `route2` takes a `mutation`
naming a wrong rule, so tests can watch the comparison fail."""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

from derive.backprop.net import Key, Net, sample
from derive.backprop.route1 import route1
from derive.backprop.route2 import route2
from derive.core.checks import CONTROL_P
from derive.core.fields import Field


# --- the comparison -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """Route 1 against route 2 at one point: verdict, what was compared, and the timings."""

    passed: bool
    detail: str
    seconds: tuple[float, float, float]  # route 1, route 2, comparison
    control: tuple[bool, str] = (True, "not run")  # the same comparison, route 2 scaled by 98/97


def chosen(net: Net, per_layer: int | None, seed: int) -> list[Key]:
    """Every weight, or `per_layer` of each layer (its bias weight w_10 among them)."""
    keys = []
    for l in range(1, net.L + 1):
        layer = net.weights(l)
        if per_layer is not None and per_layer < len(layer):
            layer = [layer[0]] + sorted(random.Random(seed * 100 + l).sample(layer[1:], per_layer - 1))
        keys += layer
    return keys


def compare(net: Net, field: Field, seed: int, per_layer: int | None = None,
            mutation: str | None = None) -> Comparison:
    """Both routes at one random point; route 2 may carry a wrong rule (`mutation`)."""
    from time import perf_counter
    with field.context():
        s = sample(net, field, seed)
    keys = chosen(net, per_layer, seed)
    t0 = perf_counter()
    g1 = route1(net, s, field, keys)
    t1 = perf_counter()
    g2 = route2(net, s, field, mutation)
    t2 = perf_counter()
    with field.context():
        scale = max(field.size(g) for g in g1.values())
        wrong = [key for key in keys if not field.equal(g1[key], g2[key], scale)]
        # The control: the same comparison against route 2's gradients times 98/97 (every
        # weight); it must see a difference, or the comparison could not fail (all zero).
        factor = field.num(Fraction(CONTROL_P + 1, CONTROL_P))
        accepted = [key for key in keys if field.equal(g1[key], factor * g2[key], scale)]
    t3 = perf_counter()
    control = (len(accepted) == len(keys),
               f"route 2 x 98/97: {len(keys) - len(accepted)} of {len(keys)} weights differ")
    total = sum(len(net.weights(l)) for l in range(1, net.L + 1))
    what = f"{net.describe()}, seed {seed}: {len(keys)} of {total} weights"
    if wrong:
        l, j, i = wrong[0]
        detail = (f"{what}: {len(wrong)} differ, first dE/dw_{j}{i}^({l}) = {fmt(g1[wrong[0]])} (route 1) "
                  f"vs {fmt(g2[wrong[0]])} (route 2)")
    else:
        detail = f"{what} agree ({'exactly' if field.exact else f'to {field.dps - 10} digits'})"
    return Comparison(not wrong, detail, (t1 - t0, t2 - t1, t3 - t2), control)


def fmt(v: Any) -> str:
    return mpmath.nstr(v, 12) if isinstance(v, mpmath.mpf) else str(v)[:40]
