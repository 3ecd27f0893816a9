"""A concrete network and its loss (`Net`), and the random point both routes use."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from derive.core import activations, losses
from derive.core.errors import DeriveError
from derive.core.fields import Field

UNDEFINED = "h"  # an undefined h_l: checked at random rational cubics
LOSSES = tuple(losses.names())  # derive.core.losses, the one registry
Key = tuple[int, int, int]  # (l, j, i): the weight w_ji^(l); i = 0 is the bias
Fn = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # (h, h')


def classification_loss(widths: tuple[int, ...]) -> str:
    """The loss a user's architecture is checked with: cross-entropy (softmax) where there are
    K >= 2 outputs; with one output softmax is 1 and every gradient 0, so the sum of squares."""
    return "cross-entropy" if widths[-1] >= 2 else "sum-of-squares"


@dataclass(frozen=True)
class Net:
    """A concrete network and its loss: widths (D, M_1, ..., K), h_1..h_{L-1}, h_L, N examples.

    hidden and output hold activation names, or "h" for an undefined h_l. A loss with a
    canonical output (softmax with cross-entropy, sigmoid with binary cross-entropy) fixes
    h_L, and `output` is ignored. reduction: "sum" (E = sum_n E_n) or "mean" (divided by N).
    """

    widths: tuple[int, ...]
    hidden: tuple[str, ...]
    loss: str = "sum-of-squares"
    output: str = "identity"
    N: int = 1
    reduction: str = "sum"

    def __post_init__(self) -> None:
        losses.get(self.loss)  # an unknown name raises with the choices
        losses.check_reduction(self.reduction)
        if len(self.hidden) != self.L - 1:
            raise DeriveError(f"need {self.L - 1} hidden activations, got {len(self.hidden)}")

    @property
    def L(self) -> int:
        return len(self.widths) - 1

    @property
    def spec(self) -> losses.Loss:
        return losses.get(self.loss)

    @property
    def softmax(self) -> bool:
        """The output layer is the softmax (no h_L of the registry: computed from a^(L) itself)."""
        return self.spec.output == "softmax"

    def h_name(self, l: int) -> str:
        if l < self.L:
            return self.hidden[l - 1]
        return self.spec.output if self.spec.canonical else self.output

    def weights(self, l: int) -> list[Key]:
        return [(l, j, i) for j in range(1, self.widths[l] + 1) for i in range(self.widths[l - 1] + 1)]

    def describe(self) -> str:
        acts = ",".join(self.hidden) or "-"
        out = self.h_name(self.L)
        mean = "" if self.reduction == "sum" else f" ({self.reduction})"
        return f"widths {','.join(map(str, self.widths))}, h {acts}, out {out}, {self.loss}{mean}, N={self.N}"


# --- the random point -----------------------------------------------------------------------
def registry_fn(name: str, field: Field) -> Fn:
    """(h, h') of a registered activation in the field, from its independent implementation
    (derive.core.activations.NUMERIC), not from the SymPy formula that route 1 differentiates."""
    activations.get(name)  # an unknown name raises with the valid choices
    num = activations.NUMERIC[name]
    if field.modular and num.kinks:
        raise DeriveError(f"{name} compares with 0, which integers mod p cannot: use exact-rational")
    if field.exact and not num.rational:
        raise DeriveError(f"{name} leaves the rationals: check it in the mpmath-50 field")

    def dh(u: Any) -> Any:  # at a kink h' is a convention, and the point is refused
        for kink in num.kinks:
            if field.equal(u, kink, 0):
                raise DeriveError(f"a pre-activation is {kink} (to the field's precision), "
                                  f"where {name} has no derivative")
        return num.dh(u)
    return num.h, dh


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
    return range(1, net.L + (not net.softmax))


def sample(net: Net, field: Field, seed: int) -> Sample:
    """Weights of size about 1/fan-in (no saturation); targets with sum_k t_k = 1 where the loss
    needs it (cross-entropy), in (0, 1) for binary cross-entropy."""
    rng = random.Random(seed)

    def q(scale: int = 1) -> Fraction:
        return Fraction(rng.choice((-1, 1)) * rng.randint(1, 9), rng.randint(2, 9) * scale)
    w = {key: field.num(q(net.widths[key[0] - 1] + 1)) for l in range(1, net.L + 1) for key in net.weights(l)}
    x = {(n, i): field.num(q()) for n in range(1, net.N + 1) for i in range(1, net.widths[0] + 1)}
    t: dict[tuple[int, int], Any] = {}
    for n in range(1, net.N + 1):
        raw = [q() for _ in range(net.widths[-1])]
        if net.spec.simplex:  # the one-hot constraint sum_k t_k = 1 (exercise i)
            raw = [abs(v) / sum(map(abs, raw)) for v in raw]
        elif net.spec.output == "sigmoid":  # Bernoulli targets: probabilities
            raw = [abs(v) / (1 + abs(v)) for v in raw]
        t.update({(n, k): field.num(v) for k, v in enumerate(raw, 1)})
    cubics = {fn_name(net, l): [q() for _ in range(4)] for l in layers_with_h(net) if net.h_name(l) == UNDEFINED}
    fns = {fn_name(net, l): cubic_fn(cubics[fn_name(net, l)], field) if fn_name(net, l) in cubics
           else registry_fn(fn_name(net, l), field) for l in layers_with_h(net)}
    return Sample(w, x, t, cubics, fns)
