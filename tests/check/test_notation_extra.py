"""Notation around the exercise's own that students type: the evaluation bar, \\{ \\}, \\in under a sum,
second and d-derivatives, hats, function names, cases, |x|, \\boxed and friends.

Each construct reads into the engine's objects (READS, SAME), a malformed variant is refused
with a caret under the place (ERRORS), the LaTeX read-back prints it (LATEX), and nesting
stays bounded (DEEP). derive.check.judge on answers that use them: test_notation_judge.py.
"""
from __future__ import annotations

import time

import pytest
import sympy as sp

from derive.check.answer import ParseError
from derive.check.parse import parse
from derive.check.readback import readback, readback_latex
from derive.core import notation as nt

j, k, n = nt.j, nt.k, nt.n
E = sp.Symbol("E")
a, t, y = nt.base("a"), nt.base("t"), nt.base("y")


def only(text: str) -> sp.Basic:
    (eq,) = parse(text).equations
    assert len(eq.sides) == 1, eq
    return eq.sides[0]


SOFTMAX_NOTE = "  Σ_j': limits left out, read as j' = 1, …, K (the softmax's sum over the units of its layer)"
READS = [
    # 1. the evaluation bar: the value at the substitution; without a subscript only a bracket
    (r"\left. \frac{\partial E}{\partial a} \right|_{a = a_k}", "∂E/∂a_k"),
    (r"\frac{\partial E}{\partial a}\Big|_{a = a_k}", "∂E/∂a_k"),
    (r"\frac{\partial E}{\partial a}\bigg\rvert_{a = a_k}", "∂E/∂a_k"),
    (r"\left. \frac{\partial E}{\partial a_j} \right|", "∂E/∂a_j"),
    (r"\left.\frac{d h_l(a)}{d a}\right|_{a=a_j^{(l)}}", "h_l'(a_j^(l))"),
    (r"\left.\frac{d h_l(a)}{d a}\right|_{a=a_j^{(l)}+1}", "h_l'(a_j^(l) + 1)"),
    (r"\left. \frac{\partial f(g)}{\partial g} \right|_{g=g(w)}", "f'(g(w))"),
    (r"\left. \frac{\partial E}{\partial a_j} \right|_{a_j = 0}", "[∂E/∂a_j]_(a_j = 0)"),
    (r"2 f(a)|_{a=1} + 3", "2 f(1) + 3"),
    (r"\left. x^2 \right|_{x = 3}", "9"),
    # 2. set braces as grouping
    (r"\exp\{-x\}", "exp(-x)"),
    (r"\lbrace a + b \rbrace c", "(a + b) c"),
    (r"\left\{ a \right\} b", "a b"),
    # 3. \in and double inequalities under a sum
    (r"\sum_{k \in K} t_k", "Σ_{k=1}^{K} t_k\n  Σ_k: range given as a set, read as k = 1, …, K (K as a set: 1, …, K)"),
    (r"\sum_{k\in\{1,\ldots,K\}} t_k", "Σ_{k=1}^{K} t_k"),
    (r"\sum_{k \in \{1..K\}} t_k", "Σ_{k=1}^{K} t_k"),
    (r"\sum_{k \in \{1, 2, \ldots, K\}} t_k", "Σ_{k=1}^{K} t_k"),
    (r"\sum_{k \in [K]} t_k", "Σ_{k=1}^{K} t_k\n  Σ_k: range given as a set, read as k = 1, …, K (K as a set: 1, …, K)"),
    (r"\sum_{1 \le k \le K} t_k", "Σ_{k=1}^{K} t_k"),
    (r"\sum_{0 \leq i < D} x_i", "Σ_{i=0}^{D - 1} x_i"),
    (r"\sum_{K \geq k \geq 1} t_k", "Σ_{k=1}^{K} t_k"),
    (r"\sum_{i \in \text{layer } l-1} w_{ji}^{(l)} z_i^{(l-1)}",
     ("Σ_{i=0}^{M_{l-1}} z_i^(l-1) w_ji^(l)\n  Σ_i: range given as a set, read as i = 0, …, M_{l-1} "
      "(i in layer l-1: the units of layer l-1 and its bias unit 0)")),
    (r"y_k = t_k \quad k \in \{1, \ldots, K\}", "y_k = t_k,   k ∈ 1, …, K"),
    # 4. second derivatives
    (r"\frac{\partial^2 E}{\partial w_{ji}^2}", "∂²E/∂w_ji²"),
    (r"\frac{\partial^{2} E}{\partial a_j \partial a_k}", "∂²E/∂a_j ∂a_k"),
    (r"\partial^2 E / \partial a_j^2", "∂²E/∂a_j²"),
    (r"\frac{\partial^2}{\partial a_j^2} E", "∂²E/∂a_j²"),
    (r"\frac{d^2 h(u)}{du^2}", "h''(u)"),
    # 5. d as the ordinary derivative, the same as the partial here
    (r"\frac{dE}{dw_{ji}^{(l)}}", "∂E/∂w_ji^(l)"),
    (r"dE/da_j", "∂E/∂a_j"),
    (r"\frac{d}{da_j} E", "∂E/∂a_j"),
    (r"\frac{\mathrm{d}E}{\mathrm{d}a_j}", "∂E/∂a_j"),
    (r"\partial / \partial a_j E", "∂E/∂a_j"),
    (r"d/da_j f(a_j)", "f'(a_j)"),
    (r"\frac{d}{D} x", "(d x)/D"),  # no d below: the letter d
    (r"\frac{d}{2}", "d/2"),
    # 6. hats: the output, and the estimates σ and w
    (r"\hat{y}_k", "y_k"),
    (r"\hat y_k(\mathbf{x}_n)", "y_nk"),
    (r"\widehat{y}_{nk}", "y_nk"),
    (r"\hat{\sigma}^2", "σ^2"),
    (r"\sigma_{ML}^2", "σ^2"),
    (r"\sigma^2_{\text{ML}}", "σ^2"),
    (r"\sigma^{\text{ML}}", "σ"),
    (r"w_{\text{ML}}", "w"),
    # 7. function names
    (r"\operatorname{tanh}(a)", "tanh(a)"),
    (r"\mathrm{exp}(a)", "exp(a)"),
    (r"\log_e y", "log(y)"),
    (r"\tanh^2(a)", "tanh(a)^2"),
    (r"\operatorname{sech}^2 a", "sech(a)^2"),
    (r"\operatorname{ReLU}(a)", "max(0, a)"),
    (r"\mathrm{softmax}(a^{(L)})_j", "exp(a_j^(L))/Σ_{j'=1}^{K} exp(a_j'^(L))\n" + SOFTMAX_NOTE),
    (r"\text{softmax}_j(a^{(L)})", "exp(a_j^(L))/Σ_{j'=1}^{K} exp(a_j'^(L))\n" + SOFTMAX_NOTE),
    (r"\operatorname{softmax}(\mathbf{a}^{(L)})_j", "exp(a_j^(L))/Σ_{j'=1}^{K} exp(a_j'^(L))\n" + SOFTMAX_NOTE),
    (r"softmax(a_j^{(2)})", "exp(a_j^(2))/Σ_{j'=1}^{M_2} exp(a_j'^(2))\n" + SOFTMAX_NOTE.replace("K", "M_2")),
    # 8. cases
    (r"h'(a) = \begin{cases} 1 & a > 0 \\ 0 & \text{otherwise} \end{cases}", "h'(a) = {1 if a > 0; 0 otherwise}"),
    (r"\begin{cases} 1, & \text{if } a_j > 0 \\ 0, & \text{otherwise} \end{cases}", "{1 if a_j > 0; 0 otherwise}"),
    (r"\begin{dcases} a & a \ge 0 \\ -a & a < 0 \end{dcases}", "{a if a ≥ 0; -a otherwise}"),
    (r"\begin{cases} 1 & 0 \le a \le 1 \\ 0 & \text{else} \end{cases}", "{1 if a ≥ 0 and a ≤ 1; 0 otherwise}"),
    # 9. absolute values
    (r"|x|", "|x|"),
    (r"\lvert x \rvert", "|x|"),
    (r"\left| a_j \right|", "|a_j|"),
    (r"\Big| x \Big|", "|x|"),
    (r"|a| |b|", "|a| |b|"),
    (r"|x - y|^2", "|x - y|^2"),
    (r"|p(t | x)|", "|p(t | x)|"),
    # cheap others: boxes, colours, roman e, max
    (r"\boxed{\delta_j = y_j - t_j}", "δ_j = y_j - t_j"),
    (r"a = \boxed{b}", "a = b"),
    (r"\textcolor{red}{y_j} - t_j", "y_j - t_j"),
    (r"\color{red} y_j", "y_j"),
    (r"\mathrm{e}^{a_k}", "exp(a_k)"),
    (r"\max(0, a_j)", "max(0, a_j)"),
    (r"\max\{0, a\}", "max(0, a)"),
]


@pytest.mark.parametrize("tex, expected", READS, ids=[t for t, _ in READS])
def test_reads_back(tex: str, expected: str) -> None:
    assert readback(parse(tex)) == expected


SAME = [
    (r"\left. \frac{\partial E}{\partial a} \right|_{a = a_j^{(L)}}", r"\frac{\partial E}{\partial a_j^{(L)}}"),
    (r"\left.\frac{d h_l(a)}{d a}\right|_{a=a_j^{(l)}}", r"h_l'(a_j^{(l)})"),
    (r"\left.\frac{d h_l(a)}{d a}\right|_{a=a_j^{(l)} + 1}", r"h'_l(a_j^{(l)} + 1)"),
    (r"\exp\{-a_k\} y", r"\exp(-a_k) y"),
    (r"\sum_{k \in \{1, \ldots, K\}} t_k", r"\sum_{k=1}^{K} t_k"),
    (r"\sum_{n \in N} E_n", r"\sum_n E_n"),
    (r"\sum_{1 \le k \le K} t_k", r"\sum_{k=1}^K t_k"),
    (r"\frac{dE}{da_j}", r"\frac{\partial E}{\partial a_j}"),
    (r"\frac{d}{da_j} E", r"\partial E / \partial a_j"),
    (r"\frac{\partial^2 E}{\partial a_j^2}", r"\frac{\partial^2 E}{\partial a_j \partial a_j}"),
    (r"\frac{d^2}{du^2} h(u)", r"h''(u)"),
    (r"\hat{y}_k(\mathbf{x}_n)", r"y_{nk}"),
    (r"\operatorname{softmax}(a^{(L)})_k", r"\frac{e^{a_k^{(L)}}}{\sum_{k'=1}^{K} e^{a_{k'}^{(L)}}}"),
    (r"\operatorname{tanh}(a)", r"\tanh(a)"),
    (r"\lvert x \rvert", r"\left| x \right|"),
    (r"\boxed{y_j - t_j}", r"y_j - t_j"),
    (r"\mathrm{e}^{x}", r"e^{x}"),
    (r"\operatorname{ReLU}(a)", r"\max(0, a)"),
]


@pytest.mark.parametrize("one, other", SAME, ids=[f"{a} == {b}" for a, b in SAME])
def test_equivalent_forms_read_the_same(one: str, other: str) -> None:
    assert [eq.sides for eq in parse(one)] == [eq.sides for eq in parse(other)]


def test_objects_are_the_engines() -> None:
    assert only(r"\frac{\partial^2 E}{\partial a_j \partial a_k}") == sp.Derivative(E, a[j], a[k])
    assert only(r"\partial^2 E / \partial a_j^2") == sp.Derivative(E, (a[j], 2))
    assert only(r"|y_k - t_k|") == sp.Abs(y[k] - t[k])
    assert only(r"\sum_{k \in \{1..K\}} t_k") == sp.Sum(t[k], (k, 1, nt.K))
    relu = only(r"\begin{cases} 1 & a_j > 0 \\ 0 & \text{otherwise} \end{cases}")
    assert isinstance(relu, sp.Piecewise) and relu.subs(a[j], 2) == 1 and relu.subs(a[j], -2) == 0
    assert only(r"\left. \frac{\partial E}{\partial a} \right|_{a = a_k}") == sp.Derivative(E, a[k])


ERRORS = [  # (typed, the character under the caret, part of the message)
    (r"\left. x \right|_{x < 1}", "_", "under an evaluation bar"),
    (r"\left. x \right|_{x}", "}", "cannot read"),
    (r"\left. x \right|_{2 = x}", "\\", "substitutes for one quantity"),
    (r"\left. \frac{\partial E}{\partial a} \right|", "\\", "not by a"),  # ∂/∂(the vector a) never filled
    (r"\left. x \right)", ")", "closes nothing"),
    (r"\exp\{-x", "", "ends too early"),
    (r"\{ a )", ")", "closes nothing"),
    (r"\sum_{k \in A} t_k", "k", "k \\in K"),
    (r"\sum_{k \in \{2, 5\}} t_k", "k", "a range of whole numbers"),
    (r"\sum_{i \in \text{layer } l} w_{ji}^{(l)} z_i^{(l-1)}", "i", "says layer l but its body runs i up to M_{l-1}"),
    (r"\sum_{k \in \text{somewhere}} t_k", "k", "not 'somewhere'"),
    (r"y_{k \in K}", "k", "belongs under \\sum"),
    (r"\sum_{k \in K}^{K} t_k", "^", "takes no upper limit"),
    (r"\sum_{k < K} t_k", "k", "write its range"),
    (r"\frac{\partial^2 E}{\partial a_j}", "\\", "order 2 above and 1 below"),
    (r"\frac{\partial^7 E}{\partial a_j^7}", "\\", "order 1 to 4"),
    (r"\partial^2 E + 1", "\\", "outside a derivative"),
    (r"\frac{\partial^2 E}{\partial^2 a_j}", "\\", "an order belongs on the numerator"),
    (r"\frac{d}{da_j}", "\\", "needs what it differentiates"),
    (r"d/da_j (x)", "d", "write \\frac{\\partial}{\\partial w}(...)"),
    (r"\hat{t}_k", "\\", "targets t are data"),
    (r"\hat x", "\\", "a hat on x"),
    (r"\mathbf{w}^T \mathbf{x}", "^", "a transpose"),
    (r"x^{\top}", "^", "a transpose"),
    (r"w^\intercal", "^", "a transpose"),
    (r"w^{\mathsf{T}}", "^", "a transpose"),
    (r"\text{softmax}(a^{(L)})", "\\", "needs its component"),
    (r"\mathrm{softmax}(a_j, a_k)", "\\", "one argument"),
    (r"\operatorname{softmax}_j(a_k)", "\\", "a component twice"),
    (r"\operatorname{foo}(x)", "\\", "unknown function 'foo'"),
    (r"\begin{cases} a \end{cases}", "\\", "cannot read"),
    (r"\begin{cases} 1 & otherwise \end{cases}", "o", "needs a relation"),
    (r"\begin{cases} 1 & \text{sometimes} \end{cases}", "\\", "'sometimes'"),
    (r"\begin{cases} 1 & \text{otherwise} \\ 0 & a > 0 \end{cases}", "\\", "belongs to the last case"),
    (r"\begin{cases} 1 & a \approx 0 \end{cases}", "\\", "\\approx in a case's condition"),
    (r"|x", "", "ends too early"),
    (r"\lvert x", "", "ends too early"),
    (r"\boxed{a = b", "{", "never closed"),
    (r"\max(a)", "\\", "two or more arguments"),
    (r"y_{\text{ML}}", "y", "a word as a subscript"),
]


@pytest.mark.parametrize("tex, under, message", ERRORS, ids=[t for t, _, _ in ERRORS])
def test_malformed_variants_carry_a_caret(tex: str, under: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(tex)
    err = info.value
    assert message in str(err) and "\n" not in str(err), str(err)
    _, caret = err.caret().splitlines()
    assert caret.strip() == "^" and tex[err.pos:err.pos + 1] == under, (tex, err.pos, str(err))


LATEX = [
    (r"h'(a) = \begin{cases} 1 & a > 0 \\ 0 & \text{otherwise} \end{cases}",
     r"h'(a) = \begin{cases} 1 & \text{for}\: a > 0 \\0 & \text{otherwise} \end{cases}"),
    (r"\max(0, a_j) + |x|", r"\left|{x}\right| + \max\left(0, a_{j}\right)"),
    (r"\frac{\partial^{2} E}{\partial a_j \partial a_k}", r"\frac{\partial^{2} E}{\partial a_{j} \partial a_{k}}"),
    (r"\left. \frac{\partial E}{\partial a_j} \right|_{a_j = 0}",
     r"\left. \frac{\partial E}{\partial a_{j}} \right|_{a_{j} = 0}"),
    (r"\mathrm{softmax}(a^{(L)})_j", r"\frac{e^{a_{j}^{(L)}}}{\sum_{j'=1}^{K} e^{a_{j'}^{(L)}}}"),
    (r"k \in \{1, \ldots, K\}", r"k \in 1, \ldots, K"),
]


@pytest.mark.parametrize("tex, expected", LATEX, ids=[t for t, _ in LATEX])
def test_latex_read_back(tex: str, expected: str) -> None:
    assert readback_latex(parse(tex)) == expected


DEEP = ["|" * 400 + "x" + "|" * 400, r"\{" * 300 + "x" + r"\}" * 300, r"\left." * 200 + "x" + r"\right|" * 200,
        r"\begin{cases} " * 80 + "x" + r" & a > 0 \end{cases}" * 80, r"\hat{" * 45 + "y" + "}" * 45 + "_" * 3,
        r"\sum_{k \in \{" + ", ".join(map(str, range(0, 6000, 2))) + r"\}} t_k"]


@pytest.mark.parametrize("tex", DEEP, ids=[t[:20] for t in DEEP])
def test_deep_or_long_nesting_is_refused_fast(tex: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse(tex)
    assert time.perf_counter() - start < 2
    assert info.value.caret().splitlines()[1].strip() == "^"
