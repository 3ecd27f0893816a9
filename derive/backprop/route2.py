"""Route 2 of the backprop check: the delta recursion.

Eqs. (8) and (9), summed over the examples (l), with named wrong rules (`mutation`)
for the tests.
"""
from __future__ import annotations

from typing import Any

from derive.backprop.net import Key, Net, Sample, fn_name
from derive.core.errors import DeriveError
from derive.core.fields import Field

MUTATIONS = ("drop-h-prime", "transpose", "wrong-layer", "t-minus-y", "no-factor-2", "mean", "sum-for-mean")


# --- route 2: the delta recursion ---------------------------------------------------------------
def forward(net: Net, s: Sample, n: int) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """a^(l) and z^(l) of example n by eqs. (5)-(7); index 0 of every z is the bias unit."""
    z = {0: [1] + [s.x[n, i] for i in range(1, net.widths[0] + 1)]}
    a: dict[int, list[Any]] = {}
    for l in range(1, net.L + 1):
        a[l] = [None] + [sum(s.w[l, j, i] * z[l - 1][i] for i in range(net.widths[l - 1] + 1))
                         for j in range(1, net.widths[l] + 1)]
        if l < net.L or not net.softmax:
            h = s.fns[fn_name(net, l)][0]
            z[l] = [1] + [h(u) for u in a[l][1:]]
    return a, z


def output_delta(net: Net, s: Sample, n: int, a: list[Any], z: list[Any] | None, field: Field,
                 mutation: str | None) -> list[Any]:
    """delta_j^(L) = r c (y_j - t_j) h_L'(a_j), c and the pairing from the loss registry (exercises i,
    k and "losses"): y - t under softmax or sigmoid with their cross-entropies (h_L' cancels),
    2 (y_j - t_j) h_L'(a_j) for E = sum (y - t)^2; r = 1/N for the mean."""
    K, spec = net.widths[-1], net.spec
    y: list[Any]
    if spec.output == "softmax":
        exps = [field.elementary("exp")(u) for u in a[1:]]
        y = [None] + [e / sum(exps) for e in exps]
    else:
        y = z or []
    if spec.canonical:
        slope = [1] * (K + 1)
    else:
        dh = s.fns[fn_name(net, net.L)][1]
        slope = [None] + [dh(u) for u in a[1:]]
    factor = 1 if mutation == "no-factor-2" else spec.scale
    sign = -1 if mutation == "t-minus-y" else 1
    delta = [None] + [factor * sign * (y[k] - s.t[n, k]) * slope[k] for k in range(1, K + 1)]
    if net.reduction == "sum" or mutation == "sum-for-mean":  # the mutation forgets the mean's 1/N
        return delta
    return [None] + [d / net.N for d in delta[1:]]


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
