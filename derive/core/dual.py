"""The independent reading of a typed activation: its tree interpreted on dual numbers (h, h').

Forward-mode differentiation by hand, rule by rule (product, quotient, chain), in whatever
number the point is: Fractions and residues mod p for the rational trees, mpmath otherwise.
It shares nothing with SymPy's `diff`, which the registry checks against it.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath

from derive.core.errors import DeriveError
from derive.core.typed import Node

Dual = tuple[Any, Any]  # (value, derivative)


def _sigmoid(u: Any) -> Any:
    return 1 / (1 + mpmath.exp(-u))


# function -> (f, f') on plain numbers
UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "exp": (mpmath.exp, mpmath.exp),
    "log": (mpmath.log, lambda u: 1 / u),
    "ln": (mpmath.log, lambda u: 1 / u),
    "sqrt": (mpmath.sqrt, lambda u: 1 / (2 * mpmath.sqrt(u))),
    "tanh": (mpmath.tanh, lambda u: 1 / mpmath.cosh(u) ** 2),
    "sinh": (mpmath.sinh, mpmath.cosh),
    "cosh": (mpmath.cosh, mpmath.sinh),
    "sigmoid": (_sigmoid, lambda u: _sigmoid(u) * _sigmoid(-u)),
    "softplus": (lambda u: mpmath.log1p(mpmath.exp(u)), _sigmoid),
    "erf": (mpmath.erf, lambda u: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-u * u)),
    "Phi": (lambda u: mpmath.ncdf(u), lambda u: mpmath.npdf(u)),
}


def evaluate(node: Node, u: Any) -> Dual:
    """(h(u), h'(u)) of the tree at u; at a kink of abs, max, min or Piecewise, the side that
    the comparison picks (h' is not compared there)."""
    op = node.op
    if op == "num":
        q = node.value
        if isinstance(u, (mpmath.mpf, float)):  # mpf and Fraction do not compare
            return mpmath.mpf(q.numerator) / q.denominator, 0  # type: ignore[union-attr]
        return q, 0
    if op == "var":
        return u, 1
    if op == "const":
        return (mpmath.pi if node.value == "pi" else mpmath.e), 0
    if op == "neg":
        v, d = evaluate(node.args[0], u)
        return -v, -d
    if op in "+-*/^" and len(op) == 1:
        return binary(op, evaluate(node.args[0], u), node.args[1], u)
    if op in UNARY:
        v, d = evaluate(node.args[0], u)
        f, df = UNARY[op]
        return f(v), df(v) * d
    if op == "abs":
        v, d = evaluate(node.args[0], u)
        return (v, d) if v >= 0 else (-v, -d)
    if op in ("max", "min"):
        best = evaluate(node.args[0], u)
        for arg in node.args[1:]:
            other = evaluate(arg, u)
            if (other[0] > best[0]) if op == "max" else (other[0] < best[0]):
                best = other
        return best
    if op == "Piecewise":
        for piece in node.args:
            expr, condition = piece.args
            if holds(condition, u):
                return evaluate(expr, u)
    raise DeriveError(f"cannot evaluate {op} at {u}")


def holds(condition: Node, u: Any) -> bool:
    if condition.op == "true":
        return True
    left, right = (evaluate(side, u)[0] for side in condition.args)
    return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[str(condition.value)]


def binary(op: str, left: Dual, right_node: Node, u: Any) -> Dual:
    (p, dp), (q, dq) = left, evaluate(right_node, u)
    if op == "+":
        return p + q, dp + dq
    if op == "-":
        return p - q, dp - dq
    if op == "*":
        return p * q, dp * q + p * dq
    if op == "/":
        return p / q, (dp * q - p * dq) / (q * q)
    if right_node.op == "num" and isinstance(right_node.value, Fraction) and right_node.value.denominator == 1:
        n = int(right_node.value)  # u^n: exact in every field
        if n == 0:
            return 1, 0
        return p**n, n * p ** (n - 1) * dp
    if dq == 0:  # u^c, c a real constant
        return mpmath.power(p, q), q * mpmath.power(p, q - 1) * dp
    value = mpmath.power(p, q)  # c^v = exp(v log c)
    return value, value * (dq * mpmath.log(p) + (q * dp / p if dp else 0))


def functions(node: Node) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(h, h') as two functions of a number, for derive.core.activations.Numeric."""
    return (lambda u: evaluate(node, u)[0]), (lambda u: evaluate(node, u)[1])
