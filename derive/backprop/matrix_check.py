"""The matrix form (derive.backprop.matrix_form) checked against the scalar rules, for several shapes.

The Model's assignments (forward A, Z; backward Delta, dW, db) are evaluated as written,
Lambda bodies included (h' from Z for tanh and sigmoid, the Heaviside step for relu), by
one small walker over the matrix expression with two backends:

- ``exact-rational`` / ``mpmath-50``: nested lists of field numbers (derive.core.fields), the
  same random point as the scalar delta recursion (derive.backprop.route2), compared
  entry by entry: dW<l>[j-1, i-1] with dE/dw_ji^(l), db<l>[j-1] with dE/dw_j0^(l).
- ``float64``: NumPy arrays, compared with route 1 (SymEngine's derivatives of the
  written-out loss at 50 digits) to a relative 1e-9.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import reduce
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derive.backprop.matrix_form import Model, Softmax
from derive.backprop.net import Key, Net, Sample, sample
from derive.backprop.route1 import route1
from derive.backprop.route2 import route2
from derive.core.checks import CONTROL_P, Check, timed
from derive.core.errors import DeriveError
from derive.core.fields import EXACT, MPMATH, Field

Mat = Any  # a matrix value: nested lists (exact, mpmath) or a NumPy array (float64)


class Lists:
    """Matrices as nested lists of field numbers."""

    def __init__(self, field: Field) -> None:
        self.field = field
        self.modules = [{"Heaviside": self.heaviside, "Max": max}, "math" if field.exact else "mpmath"]

    def heaviside(self, u: Any, at_zero: Any = None) -> Any:
        """relu' = Heaviside(u) by the matrix form's own comparison (route 2's step is that of
        derive.core.activations.NUMERIC); u = 0, where relu has no derivative, is refused."""
        if self.field.equal(u, 0, 0):
            raise DeriveError("a pre-activation is 0 (to the field's precision), where relu has no derivative")
        return 1 if u > 0 else 0

    def num(self, c: sp.Expr) -> Any:
        from fractions import Fraction
        return self.field.num(Fraction(int(c.p), int(c.q)))

    def ones(self, rows: int, cols: int) -> Mat:
        return [[1] * cols for _ in range(rows)]

    def T(self, A: Mat) -> Mat:
        return [list(r) for r in zip(*A)]

    def add(self, A: Mat, B: Mat) -> Mat:
        return [[u + v for u, v in zip(r, s)] for r, s in zip(A, B)]

    def matmul(self, A: Mat, B: Mat) -> Mat:
        return [[sum((u * v for u, v in zip(r, c)), 0) for c in zip(*B)] for r in A]

    def scale(self, c: Any, A: Mat) -> Mat:
        return [[c * u for u in r] for r in A]

    def hadamard(self, A: Mat, B: Mat) -> Mat:
        return [[u * v for u, v in zip(r, s)] for r, s in zip(A, B)]

    def apply(self, f: sp.Lambda, A: Mat) -> Mat:
        g = sp.lambdify(f.variables, f.expr, self.modules)
        return [[g(u) for u in r] for r in A]

    def softmax(self, A: Mat) -> Mat:
        exp = self.field.elementary("exp")
        return [[e / sum(row) for e in row] for row in ([exp(u) for u in r] for r in A)]


class Arrays(Lists):
    """Matrices as NumPy float64 arrays."""

    def __init__(self) -> None:
        self.modules = [{"Heaviside": lambda u, h0=0.5: np.heaviside(u, h0)}, "scipy", "numpy"]  # scipy: erf

    def num(self, c: sp.Expr) -> Any:
        return float(c)

    def ones(self, rows: int, cols: int) -> Mat:
        return np.ones((rows, cols))

    def T(self, A: Mat) -> Mat:
        return A.T

    def add(self, A: Mat, B: Mat) -> Mat:
        return A + B

    def matmul(self, A: Mat, B: Mat) -> Mat:
        return A @ B

    def scale(self, c: Any, A: Mat) -> Mat:
        return c * A

    def hadamard(self, A: Mat, B: Mat) -> Mat:
        return A * B

    def apply(self, f: sp.Lambda, A: Mat) -> Mat:
        return np.broadcast_to(sp.lambdify(f.variables, f.expr, self.modules)(A), A.shape)

    def softmax(self, A: Mat) -> Mat:
        e = np.exp(A - A.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def evaluate(e: sp.Expr, env: dict[str, Any], ops: Lists) -> Any:
    """A matrix expression of derive.backprop.matrix_form, evaluated with the backend `ops`."""
    ev: Callable[[sp.Expr], Any] = lambda u: evaluate(u, env, ops)  # noqa: E731
    if isinstance(e, sp.MatrixSymbol):
        return env[e.name]
    if isinstance(e, sp.OneMatrix):
        return ops.ones(*(int(d) for d in e.shape))
    if isinstance(e, sp.Transpose):
        return ops.T(ev(e.arg))
    if isinstance(e, sp.MatAdd):
        return reduce(ops.add, [ev(u) for u in e.args])
    if isinstance(e, sp.MatMul):
        scalars = [ops.num(u) for u in e.args if not u.is_Matrix]
        out = reduce(ops.matmul, [ev(u) for u in e.args if u.is_Matrix])
        return reduce(lambda A, c: ops.scale(c, A), scalars, out)
    if isinstance(e, sp.HadamardProduct):
        return reduce(ops.hadamard, [ev(u) for u in e.args])
    if isinstance(e, ElementwiseApplyFunction):
        return ops.apply(e.function, ev(e.expr))
    if isinstance(e, Softmax):
        return ops.softmax(ev(e.arg))
    raise DeriveError(f"the matrix form holds a {type(e).__name__}, which the check cannot evaluate")


def net_of(model: Model) -> Net:
    return Net(model.widths, tuple(act.name for act in model.hidden), model.loss, "identity", int(model.N),
               model.reduction)


def environment(model: Model, s: Sample, convert: Callable[[Any], Any]) -> dict[str, Any]:
    """X, T, W<l>, b<l> from the scalar sample: W<l>[j-1][i-1] = w_ji^(l), b<l>[j-1] = w_j0^(l)."""
    net, N = net_of(model), int(model.N)
    env: dict[str, Any] = {"X": [[convert(s.x[n, i]) for i in range(1, net.widths[0] + 1)] for n in range(1, N + 1)],
                           "T": [[convert(s.t[n, k]) for k in range(1, net.widths[-1] + 1)] for n in range(1, N + 1)]}
    for l in range(1, net.L + 1):
        env[f"W{l}"] = [[convert(s.w[l, j, i]) for i in range(1, net.widths[l - 1] + 1)] for j in range(1, net.widths[l] + 1)]
        env[f"b{l}"] = [[convert(s.w[l, j, 0])] for j in range(1, net.widths[l] + 1)]
    return env


def run(model: Model, env: dict[str, Any], ops: Lists) -> dict[str, Any]:
    """Every forward and backward assignment in order; returns the filled environment."""
    for step_ in model.forward() + model.backward():
        env[step_.target.name] = evaluate(step_.value, env, ops)
    return env


def gradient(model: Model, env: dict[str, Any]) -> dict[Key, Any]:
    grad = {}
    for l in range(1, model.L + 1):
        for j in range(model.widths[l]):
            grad[l, j + 1, 0] = env[f"db{l}"][j][0]
            grad.update({(l, j + 1, i + 1): env[f"dW{l}"][j][i] for i in range(model.widths[l - 1])})
    return grad


def field_for(model: Model) -> Field:
    """Exact where every value stays rational (identity, relu hidden; an identity output)."""
    rational = all(act.name in ("identity", "relu") for act in model.hidden) and model.spec.output == "identity"
    return EXACT if rational else MPMATH


def against_recursion(model: Model, seed: int = 1, wrong_claim: bool = False) -> tuple[bool, str]:
    """The matrix form in exact or 50-digit arithmetic vs the scalar delta recursion (with
    `wrong_claim`, vs the recursion's gradients times 98/97: the control)."""
    field, net = field_for(model), net_of(model)
    with field.context():
        s = sample(net, field, seed)
        g_matrix = gradient(model, run(model, environment(model, s, lambda v: v), Lists(field)))
        g_scalar = route2(net, s, field)
        if wrong_claim:
            factor = field.num(Fraction(CONTROL_P + 1, CONTROL_P))
            g_scalar = {key: factor * v for key, v in g_scalar.items()}
        scale = max(field.size(v) for v in g_scalar.values())
        wrong = [key for key in sorted(g_scalar) if not field.equal(g_matrix[key], g_scalar[key], scale)]
    return report(model, "the scalar recursion (8), (9)", wrong, g_matrix, g_scalar, field.name)


def against_differentiation(model: Model, seed: int = 1, wrong_claim: bool = False) -> tuple[bool, str]:
    """The matrix form in NumPy float64 vs SymEngine's derivatives of the written-out loss
    (with `wrong_claim`, vs those derivatives times 98/97: the control)."""
    net = net_of(model)
    factor = (CONTROL_P + 1) / CONTROL_P if wrong_claim else 1.0
    with MPMATH.context():
        s = sample(net, MPMATH, seed)
        g_diff = {key: factor * float(v) for key, v in route1(net, s, MPMATH, sorted(s.w)).items()}
    env = {name: np.array(m, dtype=np.float64) for name, m in environment(model, s, float).items()}
    g_matrix = gradient(model, run(model, env, Arrays()))
    wrong = [key for key in sorted(g_diff) if not np.isclose(g_matrix[key], g_diff[key], rtol=1e-9, atol=1e-12)]
    return report(model, "differentiation of the written-out loss", wrong, g_matrix, g_diff, "float64")


def report(model: Model, other: str, wrong: list[Key], mine: dict, theirs: dict, how: str) -> tuple[bool, str]:
    shape = f"widths {','.join(map(str, model.widths))}, {','.join(a.name for a in model.hidden) or 'no hidden'}, {model.loss}, N={model.N}"
    if not wrong:
        return True, f"{shape}: all {len(theirs)} entries of dW, db equal {other} ({how})"
    l, j, i = wrong[0]
    where = f"db{l}[{j - 1}]" if i == 0 else f"dW{l}[{j - 1},{i - 1}]"
    return False, f"{shape}: {len(wrong)} entries differ, first {where} = {mine[wrong[0]]} vs {theirs[wrong[0]]} ({other})"


def checks(model: Model, seed: int = 1) -> list[Check]:
    """Both routes for one shape."""
    field = field_for(model)
    return [timed(field.name, lambda: against_recursion(model, seed), 60.0,
                  lambda: against_recursion(model, seed, wrong_claim=True)),
            timed("float64", lambda: against_differentiation(model, seed), 60.0,
                  lambda: against_differentiation(model, seed, wrong_claim=True))]
