"""The output layer of an emitted module: y = h_L(a^(L)), the loss E and Delta^(L).

E is the sum over the batch, as E(w) in the exercise:

    sum-of-squares   E = sum_n ||y_n - t_n||^2                  (the exercise's E; no 1/2)
    gaussian-nll     E = 1/2 sum_n ||y_n - t_n||^2 + N K/2 log 2 pi   (exercise e, sigma^2 = 1)
    cross-entropy    E = -sum_n sum_k t_nk log y_nk             (exercise g), y = softmax(a^(L))

Delta^(L) = c (Y - T) is read off the verified model (exercises i and k: c = 2 for the
exercise's sum of squares, 1 otherwise), so E and Delta^(L) are computed from one residual
R = Y - T. Cross-entropy works with log y = a - max a - log sum exp(a - max a) (log-sum-exp),
which is finite for logits of any size.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import sympy as sp

from derive.emit.code.printer import Block, render

if TYPE_CHECKING:
    from derive.backprop.matrix_form import Model

HALF_LOG_2PI = repr(0.5 * math.log(2 * math.pi))

DEFINITION = {
    "sum-of-squares": "E = sum_n ||y_n - t_n||^2 (the exercise's E(w), no 1/2)",
    "gaussian-nll": "E = 1/2 sum_n ||y_n - t_n||^2 + N K/2 log(2 pi) (exercise e, sigma^2 = 1)",
    "cross-entropy": "E = -sum_n sum_k t_nk log y_nk (exercise g; rows of T one-hot)",
}


VALUE = {"sum-of-squares": "np.vdot(R, R)",  # E from the residual R = Y - T
         "gaussian-nll": f"0.5 * np.vdot(R, R) + R.size * {HALF_LOG_2PI}"}


def residual_scale(m: Model) -> sp.Expr:
    """c in Delta^(L) = c (Y - T), read off the model's output delta (exercises i, k)."""
    Y, T = m.Z(m.L)[0, 0], m.T[0, 0]
    entry = m.output_delta()[0, 0]
    c = sp.diff(entry, Y)
    if sp.expand(entry - c * (Y - T)) != 0:
        raise ValueError(f"output delta {m.output_delta()} is not a multiple of Y - T")
    return c


def buffers(m: Model) -> list[tuple[str, int]]:
    """Softmax needs Y beside the logits; the identity output reuses A<L>."""
    return [(f"Delta{m.L}", m.widths[-1])] if m.loss == "cross-entropy" else []


def loss_lines(m: Model) -> list[str]:
    """The body of the readable `loss(params, X, T)`."""
    if m.loss == "cross-entropy":
        return ["return float(-np.vdot(T, _log_softmax(_logits(params, X))))"]
    return ["R = forward(params, X) - T", f"return float({VALUE[m.loss]})"]


def fast_blocks(m: Model) -> list[Block]:
    """Y, E and Delta<L> in the buffers of the fast path."""
    y, delta = m.forward()[-1], m.backward()[0]
    L, c = m.L, residual_scale(m)
    Y, A, D = f"Z{L}", f"A{L}", f"Delta{L}"
    if m.loss == "cross-entropy":
        output = Block(f"{Y} = {render(y.value)}  {y.cite}, log-sum-exp shifted by the row maximum", [
            f"{A} -= {A}.max(axis=1, keepdims=True)",
            f"{A} -= np.log(np.exp({A}, out={D}).sum(axis=1, keepdims=True))  # log y_nk",
            f"{Y} = np.exp({A}, out={D})"])
        loss = ["E = -np.vdot(T, {A})".format(A=A)]
        scaled = [f"{D} = np.subtract({Y}, T, out={D})"] + ([] if c == 1 else [f"{D} *= {float(c)!r}"])
    else:
        output = Block(f"{Y} = {render(y.value)}  {y.cite}, identity output", [f"{Y} = {A}"])
        loss = [f"R = np.subtract({Y}, T, out={A})", f"E = {VALUE[m.loss]}"]
        scaled = [f"{D} = R" if c == 1 else f"{D} = np.multiply(R, {float(c)!r}, out=R)"]
    return [output, Block(DEFINITION[m.loss], loss), Block(f"{D} = {render(delta.value)}  {delta.cite}", scaled)]


def targets(m: Model) -> str:
    """Random targets for check_gradients(): one-hot rows for softmax, normal otherwise."""
    if m.loss == "cross-entropy":
        return "np.eye(WIDTHS[-1], dtype=DTYPE)[rng.integers(0, WIDTHS[-1], N)]"
    return "rng.standard_normal((N, WIDTHS[-1])).astype(DTYPE)"


def output(m: Model) -> dict[str, object]:
    """What the template needs for the output layer."""
    y = m.forward()[-1]
    return {
        "definition": DEFINITION[m.loss],
        "forward": [f"{y.target.name} = {render(y.value)}", f"return {y.target.name}"],
        "loss": loss_lines(m),
        "delta": f"Delta{m.L} = {render(m.backward()[0].value)}",
    }
