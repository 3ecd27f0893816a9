"""NumPy code for the verified batch-major network: a SymPy printer and `write_module`.

`NumPyMatrixPrinter` renders the matrix expressions of derive/vectorised.py as readable
NumPy, one assignment at a time:

    A1 = X @ W1.T + b1                      eq. (6): 1 b^T is b broadcast over the rows
    Z1 = np.tanh(A1)                        eq. (5)
    Delta1 = (1.0 - Z1 * Z1) * (Delta2 @ W2)   eq. (9), h' from z
    dW1 = Delta1.T @ X,  db1 = Delta1.sum(axis=0)   eq. (8) summed over n

Those lines are the readable reference (`forward`, `loss`) and the comments above the
fast in-place statements of `gradients` (derive/emit/code_inplace.py, code_plan.py).
Numerically unsafe forms of the registry are printed in a stable form that is the same
function: softplus log(1 + e^a) as logaddexp(a, 0) and the logistic 1/(1 + e^(-a)) as
exp(-logaddexp(-a, 0)): no overflow for |a| > 709, and full relative precision where the
logistic is as small as e^(-100) (0.5 tanh(a/2) + 0.5 would round it to 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE, precedence

from derive.backprop.matrix_form import Softmax
from derive.emit.code.stable import clip, expm1, logistic, softplus, stable

DTYPES = ("float64", "float32")


def lambda_body(fn: ElementwiseApplyFunction) -> sp.Expr:
    """h(u) of an elementwise application, with u renamed to the matrix it is applied to."""
    (u,), body = fn.function.variables, fn.function.expr
    arg = sp.Symbol(str(fn.expr))
    return stable(body, u).subs(u, arg)


def binding(expr: sp.Basic) -> int:
    """How tightly the printed expr binds (Python's levels; `@` binds like `*`)."""
    if isinstance(expr, ElementwiseApplyFunction):
        return binding(lambda_body(expr))
    if isinstance(expr, (sp.MatrixSymbol, sp.Transpose, Softmax, sp.OneMatrix)):
        return PRECEDENCE["Atom"]
    if isinstance(expr, sp.MatAdd):
        return PRECEDENCE["Add"]
    if isinstance(expr, sp.MatMul):
        c, mats = expr.as_coeff_matrices()
        single = len(mats) == 1 or len(mats) == 2 and any(isinstance(m, sp.OneMatrix) for m in mats)
        return PRECEDENCE["Atom"] if c == 1 and single else PRECEDENCE["Mul"]
    return precedence(expr)


class NumPyMatrixPrinter(NumPyPrinter):
    """Batch-major NumPy for derive.backprop.matrix_form: `@` for products, `np.` for functions."""

    def __init__(self, ones: str | None = None) -> None:
        super().__init__({"fully_qualified_modules": True, "strict": True})
        self.ones = ones  # name of a kept vector of N ones: Delta^T 1 as one GEMV

    def _module_format(self, fqn: str, register: bool = True) -> str:
        name = super()._module_format(fqn, register)
        return "np." + name[len("numpy."):] if name.startswith("numpy.") else name

    def paren(self, expr: sp.Basic, level: int) -> str:
        """expr printed, in parentheses when it binds less tightly than `level`."""
        text = self._print(expr)
        tight = level <= PRECEDENCE["Add"] or not text.startswith("-")
        return text if tight and binding(expr) >= level else f"({text})"

    # --- matrices ----------------------------------------------------------------------------
    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        return str(expr.name)

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        return f"{self.paren(expr.arg, PRECEDENCE['Atom'])}.T"

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        c, mats = expr.as_coeff_matrices()
        if len(mats) == 2 and isinstance(mats[0], sp.OneMatrix):
            body = self._print(mats[1].arg)  # 1 b^T: b of shape (M,) broadcasts over rows
        elif len(mats) == 2 and isinstance(mats[1], sp.OneMatrix) and self.ones:
            body = f"{self.ones} @ {self.paren(mats[0].arg, PRECEDENCE['Mul'] + 1)}"  # (1^T Delta)^T
        elif len(mats) == 2 and isinstance(mats[1], sp.OneMatrix):
            body = f"{self.paren(mats[0].arg, PRECEDENCE['Atom'])}.sum(axis=0)"  # Delta^T 1
        else:
            body = " @ ".join(self.paren(m, PRECEDENCE["Mul"] + 1) for m in mats)
        if c == 1:
            return body
        if c == -1:
            return f"-{body}" if len(mats) == 1 else f"-({body})"
        return f"{self._print(c)} * {body if len(mats) == 1 else f'({body})'}"

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        terms = sorted((t.as_coeff_mmul() for t in expr.args), key=lambda cm: bool(cm[0] < 0))
        sizes = {abs(c) for c, _ in terms}
        k = sizes.pop() if len(sizes) == 1 else sp.S.One  # 2 Z - 2 T -> 2.0 * (Z - T)
        text = ""
        for c, m in terms:
            size = abs(c) / k
            term = self.paren(m, PRECEDENCE["Add"] + 1) if size == 1 else \
                f"{self._print(size)} * {self.paren(m, PRECEDENCE['Mul'] + 1)}"
            text += ("-" if c < 0 else "") + term if not text else (" - " if c < 0 else " + ") + term
        return text if k == 1 else f"{self._print(k)} * ({text})"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        # a * b @ c would be (a * b) @ c in Python: products of matrices go in parentheses
        return " * ".join(self.paren(m, PRECEDENCE["Mul"] + isinstance(m, sp.MatMul)) for m in expr.args)

    def _print_ElementwiseApplyFunction(self, expr: ElementwiseApplyFunction) -> str:
        return self._print(lambda_body(expr))

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        return f"np.ones({self._print(expr.shape)})"

    def _print_Softmax(self, expr: Softmax) -> str:
        return f"np.exp(_log_softmax({self._print(expr.arg)}))"  # eq. (4), log-sum-exp inside

    # --- scalars (the bodies of h and h') --------------------------------------------------
    def _print_Integer(self, expr: sp.Integer) -> str:
        return f"{float(expr)!r}"

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"{float(expr)!r}"

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        terms = expr.as_ordered_terms()
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        negative = [-t for t in terms if t.could_extract_minus_sign()]
        text = " + ".join(self._print(t) for t in positive) or f"-{self.paren(negative.pop(0), PRECEDENCE['Mul'])}"
        for t in negative:
            text += f" - {self.paren(t, PRECEDENCE['Add'] + 1)}"
        return text

    def _print_Mul(self, expr: sp.Mul) -> str:
        c, factors = expr.as_coeff_mul()
        if c < 0:
            return f"-{self.paren(-expr, PRECEDENCE['Mul'] + 1)}"
        numerator = [f for f in factors if not (f.is_Pow and f.exp.is_negative)]
        denominator = [1 / f for f in factors if f.is_Pow and f.exp.is_negative]
        parts = ([] if c == 1 else [self._print(c)]) + [self.paren(f, PRECEDENCE["Mul"]) for f in numerator]
        text = " * ".join(parts) or "1.0"
        for f in denominator:  # u**2 is printed u * u: in parentheses after /
            tight = self.paren(f, PRECEDENCE["Mul"] + 1)
            text += f" / ({tight})" if f.is_Pow and f.exp == 2 and not tight.startswith("(") else f" / {tight}"
        return text

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, n = expr.args
        if n == 2:
            b = self.paren(base, PRECEDENCE["Mul"] + 1)
            return f"{b} * {b}"
        if n == -1:
            return f"1.0 / {self.paren(base, PRECEDENCE['Mul'] + 1)}"
        if n == sp.S.Half:
            return f"np.sqrt({self._print(base)})"
        return f"{self.paren(base, PRECEDENCE['Pow'] + 1)} ** {self.paren(n, PRECEDENCE['Pow'] + 1)}"

    def _print_Max(self, expr: sp.Max) -> str:
        args = sorted(expr.args, key=lambda e: e.is_Number)  # the array first: np.maximum(A, 0.0)
        return f"np.maximum({', '.join(self._print(a) for a in args)})"

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        x, h0 = expr.args if len(expr.args) == 2 else (expr.args[0], sp.S.Half)
        return f"np.heaviside({self._print(x)}, {self._print(h0)})"

    def _print_softplus(self, expr: softplus) -> str:
        return f"np.logaddexp({self._print(expr.args[0])}, 0.0)"

    def _print_logistic(self, expr: logistic) -> str:
        x = expr.args[0]
        return f"np.exp(-np.logaddexp({self._print(-x)}, 0.0))"

    def _print_expm1(self, expr: expm1) -> str:
        return f"np.expm1({self._print(expr.args[0])})"

    def _print_clip(self, expr: clip) -> str:
        x, low, high = (self._print(e) for e in expr.args)
        if expr.args[1] == -sp.oo:
            return f"np.minimum({x}, {high})"
        if expr.args[2] == sp.oo:
            return f"np.maximum({x}, {low})"
        return f"np.clip({x}, {low}, {high})"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        *pieces, (last, _) = expr.args
        text = self._print(last)
        for value, cond in reversed(pieces):
            text = f"np.where({self._print(cond)}, {self._print(value)}, {text})"
        return text

    def _print_LessThan(self, expr: sp.LessThan) -> str:
        return f"{self._print(expr.lhs)} <= {self._print(expr.rhs)}"

    def _print_erf(self, expr: sp.erf) -> str:
        return f"scipy.special.erf({self._print(expr.args[0])})"  # NumPy has none; math.erf takes scalars

    def _print_sign(self, expr: sp.sign) -> str:
        return f"np.sign({self._print(expr.args[0])})"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"np.abs({self._print(expr.args[0])})"


def render(value: sp.Basic, ones: str | None = None) -> str:
    """One matrix (or scalar) expression as NumPy source; with `ones`, column sums as GEMVs."""
    return NumPyMatrixPrinter(ones).doprint(value)


@dataclass(frozen=True)
class Block:
    """One assignment of the fast path: its readable form (a comment) and its statements."""

    comment: str
    lines: list[str]
