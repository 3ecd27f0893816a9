"""The batch-major matrix form of the forward and backward passes (exercises c, i-l).

This is the form the emitted NumPy code computes, written as SymPy matrix expressions:

    A^(l) = Z^(l-1) W^(l)T + 1 b^(l)T          (eq. 6, N examples at once; Z^(0) = X)
    Z^(l) = h_l(A^(l))                         (eq. 5, elementwise)
    Y     = Z^(L), or softmax(A^(L)) row-wise  (eq. 4)
    Delta^(L) = dE/dA^(L) = r c (Y - T)        (exercises i, k, "losses": c and r from the loss registry)
    Delta^(l) = h_l'(A^(l)) o (Delta^(l+1) W^(l+1))   (eq. 9; W without its bias column)
    dE/dW^(l) = Delta^(l)T Z^(l-1),  dE/db^(l) = Delta^(l)T 1   (eq. 8 summed over n, exercise l)

Shapes: X (N, D), W^(l) (M_l, M_{l-1}) with row j = unit j of layer l (w_ji, as in
torch.nn.Linear.weight), b^(l) kept separate from W^(l) (the maths folds it in as the
column i = 0, eq. 3), A^(l), Z^(l), Delta^(l) of shape (N, M_l). E is the sum over the
batch, as E(w) in the exercise (reduction "sum"), or that sum divided by N ("mean": r = 1/N).
h' is taken in terms of Z where that is cheaper.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derive.core import activations, losses
from derive.core.activations import Activation
from derive.core.errors import DeriveError

LOSSES = {name: losses.get(name).output for name in losses.names()}  # loss -> output non-linearity h_L


class Softmax(sp.MatrixExpr):
    """Row-wise softmax of an (N, K) matrix: y_nk = exp(a_nk) / sum_j exp(a_nj)."""

    def __new__(cls, arg: sp.MatrixExpr) -> Softmax:
        return sp.Basic.__new__(cls, arg)

    @property
    def arg(self) -> sp.MatrixExpr:
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.arg.shape

    def _entry(self, i: sp.Expr, j: sp.Expr, **kwargs: object) -> sp.Expr:
        K = self.shape[1]
        denominator = sum(sp.exp(self.arg[i, k]) for k in range(int(K)))
        return sp.exp(self.arg[i, j]) / denominator


@dataclass(frozen=True)
class Assignment:
    """target := value, with the equation it implements."""

    target: sp.MatrixSymbol
    value: sp.MatrixExpr
    cite: str


@dataclass(frozen=True)
class Model:
    """A concrete architecture: widths (D, M_1, ..., K), hidden activations, loss, batch N, reduction."""

    widths: tuple[int, ...]
    hidden: tuple[Activation, ...]
    loss: str
    N: int | sp.Symbol = sp.Symbol("N", integer=True, positive=True)
    reduction: str = "sum"

    def __post_init__(self) -> None:
        losses.get(self.loss)  # an unknown name raises with the choices
        losses.check_reduction(self.reduction)
        if len(self.hidden) != self.L - 1:
            raise DeriveError(f"need {self.L - 1} hidden activations, got {len(self.hidden)}")

    @classmethod
    def of(cls, widths: tuple[int, ...], hidden: tuple[str, ...], loss: str,
           N: int | sp.Symbol | None = None, reduction: str = "sum") -> Model:
        acts = tuple(activations.get(name) for name in hidden)
        if N is None:
            return cls(widths, acts, loss) if reduction == "sum" else cls(widths, acts, loss, reduction=reduction)
        return cls(widths, acts, loss, N, reduction)

    @property
    def spec(self) -> losses.Loss:
        return losses.get(self.loss)

    @property
    def L(self) -> int:
        return len(self.widths) - 1

    # The matrices, named as in the emitted code.
    @property
    def X(self) -> sp.MatrixSymbol:
        return sp.MatrixSymbol("X", self.N, self.widths[0])

    @property
    def T(self) -> sp.MatrixSymbol:
        return sp.MatrixSymbol("T", self.N, self.widths[-1])

    def W(self, l: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"W{l}", self.widths[l], self.widths[l - 1])

    def b(self, l: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"b{l}", self.widths[l], 1)

    def A(self, l: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"A{l}", self.N, self.widths[l])

    def Z(self, l: int) -> sp.MatrixSymbol:
        return self.X if l == 0 else sp.MatrixSymbol(f"Z{l}", self.N, self.widths[l])

    def Delta(self, l: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"Delta{l}", self.N, self.widths[l])

    def dW(self, l: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"dW{l}", self.widths[l], self.widths[l - 1])

    def db(self, l: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"db{l}", self.widths[l], 1)

    @property
    def ones(self) -> sp.OneMatrix:
        return sp.OneMatrix(self.N, 1)

    # --- the passes ------------------------------------------------------------------------
    def h(self, l: int, arg: sp.MatrixExpr) -> sp.MatrixExpr:
        if l == self.L and self.spec.output == "softmax":
            return Softmax(arg)
        act = self.hidden[l - 1] if l < self.L else activations.get(self.spec.output)
        if act.name == "identity":
            return arg
        u = sp.Dummy("u")
        return ElementwiseApplyFunction(sp.Lambda(u, act.h.subs(activations.a, u)), arg)

    def h_prime(self, l: int) -> sp.MatrixExpr:
        """h_l'(A^(l)) elementwise, from Z^(l) where the registry has the z-form."""
        act = self.hidden[l - 1]
        u = sp.Dummy("u")
        if act.dh_from_z is not None:
            body, arg = act.dh_from_z.subs(activations.z, u), self.Z(l)
        else:
            body, arg = act.dh.subs(activations.a, u), self.A(l)
        if body == 1:  # identity: h' = 1, nothing to multiply
            return sp.OneMatrix(*arg.shape)
        return ElementwiseApplyFunction(sp.Lambda(u, body), arg)

    def forward(self) -> list[Assignment]:
        steps = []
        for l in range(1, self.L + 1):
            pre = self.Z(l - 1) * self.W(l).T + self.ones * self.b(l).T
            steps.append(Assignment(self.A(l), pre, "eq. (6)"))
            steps.append(Assignment(self.Z(l), self.h(l, self.A(l)), "eq. (5)" if l < self.L else "eq. (4)"))
        return steps

    def output_delta(self) -> sp.MatrixExpr:
        """Delta^(L) = dE/dA^(L) = r c (Y - T), the loss registry's claim (exercises i, k, "losses" verify
        it): c = 2 for E = sum ||y - t||^2 (no 1/2, exercise k), 1 for the others; r = 1/N for the mean."""
        Y, T = self.Z(self.L), self.T
        c = sp.Integer(self.spec.scale) if self.reduction == "sum" else sp.Integer(self.spec.scale) / self.N
        return Y - T if c == 1 else c * (Y - T)

    def backward(self) -> list[Assignment]:
        steps = [Assignment(self.Delta(self.L), self.output_delta(), "exercise i)/k)")]
        for l in range(self.L - 1, 0, -1):
            back = self.Delta(l + 1) * self.W(l + 1)
            slope = self.h_prime(l)
            value = back if isinstance(slope, sp.OneMatrix) else sp.HadamardProduct(slope, back)
            steps.append(Assignment(self.Delta(l), value, "eq. (9)"))
        for l in range(1, self.L + 1):
            steps.append(Assignment(self.dW(l), self.Delta(l).T * self.Z(l - 1), "eq. (8), summed over n (l)"))
            steps.append(Assignment(self.db(l), self.Delta(l).T * self.ones, "eq. (8) with z_0 = 1"))
        return steps
