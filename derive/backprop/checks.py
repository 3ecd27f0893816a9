"""The backprop check as a `Check`: route 1 against route 2, under a time limit."""
from __future__ import annotations

import itertools

from derive.backprop.compare import Comparison, compare
from derive.backprop.net import UNDEFINED, Net
from derive.core.checks import Check, timed
from derive.core.fields import Field

REAL = ("tanh", "sigmoid", "softplus", "relu", "elu", "gelu", "silu", "leaky_relu", "softsign", "mish")  # in turn


def network_check(net: Net, field: Field, seed: int = 1, per_layer: int | None = None,
                  mutation: str | None = None) -> Check:
    """Route 1 (differentiate the written-out loss) against route 2 (the recursion), one check."""
    holder: dict[str, Comparison] = {}

    def both() -> tuple[bool, str]:
        holder["c"] = compare(net, field, seed, per_layer, mutation)
        return holder["c"].passed, holder["c"].detail
    return timed(field.name, both, 60.0, lambda: holder["c"].control)


def exact_net(widths: tuple[int, ...], loss: str = "sum-of-squares", output: str = "h", N: int = 1,
              reduction: str = "sum") -> Net:
    """Every h_l undefined (random rational cubics at the check)."""
    return Net(widths, (UNDEFINED,) * (len(widths) - 2), loss, output, N, reduction)


def real_net(widths: tuple[int, ...], offset: int, N: int = 1) -> Net:
    """The activations of REAL in turn; softmax with cross-entropy, or a sigmoid output."""
    hidden = tuple(itertools.islice(itertools.cycle(REAL), offset, offset + len(widths) - 2))
    if offset % 2:
        return Net(widths, hidden, "sum-of-squares", "sigmoid", N)
    return Net(widths, hidden, "cross-entropy", N=N)


def size(net: Net) -> int:
    return sum(len(net.weights(l)) for l in range(1, net.L + 1))
