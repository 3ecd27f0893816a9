"""In-place NumPy statements for the fast `gradients` of an emitted module.

The readable line `Delta1 = (1.0 - Z1 * Z1) * (Delta2 @ W2)` (eq. 9) allocates three
temporaries of shape (N, M_1). Here the same expression becomes statements that write into
buffers made once per batch size:

    np.matmul(Delta2, W2, out=Delta1)
    np.multiply(Z1, Z1, out=Z1)           # Z1 is dead once dW2 = Delta2.T @ Z1 is taken
    np.subtract(1.0, Z1, out=Z1)
    Delta1 *= Z1

A scalar body h(u) (or h'(u)) is compiled by walking its tree: each node is one ufunc call
whose `out=` is the target buffer. Forms the walk cannot do without a temporary raise
NotInPlace; callers then fall back to the readable expression (correct, slower).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derive.emit.code.printer import lambda_body, render
from derive.emit.code.stable import softplus

UNARY = {sp.tanh: "np.tanh", sp.exp: "np.exp", sp.log: "np.log"}
Lines = list[str]


class NotInPlace(Exception):
    """The expression needs a temporary: print it the readable way instead."""


def number(c: sp.Expr) -> str:
    return f"{float(c)!r}"


def call(ufunc: str, args: list[str], out: str) -> str:
    """`out op= b` when the ufunc updates out in place with an array or number, else out=."""
    ops = {"np.add": "+=", "np.multiply": "*=", "np.subtract": "-="}
    if ufunc in ops and args[0] == out and len(args) == 2:
        return f"{out} {ops[ufunc]} {args[1]}"
    return f"{ufunc}({', '.join(args)}, out={out})"


def _emit(expr: sp.Expr, src: str, out: str) -> tuple[Lines, str]:
    """Statements leaving expr(src) in the buffer returned (src itself when expr is src)."""
    if expr == sp.Symbol(src):
        return [], src
    func = type(expr)
    if func in UNARY or func in (softplus, sp.Heaviside):
        lines, at = _emit(expr.args[0], src, out)
        if func is softplus:  # log(1 + e^x) = logaddexp(x, 0)
            return lines + [call("np.logaddexp", [at, "0.0"], out)], out
        if func is sp.Heaviside:
            h0 = expr.args[1] if len(expr.args) == 2 else sp.S.Half
            return lines + [call("np.heaviside", [at, number(h0)], out)], out
        return lines + [call(UNARY[func], [at], out)], out
    if isinstance(expr, sp.Max) and len(expr.args) == 2 and expr.args[0].is_Number:
        lines, at = _emit(expr.args[1], src, out)
        return lines + [call("np.maximum", [at, number(expr.args[0])], out)], out
    if expr.is_Pow and expr.exp == 2:
        lines, at = _emit(expr.base, src, out)
        return lines + [call("np.multiply", [at, at], out)], out
    if expr.is_Add:
        c, rest = expr.as_coeff_add()
        if c == 0 or len(rest) != 1:
            raise NotInPlace(expr)
        (term,) = rest
        if term.could_extract_minus_sign():  # c - x
            lines, at = _emit(-term, src, out)
            return lines + [call("np.subtract", [number(c), at], out)], out
        lines, at = _emit(term, src, out)
        return lines + [call("np.add", [at, number(c)], out)], out
    if expr.is_Mul:
        c, rest = expr.as_coeff_mul()
        if len(rest) != 1:
            raise NotInPlace(expr)
        lines, at = _emit(rest[0], src, out)
        if c == -1:
            return lines + [call("np.negative", [at], out)], out
        return lines + [call("np.multiply", [at, number(c)], out)], out
    raise NotInPlace(expr)


def into(body: sp.Expr, src: str, out: str) -> Lines:
    """Statements leaving body (a scalar expression in Symbol(src)) in out, no temporaries."""
    lines, at = _emit(body, src, out)
    return lines if at == out else [f"np.copyto({out}, {at})"]


def scale(body: sp.Expr, src: str, acc: str, clobber: bool) -> Lines:
    """acc *= body(src) elementwise: factors equal to src multiply in directly, the one other
    factor is computed into src itself when src is dead (`clobber`), else printed readably."""
    u = sp.Symbol(src)
    c, factors = body.as_coeff_mul()
    lines = [f"{acc} *= {src}" for f in factors if f == u]
    rest = [f for f in factors if f != u]
    if c != 1:
        lines.append(f"{acc} *= {number(c)}")
    if not rest:
        return lines
    if len(rest) == 1 and clobber:
        try:
            return lines + into(rest[0], src, src) + [f"{acc} *= {src}"]
        except NotInPlace:
            pass
    return lines + [f"{acc} *= {render(sp.Mul(*rest))}"]


def matrix_into(value: sp.MatrixExpr, out: str, clobber: bool = True) -> Lines:
    """A matrix assignment written into the buffer `out`:

    Z W^T + 1 b^T  ->  np.matmul(Z, W.T, out=A); A += b        (eq. 6)
    h(A)           ->  ufunc calls with out=                     (eq. 5)
    h'(.) o (D W)  ->  np.matmul(D, W, out=Delta); Delta *= h'  (eq. 9)
    """
    if isinstance(value, sp.MatAdd):
        products = [t for t in value.args if isinstance(t, sp.MatMul) and _is_product(t)]
        if len(products) != 1:
            return [f"np.copyto({out}, {render(value)})"]
        rest = [t for t in value.args if t is not products[0]]
        return matrix_into(products[0], out) + [f"{out} += {render(t)}" for t in rest]
    if isinstance(value, sp.MatMul) and _is_product(value):
        left, right = value.args
        return [f"np.matmul({render(left)}, {render(right)}, out={out})"]
    if isinstance(value, ElementwiseApplyFunction):
        try:
            return into(lambda_body(value), str(value.expr), out)
        except NotInPlace:
            return [f"np.copyto({out}, {render(value)})"]
    if isinstance(value, sp.HadamardProduct):
        slope, back = sorted(value.args, key=lambda m: isinstance(m, sp.MatMul))
        if isinstance(slope, ElementwiseApplyFunction) and _is_product(back):
            return matrix_into(back, out) + scale(lambda_body(slope), str(slope.expr), out, clobber)
    return [f"np.copyto({out}, {render(value)})"]


def _is_product(m: sp.MatMul) -> bool:
    """Two matrices, no scalar factor, no broadcast ones: one GEMM."""
    c, mats = m.as_coeff_matrices()
    return c == 1 and len(mats) == 2 and not any(isinstance(x, sp.OneMatrix) for x in mats)
