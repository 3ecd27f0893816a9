"""The output layer of an emitted module: y = h_L(a^(L)), the loss E and Delta^(L), for every loss and reduction.

E is the sum over the batch, as E(w) in the exercise (reduction "sum"), or that sum divided by
N (reduction "mean": over the N examples, not the N K elements):

    sum-of-squares       E = sum_n ||y_n - t_n||^2                  (the exercise's E; no 1/2)
    half-sum-of-squares  E = 1/2 sum_n ||y_n - t_n||^2              (Bishop eq. 5.11)
    gaussian-nll         E = 1/2 sum_n ||y_n - t_n||^2 + N K/2 log 2 pi   (exercise e, sigma^2 = 1)
    cross-entropy        E = -sum_n sum_k t_nk log y_nk             (exercise g), y = softmax(a^(L))
    binary-cross-entropy E = sum_n sum_k [softplus(a_nk) - t_nk a_nk], y = sigmoid(a^(L)) (Bishop eq. 5.23)

Delta^(L) = r c (Y - T) is read off the verified model (exercises i, k and "losses": c = 2 for the
exercise's sum of squares, 1 otherwise; r = 1/N for the mean), so E and Delta^(L) are computed
from one residual R = Y - T. Cross-entropy works with log y = a - max a - log sum exp(a - max a)
(log-sum-exp); binary cross-entropy with -t log y - (1 - t) log(1 - y) = logaddexp(0, a) - t a
and y = exp(-logaddexp(0, -a)): both finite for logits of any size.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import sympy as sp

from derive.emit.code.printer import Block, render

if TYPE_CHECKING:
    from derive.backprop.matrix_form import Model

HALF_LOG_2PI = repr(0.5 * math.log(2 * math.pi))

FORMULA = {  # loss -> (E summed over the batch, its note)
    "sum-of-squares": ("sum_n ||y_n - t_n||^2", "(the exercise's E(w), no 1/2)"),
    "half-sum-of-squares": ("1/2 sum_n ||y_n - t_n||^2", "(Bishop eq. 5.11)"),
    "gaussian-nll": ("1/2 sum_n ||y_n - t_n||^2 + N K/2 log(2 pi)", "(exercise e, sigma^2 = 1)"),
    "cross-entropy": ("-sum_n sum_k t_nk log y_nk", "(exercise g; rows of T one-hot)"),
    "binary-cross-entropy": ("-sum_n sum_k [t_nk log y_nk + (1 - t_nk) log(1 - y_nk)]",
                             "(Bishop eq. 5.23; y = sigmoid(a), T in [0, 1])"),
}
REDUCTION = {"sum": "E is the sum over the batch",
             "mean": "E is the mean over the batch: the sum over its N examples divided by N (not by N K)"}
VALUE = {"sum-of-squares": "np.vdot(R, R)",  # E from the residual R = Y - T
         "half-sum-of-squares": "0.5 * np.vdot(R, R)",
         "gaussian-nll": f"0.5 * np.vdot(R, R) + R.size * {HALF_LOG_2PI}"}
SOFTPLUS = "np.logaddexp(0.0, {A}{out}).sum() - np.vdot(T, {A})"  # sum softplus(a) - t a: binary cross-entropy


def definition(m: Model) -> str:
    """E = ... with its note, divided by N for the mean."""
    formula, note = FORMULA[m.loss]
    return f"E = {formula} {note}" if m.reduction == "sum" else f"E = 1/N [{formula}] {note}"


def mean(m: Model) -> bool:
    return m.reduction == "mean"


def residual_scale(m: Model) -> sp.Expr:
    """c in Delta^(L) = r c (Y - T), read off the model's output delta (exercises i, k, "losses")."""
    Y, T = m.Z(m.L)[0, 0], m.T[0, 0]
    entry = m.output_delta()[0, 0] * (m.N if mean(m) else 1)
    c = sp.diff(entry, Y)
    if sp.expand(entry - c * (Y - T)) != 0 or c.free_symbols:
        raise ValueError(f"output delta {m.output_delta()} is not a multiple of Y - T")
    return c


def buffers(m: Model) -> list[tuple[str, int]]:
    """Softmax needs Y beside the logits, the sigmoid a work array for softplus; the identity reuses A<L>."""
    return [(f"Delta{m.L}", m.widths[-1])] if m.spec.canonical else []


def loss_lines(m: Model) -> list[str]:
    """The body of the readable `loss(params, X, T)`."""
    per = " / len(X)" if mean(m) else ""
    if m.spec.output == "softmax":
        return [f"return float(-np.vdot(T, _log_softmax(_logits(params, X))){per})"]
    if m.spec.output == "sigmoid":
        return ["A = _logits(params, X)", f"return float(({SOFTPLUS.format(A='A', out='')}){per})"]
    value = f"({VALUE[m.loss]}){per}" if mean(m) else VALUE[m.loss]
    return ["R = forward(params, X) - T", f"return float({value})"]


def fast_blocks(m: Model) -> list[Block]:
    """Y, E and Delta<L> in the buffers of the fast path."""
    y, delta = m.forward()[-1], m.backward()[0]
    L, c = m.L, residual_scale(m)
    Y, A, D = f"Z{L}", f"A{L}", f"Delta{L}"
    if m.spec.output == "softmax":
        output = Block(f"{Y} = {render(y.value)}  {y.cite}, log-sum-exp shifted by the row maximum", [
            f"{A} -= {A}.max(axis=1, keepdims=True)",
            f"{A} -= np.log(np.exp({A}, out={D}).sum(axis=1, keepdims=True))  # log y_nk",
            f"{Y} = np.exp({A}, out={D})"])
        loss = [f"E = -np.vdot(T, {A})"]
        scaled = [f"{D} = np.subtract({Y}, T, out={D})"] + ([] if c == 1 else [f"{D} *= {float(c)!r}"])
    elif m.spec.output == "sigmoid":  # E from the logits before they are overwritten
        loss = [f"E = {SOFTPLUS.format(A=A, out=f', out={D}')}  # softplus(a) - t a, finite for any a"]
        output = Block(f"{Y} = {render(y.value)}  {y.cite}, sigmoid without overflow", [
            f"np.negative({A}, out={A})", f"np.logaddexp({A}, 0.0, out={A})", f"np.negative({A}, out={A})",
            f"{Y} = np.exp({A}, out={A})"])
        scaled = [f"{D} = np.subtract({Y}, T, out={D})"] + ([] if c == 1 else [f"{D} *= {float(c)!r}"])
    else:
        output = Block(f"{Y} = {render(y.value)}  {y.cite}, identity output", [f"{Y} = {A}"])
        loss = [f"R = np.subtract({Y}, T, out={A})", f"E = {VALUE[m.loss]}"]
        scaled = [f"{D} = R" if c == 1 else f"{D} = np.multiply(R, {float(c)!r}, out=R)"]
    if mean(m):  # r = 1/N: the mean over the N examples
        loss.append("E /= N")
        scaled.append(f"{D} /= N")
    blocks = [Block(definition(m), loss), output] if m.spec.output == "sigmoid" else [output, Block(definition(m), loss)]
    return blocks + [Block(f"{D} = {render(delta.value)}  {delta.cite}", scaled)]


def targets(m: Model) -> str:
    """Random targets for check_gradients(): one-hot rows for softmax, in [0, 1] for the sigmoid, normal otherwise."""
    if m.spec.output == "softmax":
        return "np.eye(WIDTHS[-1], dtype=DTYPE)[rng.integers(0, WIDTHS[-1], N)]"
    if m.spec.output == "sigmoid":
        return "rng.uniform(0.0, 1.0, (N, WIDTHS[-1])).astype(DTYPE)"
    return "rng.standard_normal((N, WIDTHS[-1])).astype(DTYPE)"


TEXTBOOK = {  # loss -> the lines of _textbook_loss's loop over the examples n (float64, from the definition)
    "cross-entropy": ["a = _logits(params, X[n:n + 1])[0].astype(np.float64)",
                      "y = np.exp(a) / np.sum(np.exp(a))  # softmax, eq. (4)",
                      "E -= sum(float(t) * np.log(p) for t, p in zip(T[n], y))"],
    "gaussian-nll": ["y = forward(params, X[n:n + 1])[0].astype(np.float64)",
                     "for k in range(len(y)):  # -log N(t | y, 1)",
                     "    E -= np.log(np.exp(-0.5 * (y[k] - float(T[n, k])) ** 2) / np.sqrt(2.0 * np.pi))"],
    "sum-of-squares": ["y = forward(params, X[n:n + 1])[0].astype(np.float64)",
                       "E += sum((y[k] - float(T[n, k])) ** 2 for k in range(len(y)))"],
    "half-sum-of-squares": ["y = forward(params, X[n:n + 1])[0].astype(np.float64)",
                            "E += 0.5 * sum((y[k] - float(T[n, k])) ** 2 for k in range(len(y)))"],
    "binary-cross-entropy": ["a = _logits(params, X[n:n + 1])[0].astype(np.float64)",
                             "y = 1.0 / (1.0 + np.exp(-a))  # sigmoid, eq. (5.19)",
                             ("E -= sum(float(t) * np.log(p) + (1.0 - float(t)) * np.log(1.0 - p) "
                              "for t, p in zip(T[n], y))")],
}


def output(m: Model) -> dict[str, object]:
    """What the template needs for the output layer."""
    y = m.forward()[-1]
    return {
        "definition": definition(m),
        "reduction": REDUCTION[m.reduction],
        "forward": [f"{y.target.name} = {render(y.value)}", f"return {y.target.name}"],
        "loss": loss_lines(m),
        "delta": f"Delta{m.L} = {render(m.backward()[0].value)}",
        "textbook": TEXTBOOK[m.loss],
        "textbook_value": "float(E) / len(X)" if mean(m) else "float(E)",
    }
