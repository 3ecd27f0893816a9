"""The sheet's LaTeX printer: the exercise's notation, no SymPy artefacts, and it compiles."""
from __future__ import annotations

import shutil

import pytest
import sympy as sp

from derive.core import notation as nt
from derive.rules import network as rules
from derive.emit.latex.printer import latex, matrix_tex
from derive.emit.latex.prose import prose, split_math
from derive.emit.latex.pdf import compile_pdf, overfull
from derive.core.network import Network

j, i, k, n = nt.j, nt.i, nt.k, nt.n
ARTEFACTS = ("Subs", "Derivative", "KroneckerDelta", "Piecewise", "_xi", "Dummy", "__", "substack")


def tricky() -> dict[str, sp.Basic]:
    """Expressions the exercises make, with the forms SymPy leaves behind."""
    net = Network.generic(2)
    h1 = nt.h(1)
    u = sp.Dummy("xi_1")
    delta, w = nt.base("delta", "lp1"), nt.base("w", "lp1")
    E, y, t = sp.Function("E"), nt.base("y"), nt.base("t")
    sigma, N, K, D = nt.sigma, nt.N, nt.K, nt.D
    W, A = sp.MatrixSymbol("W__lp1", 2, 3), sp.MatrixSymbol("A", 2, 2)
    return {
        "closed form b": rules.closed_form(Network.generic(3), j),
        "output with Piecewise": net.output(j),
        "h prime": net.h_prime(1, net.a(1)[j]),
        "h prime of a sum (Subs)": net.h_prime(1, net.a(1)[j] + 1),
        "Subs by hand": sp.Subs(sp.Derivative(h1(u), u), u, net.a(1)[j]),
        "second derivative": sp.Derivative(h1(net.a(1)[j]), (net.a(1)[j], 2)),
        "backprop sum": sp.Sum(delta[k] * w[k, j] * net.h_prime(1, net.a(1)[j]),
                               (k, 1, sp.Symbol("M_lp1", integer=True, positive=True))),
        "dE/dw": sp.Derivative(E(sp.Symbol("w")), nt.base("w", "L")[j, i]),
        "Kronecker": sp.KroneckerDelta(j, k) * y[k],
        "softmax": sp.exp(nt.base("a", "L")[j]) / sp.Sum(sp.exp(nt.base("a", "L")[k]), (k, 1, K)),
        "gaussian": N * D / 2 * sp.log(2 * sp.pi * sigma**2) + E(sp.Symbol("w")) / (2 * sigma**2),
        "cross-entropy": -sp.Sum(t[n, k] * sp.log(y[n, k]), (k, 1, K), (n, 1, N)),
        "exp of a fraction": sp.exp(-sp.Sum((y[n, k] - t[n, k])**2, (k, 1, K)) / (2 * sigma**2)),
        "derivative over a fraction": sp.Derivative(E(sp.Symbol("w")), sp.Symbol("w")) / (2 * sigma**2),
        "product": sp.Product(y[n, k]**t[n, k], (k, 1, K), (n, 1, N)),
        "matrix": W.T * (A + sp.MatrixSymbol("c", 2, 2)),
        "hadamard": sp.HadamardProduct(sp.MatrixSymbol("Delta2", 2, 2), sp.MatrixSymbol("Z1", 2, 2)),
        "ones": sp.OneMatrix(3, 1),
        "gradient matrix": sp.MatrixSymbol("dW1", 2, 3).T,
    }


@pytest.mark.parametrize("expr, tex", [
    (nt.base("w", 2)[j, i], "w_{ji}^{(2)}"),
    (nt.base("delta", "l")[j], r"\delta_{j}^{(l)}"),
    (nt.base("delta", "l"), r"\delta^{(l)}"),
    (nt.base("w", "lp1")[k, j], "w_{kj}^{(l+1)}"),
    (nt.h(1)(nt.base("a", 1)[j]), "h_{1}(a_{j}^{(1)})"),
    (sp.Symbol("M_lp1"), "M_{l+1}"),
    (sp.Symbol("w_2_1__3"), "w_{21}^{(3)}"),  # a concrete weight, nt.python_name
    (sp.Symbol("x_0_1"), "x_{01}"),
    (sp.KroneckerDelta(j, k), r"\delta_{jk}"),
    (sp.KroneckerDelta(i, nt.i2) * nt.base("w", 1)[j, nt.i2], r"\delta_{ii'} w_{ji'}^{(1)}"),
    (sp.Sum(nt.base("x")[i], (i, 0, nt.D)), r"\sum_{i=0}^{D} x_{i}"),
    (nt.base("y")[k] - nt.base("t")[k], "y_{k} - t_{k}"),
])
def test_notation(expr: sp.Basic, tex: str) -> None:
    assert latex(expr) == tex


def test_h_prime_in_lagrange_notation() -> None:
    net = Network.generic(2)
    assert latex(net.h_prime(1, net.a(1)[j])) == "h_{1}'(a_{j}^{(1)})"
    assert latex(net.h_prime(1, net.a(1)[j] + 1)) == "h_{1}'(a_{j}^{(1)} + 1)"


def test_backprop_sum_reads_as_bishop() -> None:
    """delta_k w_kj h'(a_j): the error, the weight, then the slope (eq. (9))."""
    tex = latex(tricky()["backprop sum"])
    assert tex == r"\sum_{k=1}^{M_{l+1}} \delta_{k}^{(l+1)} w_{kj}^{(l+1)} h_{1}'(a_{j}^{(1)})"


def test_matrices() -> None:
    assert matrix_tex("W__lp1", transposed=True) == r"W^{(l+1)\top}"
    assert matrix_tex("W1") == "W^{(1)}"
    assert matrix_tex("Delta2") == r"\Delta^{(2)}"
    assert matrix_tex("dW1") == r"\frac{\partial E}{\partial W^{(1)}}"
    assert latex(sp.OneMatrix(3, 1)) == r"\mathbf{1}"


def test_multiple_sums_are_nested_not_stacked() -> None:
    tex = latex(tricky()["cross-entropy"])
    assert tex.startswith(r"- \sum_{n=1}^{N} \sum_{k=1}^{K}")


@pytest.mark.parametrize("name", sorted(tricky()))
def test_no_artefacts(name: str) -> None:
    tex = latex(tricky()[name])
    assert not [a for a in ARTEFACTS if a in tex], tex


def test_prose_escapes_outside_math_only() -> None:
    assert prose("substitute $a^{(2)}$ & y_j 50% #1 {x} ~ ^") == (
        r"substitute $a^{(2)}$ \& y\_j 50\% \#1 \{x\} \textasciitilde{} \textasciicircum{}")
    assert split_math("a $x$ b") == [(False, "a "), (True, "x"), (False, " b")]
    assert prose("costs $5") == r"costs \$5"  # an unpaired $ is text


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="needs TeX Live (CI installs it)")
def test_every_tricky_fragment_compiles() -> None:
    body = "\n".join(f"% {name}\n\\begin{{equation*}}\n{latex(e)}\n\\end{{equation*}}"
                     for name, e in sorted(tricky().items()))
    doc = ("\\documentclass{article}\\usepackage{amsmath,amssymb}\\usepackage[margin=1cm]{geometry}"
           f"\\begin{{document}}\n{body}\n\\end{{document}}\n")
    compiled = compile_pdf(doc, name="fragments")
    assert compiled.pdf.startswith(b"%PDF")
    assert not overfull(compiled.log)
