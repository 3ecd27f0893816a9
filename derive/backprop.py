"""Backpropagation against plain differentiation, on concrete networks of any depth.

Two independent routes to dE/dw_ji^(l) for every weight of a concrete network (`Net`):

- route 1 (derive.expanded_loss) writes the loss out in x, t and w alone, with no a, z
  or delta, and lets SymEngine differentiate it with respect to each weight;
- route 2 (here) is the delta recursion: delta^(L) from the loss (exercises i, k),
  eq. (9) down the layers, eq. (8) for the gradient, summed over the examples (l).

Both are evaluated at the same random point (`sample`) in one number field
(derive.fields): exact rationals or exact mod p, with every undefined h_l a random
rational cubic (an identity that holds for every h holds for these), or mpmath at 50
digits with the real activations (tanh, sigmoid, softplus). `route2` takes a `mutation`
naming a wrong rule, so tests can watch the comparison fail.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from derive import activations, fields
from derive.errors import DeriveError
from derive.fields import EXACT, MODULAR, MPMATH, Field  # noqa: F401  (re-exported)

UNDEFINED = "h"  # an undefined h_l: checked at random rational cubics
LOSSES = ("sum-of-squares", "half-sum-of-squares", "cross-entropy")
MUTATIONS = ("drop-h-prime", "transpose", "wrong-layer", "t-minus-y", "no-factor-2", "mean")
Key = tuple[int, int, int]  # (l, j, i): the weight w_ji^(l); i = 0 is the bias
Fn = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # (h, h')


@dataclass(frozen=True)
class Net:
    """A concrete network and its loss: widths (D, M_1, ..., K), h_1..h_{L-1}, h_L, N examples.

    hidden and output hold activation names, or "h" for an undefined h_l. With the
    cross-entropy loss the output is the softmax and `output` is ignored.
    """

    widths: tuple[int, ...]
    hidden: tuple[str, ...]
    loss: str = "sum-of-squares"
    output: str = "identity"
    N: int = 1

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise DeriveError(f"unknown loss {self.loss!r}; choose from: {', '.join(LOSSES)}")
        if len(self.hidden) != self.L - 1:
            raise DeriveError(f"need {self.L - 1} hidden activations, got {len(self.hidden)}")

    @property
    def L(self) -> int:
        return len(self.widths) - 1

    def h_name(self, l: int) -> str:
        return self.hidden[l - 1] if l < self.L else self.output

    def weights(self, l: int) -> list[Key]:
        return [(l, j, i) for j in range(1, self.widths[l] + 1) for i in range(self.widths[l - 1] + 1)]

    def describe(self) -> str:
        acts = ",".join(self.hidden) or "-"
        out = "softmax" if self.loss == "cross-entropy" else self.output
        return f"widths {','.join(map(str, self.widths))}, h {acts}, out {out}, {self.loss}, N={self.N}"


# --- the random point -----------------------------------------------------------------------
def registry_fn(name: str, field: Field) -> Fn:
    """(h, h') of a registered activation, evaluated in the field."""
    if name == "identity":
        return (lambda u: u), (lambda u: 1)
    if name == "relu":  # h'(a) is the Heaviside step
        return fields.relu, fields.step
    act = activations.get(name)
    if field.exact:
        raise DeriveError(f"{name} leaves the rationals: check it in the mpmath-50 field")
    modules = [{"Heaviside": fields.step}, "mpmath"]
    return sp.lambdify(activations.a, act.h, modules), sp.lambdify(activations.a, act.dh, modules)


def cubic_fn(c: list[Fraction], field: Field) -> Fn:
    """h(u) = c0 + c1 u + c2 u^2 + c3 u^3 and h'(u), in the field."""
    c0, c1, c2, c3 = (field.num(v) for v in c)
    return (lambda u: c0 + u * (c1 + u * (c2 + u * c3)), lambda u: c1 + u * (2 * c2 + 3 * c3 * u))


@dataclass
class Sample:
    """Values of every weight, input and target; a random cubic for every undefined h_l."""

    w: dict[Key, Any]
    x: dict[tuple[int, int], Any]
    t: dict[tuple[int, int], Any]
    cubics: dict[str, list[Fraction]]
    fns: dict[str, Fn]


def fn_name(net: Net, l: int) -> str:
    """The name of h_l in both routes: h_l when undefined, else the activation's name."""
    name = net.h_name(l)
    return f"h_{l}" if name == UNDEFINED else name


def layers_with_h(net: Net) -> range:
    """Layers whose z = h(a): all of them, except the softmax output layer."""
    return range(1, net.L + (net.loss != "cross-entropy"))


def sample(net: Net, field: Field, seed: int) -> Sample:
    """Weights of size about 1/fan-in (no saturation); targets with sum_k t_k = 1 under softmax."""
    rng = random.Random(seed)

    def q(scale: int = 1) -> Fraction:
        return Fraction(rng.choice((-1, 1)) * rng.randint(1, 9), rng.randint(2, 9) * scale)
    w = {key: field.num(q(net.widths[key[0] - 1] + 1)) for l in range(1, net.L + 1) for key in net.weights(l)}
    x = {(n, i): field.num(q()) for n in range(1, net.N + 1) for i in range(1, net.widths[0] + 1)}
    t: dict[tuple[int, int], Any] = {}
    for n in range(1, net.N + 1):
        raw = [q() for _ in range(net.widths[-1])]
        if net.loss == "cross-entropy":  # the one-hot constraint sum_k t_k = 1 (exercise i)
            raw = [abs(v) / sum(map(abs, raw)) for v in raw]
        t.update({(n, k): field.num(v) for k, v in enumerate(raw, 1)})
    cubics = {fn_name(net, l): [q() for _ in range(4)] for l in layers_with_h(net) if net.h_name(l) == UNDEFINED}
    fns = {fn_name(net, l): cubic_fn(cubics[fn_name(net, l)], field) if fn_name(net, l) in cubics
           else registry_fn(fn_name(net, l), field) for l in layers_with_h(net)}
    return Sample(w, x, t, cubics, fns)


# --- route 2: the delta recursion ---------------------------------------------------------------
def forward(net: Net, s: Sample, n: int) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """a^(l) and z^(l) of example n by eqs. (5)-(7); index 0 of every z is the bias unit."""
    z = {0: [1] + [s.x[n, i] for i in range(1, net.widths[0] + 1)]}
    a: dict[int, list[Any]] = {}
    for l in range(1, net.L + 1):
        a[l] = [None] + [sum(s.w[l, j, i] * z[l - 1][i] for i in range(net.widths[l - 1] + 1))
                         for j in range(1, net.widths[l] + 1)]
        if l < net.L or net.loss != "cross-entropy":
            h = s.fns[fn_name(net, l)][0]
            z[l] = [1] + [h(u) for u in a[l][1:]]
    return a, z


def output_delta(net: Net, s: Sample, n: int, a: list[Any], z: list[Any] | None, field: Field,
                 mutation: str | None) -> list[Any]:
    """delta_j^(L): y_j - t_j under softmax (i); 2 (y_j - t_j) h_L'(a_j) for E = sum (y - t)^2 (k)."""
    K = net.widths[-1]
    y: list[Any]
    if net.loss == "cross-entropy":
        exps = [field.elementary("exp")(u) for u in a[1:]]
        y = [None] + [e / sum(exps) for e in exps]
        factor, slope = 1, [1] * (K + 1)
    else:
        y, dh = z or [], s.fns[fn_name(net, net.L)][1]
        factor = 2 if net.loss == "sum-of-squares" and mutation != "no-factor-2" else 1
        slope = [None] + [dh(u) for u in a[1:]]
    sign = -1 if mutation == "t-minus-y" else 1
    return [None] + [factor * sign * (y[k] - s.t[n, k]) * slope[k] for k in range(1, K + 1)]


def backward(net: Net, s: Sample, a: dict[int, list[Any]], top: list[Any],
             mutation: str | None) -> dict[int, list[Any]]:
    """eq. (9): delta_j^(l) = h_l'(a_j^(l)) sum_k w_kj^(l+1) delta_k^(l+1), k over layer l+1 (no bias)."""
    delta = {net.L: top}
    for l in range(net.L - 1, 0, -1):
        dh = s.fns[fn_name(net, l)][1]
        row = {"transpose": lambda k, j: (l + 1, j, k), "wrong-layer": lambda k, j: (l, k, j)}.get(
            mutation or "", lambda k, j: (l + 1, k, j))
        delta[l] = [None]
        for j in range(1, net.widths[l] + 1):
            back = sum(s.w.get(row(k, j), 0) * delta[l + 1][k] for k in range(1, net.widths[l + 1] + 1))
            delta[l].append(back if mutation == "drop-h-prime" else dh(a[l][j]) * back)
    return delta


def route2(net: Net, s: Sample, field: Field, mutation: str | None = None) -> dict[Key, Any]:
    """eq. (8) summed over the examples (l): dE/dw_ji^(l) = sum_n delta_nj^(l) z_ni^(l-1)."""
    if mutation is not None and mutation not in MUTATIONS:
        raise DeriveError(f"unknown mutation {mutation!r}; choose from: {', '.join(MUTATIONS)}")
    grad: dict[Key, Any] = {}
    with field.context():
        for n in range(1, net.N + 1):
            a, z = forward(net, s, n)
            delta = backward(net, s, a, output_delta(net, s, n, a[net.L], z.get(net.L), field, mutation), mutation)
            for l in range(1, net.L + 1):
                for key in net.weights(l):
                    grad[key] = grad.get(key, 0) + delta[l][key[1]] * z[l - 1][key[2]]
        if mutation == "mean":
            grad = {key: g / net.N for key, g in grad.items()}
    return grad


# --- the comparison -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """Route 1 against route 2 at one point: verdict, what was compared, and the timings."""

    passed: bool
    detail: str
    seconds: tuple[float, float, float]  # route 1, route 2, comparison


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
    from derive.expanded_loss import route1  # route 1 imports Net from here
    t0 = perf_counter()
    g1 = route1(net, s, field, keys)
    t1 = perf_counter()
    g2 = route2(net, s, field, mutation)
    t2 = perf_counter()
    with field.context():
        scale = max(field.size(g) for g in g1.values())
        wrong = [key for key in keys if not field.equal(g1[key], g2[key], scale)]
    t3 = perf_counter()
    total = sum(len(net.weights(l)) for l in range(1, net.L + 1))
    what = f"{net.describe()}, seed {seed}: {len(keys)} of {total} weights"
    if wrong:
        l, j, i = wrong[0]
        detail = (f"{what}: {len(wrong)} differ, first dE/dw_{j}{i}^({l}) = {fmt(g1[wrong[0]])} (route 1) "
                  f"vs {fmt(g2[wrong[0]])} (route 2)")
    else:
        detail = f"{what} agree ({'exactly' if field.exact else f'to {field.dps - 10} digits'})"
    return Comparison(not wrong, detail, (t1 - t0, t2 - t1, t3 - t2))


def fmt(v: Any) -> str:
    return mpmath.nstr(v, 12) if isinstance(v, mpmath.mpf) else str(v)[:40]
