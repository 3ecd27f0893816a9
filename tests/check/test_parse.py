"""derive check's parser and read-back: what a student types, what derive reads, and what it refuses.

Every construct of the exercise's notation is read and read back (READS); forms a student may
choose between read the same (SAME); mistakes a grader must see read differently (DIFFERENT);
hostile input is refused fast with a caret (HOSTILE); random spacing and \\left/\\right never
change a parse (hypothesis); the blank course notebook's formulas parse.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.check.answer import Answer, ParseError
from derive.check.names import DOTS, GAUSSIAN, PROBABILITY
from derive.check.parse import MAX_CHARS, parse
from derive.check.readback import readback, readback_latex
from derive.core import notation as nt
from derive.core.errors import DeriveError

j, i, k, n, l = nt.j, nt.i, nt.k, nt.n, nt.l
E = sp.Symbol("E")
BLANK = Path(__file__).resolve().parents[3] / "shared" / "reference" / "exercise-1-blank.ipynb"


def size(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


def sides(text: str) -> tuple[tuple[sp.Basic, ...], ...]:
    return tuple(eq.sides for eq in parse(text).equations)


def only(text: str) -> sp.Basic:
    """The one expression of a one-sided, one-equation answer."""
    (eq,) = parse(text).equations
    assert len(eq.sides) == 1, eq
    return eq.sides[0]


# --- every construct, read back ------------------------------------------------------------------
READS = [
    ('w_{ji}^{(l)}',
     'w_ji^(l)'),
    ('w_{j,i}^{(l+1)}',
     'w_ji^(l+1)'),
    ('w_{kj}^{(l-1)}',
     'w_kj^(l-1)'),
    ('w_{j0}^{(L)}',
     'w_j0^(L)'),
    ('w_{ji}^{(L-1)}',
     'w_ji^(L-1)'),
    ('w^{(2)}_{ji} x_i',
     'x_i w_ji^(2)'),
    ('a_j^{(1)} = \\sum_{i=0}^{D} w_{ji}^{(1)} x_i',
     'a_j^(1) = Σ_{i=0}^{D} x_i w_ji^(1)'),
    ('a_j^{(1)} = \\sum_{i=1}^{D} w_{ji}^{(1)} x_i + w_{j0}^{(1)}',
     'a_j^(1) = w_j0^(1) + Σ_{i=1}^{D} x_i w_ji^(1)'),
    ('a_j^{(l)} = \\sum_{i=0}^{M_{l-1}} w_{ji}^{(l)} z_i^{(l-1)}',
     'a_j^(l) = Σ_{i=0}^{M_{l-1}} z_i^(l-1) w_ji^(l)'),
    ('a_j^{(l)} = \\sum_i w_{ji}^{(l)} z_i^{(l-1)}',
     'a_j^(l) = Σ_{i=0}^{M_{l-1}} z_i^(l-1) w_ji^(l)\n  Σ_i: limits left out, read as i = 0, …, M_{l-1} (the units of layer l-1 and its bias unit 0)'),
    ('a_j^{(2)} = \\sum_{i}^M w^{(2)}_{ji} z^{(1)}_i',
     'a_j^(2) = Σ_{i=0}^{M} z_i^(1) w_ji^(2)\n  Σ_i: lower limit left out, read as i = 0, …, M (the units of layer 1 and its bias unit 0)'),
    ('z_j^{(l)} = h_l(a_j^{(l)})',
     'z_j^(l) = h_l(a_j^(l))'),
    ('y_j = z_j^{(L)}',
     'y_j = z_j^(L)'),
    ('y_j = h_2\\left(\\sum_{i=0}^{M} w_{ji}^{(2)} h_1\\left(\\sum_{k=0}^{D} w_{ik}^{(1)} x_k\\right)\\right)',
     'y_j = h_2(Σ_{i=0}^{M} w_ji^(2) h_1(Σ_{k=0}^{D} x_k w_ik^(1)))'),
    ('y_j = h_3(\\sum_m w^{(3)}_{jm} h_2(\\sum_i w^{(2)}_{mi} h_1(\\sum_k w^{(1)}_{ik} x_k)))',
     'y_j = h_3(Σ_{m=0}^{M_2} w_jm^(3) h_2(Σ_{i=0}^{M_1} w_mi^(2) h_1(Σ_{k=0}^{D} x_k w_ik^(1))))\n  Σ_k: limits left out, read as k = 0, …, D (the inputs and the bias input x_0 = 1)\n  Σ_i: limits left out, read as i = 0, …, M_1 (the units of layer 1 and its bias unit 0)\n  Σ_m: limits left out, read as m = 0, …, M_2 (the units of layer 2 and its bias unit 0)'),
    ('z_0 = 1',
     'z_0 = 1'),
    ('x_0 = 1',
     'x_0 = 1'),
    ("\\delta_j^{(l)} = h_l'(a_j^{(l)}) \\sum_k w_{kj}^{(l+1)} \\delta_k^{(l+1)}",
     "δ_j^(l) = h_l'(a_j^(l)) Σ_{k=1}^{M_{l+1}} δ_k^(l+1) w_kj^(l+1)\n  Σ_k: limits left out, read as k = 1, …, M_{l+1} (the units of layer l+1, no bias unit)"),
    ("\\delta_j^{(l)} = h'_l(a_j^{(l)}) \\sum_{k=1}^{M_{l+1}} w_{kj}^{(l+1)} \\delta_k^{(l+1)}",
     "δ_j^(l) = h_l'(a_j^(l)) Σ_{k=1}^{M_{l+1}} δ_k^(l+1) w_kj^(l+1)"),
    ("\\delta_j^{(L)} = h_{L}'(a_j^{(L)}) (y_j - t_j)",
     "δ_j^(L) = (y_j - t_j) h_L'(a_j^(L))"),
    ('\\delta_j^{(L)} = y_j - t_j',
     'δ_j^(L) = y_j - t_j'),
    ('\\delta_{kj}',
     'δ_jk'),
    ('h^{\\prime}_l(a)',
     "h_l'(a)"),
    ("h_l''(a_j)",
     "h_l''(a_j)"),
    ("h'(a_j)",
     "h'(a_j)"),
    ("h_{l+1}'(a_k^{(l+1)} + 1)",
     "h_{l+1}'(a_k^(l+1) + 1)"),
    ('\\frac{\\partial E}{\\partial w_{ji}^{(l)}} = \\delta_j^{(l)} z_i^{(l-1)}',
     '∂E/∂w_ji^(l) = δ_j^(l) z_i^(l-1)'),
    ('\\partial E / \\partial a_j^{(l)}',
     '∂E/∂a_j^(l)'),
    ('\\frac{\\partial E_n}{\\partial w_{ji}^{(l)}} = \\delta_{nj}^{(l)} z_{ni}^{(l-1)}',
     '∂E_n/∂w_ji^(l) = δ_nj^(l) z_ni^(l-1)'),
    ('\\frac{\\partial}{\\partial a_j^{(L)}} \\log \\sum_{k=1}^K \\exp(a_k^{(L)}) = y_j',
     '∂/∂a_j^(L) (log(Σ_{k=1}^{K} exp(a_k^(L)))) = y_j'),
    ('\\frac{\\partial E(w)}{\\partial w_{ji}^{(L)}} = \\sum_{k=1}^{K} \\frac{\\partial E(w)}{\\partial a_k^{(L)}} \\frac{\\partial a_k^{(L)}}{\\partial w_{ji}^{(L)}}',
     '∂E/∂w_ji^(L) = Σ_{k=1}^{K} ∂E/∂a_k^(L) ∂a_k^(L)/∂w_ji^(L)'),
    ('E(w) = \\sum_{n=1}^{N} \\|\\mathbf{y}(\\mathbf{x}_n) - \\mathbf{t}_n\\|_2^2',
     'E = Σ_{n=1}^{N} Σ_{k=1}^{K} (y_nk - t_nk)^2\n  Σ_k: limits left out, read as k = 1, …, K (the components of the vector in ||...||, the outputs)'),
    ('E = \\frac{1}{2} \\sum_{n=1}^N \\sum_{k=1}^K (y_{nk} - t_{nk})^2',
     'E = Σ_{n=1}^{N} Σ_{k=1}^{K} (y_nk - t_nk)^2/2'),
    ('E(w) = - \\sum_{n=1}^N \\sum_{k=1}^K t_{nk} \\log y_k(\\mathbf{x}_n)',
     'E = -Σ_{n=1}^{N} Σ_{k=1}^{K} t_nk log(y_nk)'),
    ('E = -\\sum_{k=1}^K t_k a_k^{(L)} + \\log \\sum_{k=1}^K \\exp(a_k^{(L)})',
     'E = log(Σ_{k=1}^{K} exp(a_k^(L))) - Σ_{k=1}^{K} a_k^(L) t_k'),
    ('E = \\sum_n E_n',
     'E = Σ_{n=1}^{N} E_n\n  Σ_n: limits left out, read as n = 1, …, N (the examples)'),
    ('E_n = \\sum_k t_{nk} \\ln y_{nk}',
     'E_n = Σ_{k=1}^{K} t_nk log(y_nk)\n  Σ_k: limits left out, read as k = 1, …, K (the outputs)'),
    ('y_k = \\frac{\\exp(a_k)}{\\sum_j \\exp(a_j)}',
     'y_k = exp(a_k)/Σ_{j=1}^{K} exp(a_j)\n  Σ_j: limits left out, read as j = 1, …, K (the units of layer L, no bias unit)'),
    ("y_k = \\dfrac{e^{a_k}}{\\sum_{k'=1}^{K} e^{a_{k'}}}",
     "y_k = exp(a_k)/Σ_{k'=1}^{K} exp(a_k')"),
    ('p(\\mathbf{t}_n | \\mathbf{x}_n, w) = \\mathcal{N}(\\mathbf{t}_n | \\mathbf{y}(\\mathbf{x}_n), \\sigma^2 \\mathbf{I})',
     'p(t_n | x_n, w) = 𝒩(t_n | y_n, I σ^2)'),
    ('p(t_1, \\ldots, t_N | x_1, \\ldots, x_N, w) = \\prod_{n=1}^N p(t_n | x_n, w)',
     'p(t_1, …, t_N | x_1, …, x_N, w) = Π_{n=1}^{N} p(t_n | x_n, w)'),
    ('p(\\mathbf{t}_n|\\mathbf{x}_n,w) = \\prod_{k=1}^K \\left[ y_k(\\mathbf{x}_n)\\right]^{t_{nk}}',
     'p(t_n | x_n, w) = Π_{k=1}^{K} y_nk^{t_nk}'),
    ('-\\log p = \\frac{ND}{2} \\log 2\\pi\\sigma^2 + \\frac{1}{2\\sigma^2} E(w)',
     '-log(p) = (D N log(2 π σ^2))/2 + E/(2 σ^2)'),
    ('\\sigma^2 = \\frac{1}{ND} E(w)',
     'σ^2 = E/(D N)'),
    ('\\frac{\\partial}{\\partial \\sigma} \\left( N D \\log \\sigma + \\frac{E}{2\\sigma^2} \\right) = 0',
     '∂/∂σ (D N log(σ) + E/(2 σ^2)) = 0'),
    ('w^{\\text{new}} = w - \\eta \\nabla E(w)',
     'w^new = w - η ∇E'),
    ('w^{\\mathrm{new}} = w - \\eta \\nabla_{\\mathbf{w}} E',
     'w^new = w - η ∇_w E'),
    ('\\frac{\\partial E}{\\partial w_{ji}^{(l)}} = \\sum_{n=1}^N \\delta_{nj}^{(l)} z_{ni}^{(l-1)}',
     '∂E/∂w_ji^(l) = Σ_{n=1}^{N} δ_nj^(l) z_ni^(l-1)'),
    ("\\delta_{nj}^{(l)} = h_l'(a_{nj}^{(l)}) \\sum_k w_{kj}^{(l+1)} \\delta_{nk}^{(l+1)}",
     "δ_nj^(l) = h_l'(a_nj^(l)) Σ_{k=1}^{M_{l+1}} δ_nk^(l+1) w_kj^(l+1)\n  Σ_k: limits left out, read as k = 1, …, M_{l+1} (the units of layer l+1, no bias unit)"),
    ('y(x) = \\sum_{i=0}^3 w_i^{(2)} \\tanh(w_i^{(1)} x)',
     'y = Σ_{i=0}^{3} w_i^(2) tanh(w_i^(1) x)'),
    ('a = b = c',
     'a = b = c'),
    ('a = b \\\\ c = d',
     'a = b\nc = d'),
    ('a = b; c = d',
     'a = b\nc = d'),
    ('a = b, \\quad c = d',
     'a = b\nc = d'),
    ('a = b',
     'a = b'),
    ('c = d',
     'c = d'),
    ('\\begin{align} a &= b \\\\ &= c \\end{align}',
     'a = b = c'),
    ('\\begin{align} E &= a \\\\ &\\quad + b \\end{align}',
     'E = a + b'),
    ('\\begin{align*} y_j &= h_2(a_j^{(2)}) \\tag{4} \\\\ a_j^{(2)} &= \\sum_i w_{ji}^{(2)} z_i^{(1)} \\end{align*}',
     'y_j = h_2(a_j^(2))   (4)\na_j^(2) = Σ_{i=0}^{M_1} z_i^(1) w_ji^(2)\n  Σ_i: limits left out, read as i = 0, …, M_1 (the units of layer 1 and its bias unit 0)'),
    ('$$\\begin{aligned} E &= \\sum_n E_n \\\\ &= \\sum_n \\sum_k (y_{nk} - t_{nk})^2 \\end{aligned}$$',
     'E = Σ_{n=1}^{N} E_n = Σ_{n=1}^{N} Σ_{k=1}^{K} (y_nk - t_nk)^2\n  Σ_n: limits left out, read as n = 1, …, N (the examples)\n  Σ_k: limits left out, read as k = 1, …, K (the outputs)\n  Σ_n: limits left out, read as n = 1, …, N (the examples)'),
    ('\\begin{equation} y_j = \\ldots \\end{equation}',
     'y_j = …'),
    ('\\begin{gather} z_0 = 1 \\\\ x_0 = 1 \\end{gather}',
     'z_0 = 1\nx_0 = 1'),
    ('$a_j = \\sum_i w_{ji} x_i$',
     'a_j = Σ_{i=0}^{D} x_i w_ji\n  Σ_i: limits left out, read as i = 0, …, D (the inputs and the bias input x_0 = 1)'),
    ('\\[ z_j^{(l)} = h_l(a_j^{(l)}) \\]',
     'z_j^(l) = h_l(a_j^(l))'),
    ('z_j^{(l)} = h_l(a_j^{(l)}) \\quad l = 1, \\ldots, L',
     'z_j^(l) = h_l(a_j^(l)),   l = 1, …, L'),
    ('a_j^{(1)} = \\sum_{i=1}^D w_{ji}^{(1)} x_i + w_{j0}^{(1)} \\quad (1)',
     'a_j^(1) = w_j0^(1) + Σ_{i=1}^{D} x_i w_ji^(1)   (1)'),
    ('t_k \\cdot \\log y_k',
     't_k log(y_k)'),
    ('2 \\pi \\sigma^2',
     '2 π σ^2'),
    ('\\frac{1}{\\sqrt{2\\pi\\sigma^2}^D} \\exp\\left(-\\frac{\\|y_n - t_n\\|^2}{2\\sigma^2}\\right)',
     '(σ √(2) √(π))^{-D} exp(-(Σ_{k=1}^{K} (y_nk - t_nk)^2/(2 σ^2)))\n  Σ_k: limits left out, read as k = 1, …, K (the components of the vector in ||...||, the outputs)'),
    ('\\|\\mathbf{t}\\|^2',
     'Σ_{k=1}^{K} t_k^2\n  Σ_k: limits left out, read as k = 1, …, K (the components of the vector in ||...||, the outputs)'),
    ('\\| y - t \\|',
     '√(Σ_{k=1}^{K} (y_k - t_k)^2)\n  Σ_k: limits left out, read as k = 1, …, K (the components of the vector in ||...||, the outputs)'),
    ('\\pi \\neq 3',
     'π ≠ 3'),
    ('\\eta > 0',
     'η > 0'),
    ('y_k \\approx t_k',
     'y_k ≈ t_k'),
    ('\\epsilon \\sim \\mathcal{N}(0, \\sigma^2)',
     'ε ∼ 𝒩(0, σ^2)'),
    ('\\mathbf{x}_n',
     'x_n'),
    ('\\sum_{k=1}^K t_k = 1',
     'Σ_{k=1}^{K} t_k = 1'),
    ('\\prod_{n=1}^{N} y_n',
     'Π_{n=1}^{N} y_n'),
    ('a_j % a comment',
     'a_j'),
    ('log y_k + exp(a)',
     'exp(a) + log(y_k)'),
    ('t_n = y(x_n) + \\epsilon',
     't_n = ε + y_n'),
    ('\\frac12 + \\frac{x}{3}',
     'x/3 + 1/2'),
    ('\\sqrt[3]{x}',
     'x^{1/3}'),
    ('E = \\frac{1}{N}\\sum_{n=1}^N E_n',
     'E = Σ_{n=1}^{N} E_n/N'),
    ('1/N \\sum_n E_n',
     'Σ_{n=1}^{N} E_n/N\n  Σ_n: limits left out, read as n = 1, …, N (the examples)'),
    ('f(g(w))',
     'f(g(w))'),
    ('\\nabla E = \\frac{N}{B} \\nabla E_B',
     '∇E = (N ∇E_B)/B'),
    ('x = x_1, \\ldots, x_D',
     'x = x_1, …, x_D'),
    ('h_2(\\ldots)',
     'h_2(…)'),
    ('a_{j}^{(l)} = w_{j0}^{(l)} + \\sum_{i=1}^{M_{l-1}} w_{ji}^{(l)} z_i^{(l-1)}',
     'a_j^(l) = w_j0^(l) + Σ_{i=1}^{M_{l-1}} z_i^(l-1) w_ji^(l)'),
    ('wji',
     'i j w'),
]


@pytest.mark.parametrize("tex, expected", READS, ids=[t for t, _ in READS])
def test_reads_back(tex: str, expected: str) -> None:
    assert readback(parse(tex)) == expected


def test_there_are_enough_inputs() -> None:
    inputs = len(READS) + 2 * len(SAME) + 2 * len(DIFFERENT) + len(HOSTILE) + len(ERRORS) + len(OBJECTS)
    assert inputs >= 120, inputs


# --- the objects: the notation table's IndexedBase per concept and layer ------------------------
def a_(layer: object) -> sp.IndexedBase:
    return nt.base("a", layer)  # type: ignore[arg-type]


OBJECTS = [
    (r"w^{(2)}_{ji}", nt.base("w", 2)[j, i]),
    (r"w_{ji}^{(l)}", nt.base("w", "l")[j, i]),
    (r"w_{kj}^{(l+1)}", nt.base("w", "lp1")[k, j]),
    (r"z_i^{(l-1)}", nt.base("z", "lm1")[i]),
    (r"a_j^{(L)}", nt.base("a", "L")[j]),
    (r"w_{ji}^{(L-1)}", nt.base("w", "Lm1")[j, i]),
    (r"\delta_j^{(l)}", nt.base("delta", "l")[j]),
    (r"w_{j0}", nt.base("w")[j, 0]),
    (r"z_{i'}", nt.base("z")[nt.i2]),
    (r"x_{10}", nt.base("x")[1, 0]),
    (r"w_{j,i+1}", nt.base("w")[j, i + 1]),
    (r"h_l'(a_j^{(l)})", sp.Derivative(nt.h("l")(a_("l")[j]), a_("l")[j])),
    (r"h_{L}'(a_j^{(L)})", sp.Derivative(nt.h("L")(a_("L")[j]), a_("L")[j])),
    (r"h_2(a_j^{(2)})", nt.h(2)(a_(2)[j])),
    (r"h_l''(a_j^{(l)})", sp.Derivative(nt.h("l")(a_("l")[j]), (a_("l")[j], 2))),
    (r"\frac{\partial E}{\partial w_{ji}^{(l)}}", sp.Derivative(E, nt.base("w", "l")[j, i])),
    (r"\partial E_n / \partial a_j", sp.Derivative(nt.base("E")[n], nt.base("a")[j])),
    (r"E(\mathbf{w})", E),
    (r"E_n", nt.base("E")[n]),
    (r"y_k(\mathbf{x}_n)", nt.base("y")[n, k]),
    (r"y_{nk}", nt.base("y")[n, k]),
    (r"t_{nk}", nt.base("t")[n, k]),
    (r"\delta_{kj}", sp.KroneckerDelta(k, j)),
    (r"\sigma^2", nt.sigma ** 2),
    (r"\pi", sp.pi),
    (r"N D K M L B", nt.N * nt.D * nt.K * nt.M * nt.L * nt.B),
    (r"M_{l-1}", size("M_lm1")),
    (r"M_{l+1}", size("M_lp1")),
    (r"\log e", sp.Integer(1)),
    (r"e^{a_k}", sp.exp(nt.base("a")[k])),
    (r"\sum_{k=1}^{K} t_k", sp.Sum(nt.base("t")[k], (k, 1, nt.K))),
    (r"\prod_{n=1}^N y_n", sp.Product(nt.base("y")[n], (n, 1, nt.N))),
    (r"\mathcal{N}(t | y, \sigma^2)", GAUSSIAN(sp.Tuple(nt.base("t")), sp.Tuple(nt.base("y"), nt.sigma ** 2))),
    (r"p(t_n | x_n, w)", PROBABILITY(sp.Tuple(nt.base("t")[n]), sp.Tuple(nt.base("x")[n], nt.base("w")))),
    (r"\ldots", DOTS),
]


@pytest.mark.parametrize("tex, expected", OBJECTS, ids=[t for t, _ in OBJECTS])
def test_builds_the_notation_objects(tex: str, expected: sp.Basic) -> None:
    assert only(tex) == expected


def test_h_prime_of_a_sum_is_the_engines_subs_form() -> None:
    got = only(r"h_l'(a_j^{(l)} + 1)")
    assert isinstance(got, sp.Subs) and got == only(r"h'_l(a^{(l)}_j + 1)")


def test_eq9_is_the_engines_eq9_up_to_the_layer_names() -> None:
    """Exercise j builds eq. (9) with names w__l+1, M_{l+1}; the notation table's are w__lp1, M_lp1."""
    from derive.exercises import j_hidden_delta as jd
    (eq,) = parse(r"\delta_j^{(l)} = h_l'(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}").equations
    ours = {nt.base("w", "lp1"): jd.w_next, nt.base("delta", "lp1"): jd.delta_next, size("M_lp1"): jd.M_next}
    assert eq.lhs == jd.delta[j]
    assert eq.rhs.xreplace(ours) == jd.eq9()


def test_implicit_limits_are_recorded() -> None:
    answer = parse(r"\delta_j^{(l)} = h_l'(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}")
    (gap,) = answer.implicit
    assert (gap.sign, gap.index, gap.lower, gap.upper, gap.missing) == ("Σ", k, 1, size("M_lp1"), "limits")
    upper_only = parse(r"\sum_i^M w^{(2)}_{ji} z^{(1)}_i").implicit
    assert [(g.lower, g.missing) for g in upper_only] == [(0, "lower limit")]
    assert parse(r"\sum_{k=1}^K t_k").implicit == ()


def test_equations_keep_their_relations_tags_and_conditions() -> None:
    answer = parse(r"\begin{align} z_j^{(l)} &= h_l(a_j^{(l)}) & l = 1, \ldots, L \tag{5} \\ y &\approx t \end{align}")
    first, second = answer.equations
    assert first.tag == "5" and first.relations == ("=",)
    (cond,) = first.conditions
    assert cond.sides == (l, sp.Tuple(1, DOTS, nt.L))
    assert second.relations == ("\\approx",)
    assert isinstance(answer, Answer) and len(answer) == 2 and answer[1] is second


def test_latex_read_back_uses_the_sheet_notation() -> None:
    tex = readback_latex(parse(r"\delta_j^{(l)} = h_l'(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}"))
    assert tex == r"\delta_{j}^{(l)} = h_{l}'(a_{j}^{(l)}) \sum_{k=1}^{M_{l+1}} \delta_{k}^{(l+1)} w_{kj}^{(l+1)}"
    assert readback_latex(parse(r"p(t_n | x_n, w) = \mathcal{N}(t_n | y_n, \sigma^2)")) == \
        r"p\left(t_{n} \mid x_{n}, w\right) = \mathcal{N}\left(t_{n} \mid y_{n}, \sigma^{2}\right)"


# --- what must read the same, what must differ -----------------------------------------------------
SAME = [
    (r"w_{ji}^{(l)}", r"w^{(l)}_{ji}"),
    (r"w_{ji}^{(l)}", r"w_{j,i}^{(l)}"),
    (r"w_{ji}^{(l)}", r"w_{j, i}^{( l )}"),
    (r"\delta_j^{(l)}", r"\delta^{(l)}_j"),
    (r"w_{kj}^{(l+1)}", r"w_{k,j}^{\left(l+1\right)}"),
    (r"h_l'(a_j^{(l)})", r"h'_l(a_j^{(l)})"),
    (r"h_l'(a)", r"h^{\prime}_l(a)"),
    (r"h_l'(a)", r"h_l^{\prime}(a)"),
    (r"h_l'(a)", r"h_{l}'(a)"),
    (r"h_L'(a)", r"h_{L}^{\prime}\left(a\right)"),
    (r"\left( a + b \right) c", r"(a + b) c"),
    (r"\Big[ a \Big] b", r"[a] b"),
    (r"\bigl( a \bigr) \big( b \big)", r"(a)(b)"),
    (r"a \, b", r"a b"),
    (r"a\;b\!c ~ d \quad", r"a b c d"),
    (r"\frac{a}{b}", r"\dfrac{a}{b}"),
    (r"\tfrac{a}{b}", r"a/b"),
    (r"\frac12", r"\frac{1}{2}"),
    (r"a \cdot b", r"a b"),
    (r"a \times b", r"a b"),
    (r"$$ a = b $$", r"\[ a = b \]"),
    (r"$a = b$", r"a = b"),
    (r"\begin{equation} a = b \end{equation}", r"a = b"),
    (r"\log x", r"\ln x"),
    (r"\log x", r"log x"),
    (r"e^{x}", r"\exp(x)"),
    (r"\mathbf{x}_n", r"\boldsymbol{x}_n"),
    (r"\bm{x}_n", r"x_n"),
    (r"\| v \|^2", r"\| v \|_2^2"),
    (r"\| y - t \|^2", r"\left\| y - t \right\|^2"),
    (r"\frac{\partial E}{\partial a_j}", r"\partial E / \partial a_j"),
    (r"\frac{\partial}{\partial a_j} E", r"\frac{\partial E}{\partial a_j}"),
    (r"E(w)", r"E"),
    (r"y_k(\mathbf{x}_n)", r"y_{nk}"),
    (r"\sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}", r"\sum_{k=1}^{M_{l+1}} w_{kj}^{(l+1)} \delta_k^{(l+1)}"),
    (r"\sum_i w_{ji}^{(l)} z_i^{(l-1)}", r"\sum_{i=0}^{M_{l-1}} w_{ji}^{(l)} z_i^{(l-1)}"),
    (r"\sum_n E_n", r"\sum_{n=1}^{N} E_n"),
    (r"\sum\limits_{k=1}^{K} t_k", r"\sum_{k=1}^K t_k"),
    (r"\sum_n \| y_n - t_n \|^2", r"\sum_{n=1}^N \sum_{k=1}^K (y_{nk} - t_{nk})^2"),
    (r"a = b \\ c = d", r"a = b; c = d"),
    (r"a = b, c = d", "a = b\nc = d"),
    (r"\begin{align} a &= b \\ &= c \end{align}", r"a = b = c"),
    (r"a_j % comment", r"a_j"),
]


@pytest.mark.parametrize("one, other", SAME, ids=[f"{a} == {b}" for a, b in SAME])
def test_equivalent_forms_read_the_same(one: str, other: str) -> None:
    assert sides(one) == sides(other)


DIFFERENT = [
    (r"w_{jk}", r"w_{kj}"),
    (r"w^{(2)}", r"w^2"),
    (r"w_{ji}^{(l)}", r"w_{ji}^{l}"),
    (r"h'(a)", r"h(a)"),
    (r"h_l'(a)", r"h_{l+1}'(a)"),
    (r"N", r"n"),
    (r"w^{(l)}_{ji}", r"w^{(l+1)}_{ji}"),
    (r"\delta_j^{(l)}", r"\delta_j^{(L)}"),
    (r"\sum_{k=1}^K t_k", r"\sum_{k=0}^K t_k"),
    (r"E", r"E_n"),
    (r"y_{nk}", r"y_{kn}"),
    (r"z_i^{(l-1)}", r"z_i^{(l)}"),
    (r"\log x", r"\exp x"),
]


@pytest.mark.parametrize("one, other", DIFFERENT, ids=[f"{a} != {b}" for a, b in DIFFERENT])
def test_mistakes_read_differently(one: str, other: str) -> None:
    assert sides(one) != sides(other)


# --- errors: one line, a caret under what stopped the parse ------------------------------------------
ERRORS = [
    (r"a = b + \foo", "\\", "unknown command \\foo"),
    (r"\sum_m a", "\\", "cannot tell the range of Σ_m"),
    (r"a = {b", "{", "is never closed"),
    (r"a = b}", "}", "closes nothing"),
    (r"a + ", "", "ends too early"),
    (r"h_l + 1", "h", "h needs its argument"),
    (r"\mathcal{N} + 1", "\\", "needs its arguments"),
    (r"x_{j,,i}", "x", "index is missing"),
    (r"e_{j}", "e", "e with an index"),
    (r"\frac{\partial^2 E}{\partial w^2}", "\\", "not by w"),  # second derivatives read; by the vector w not
    (r"\frac{\partial E}{\partial \mathbf{w}}", "\\", "differentiates by one quantity"),
    (r"\begin{cases} a \end{cases}", "\\", "cannot read"),  # a case needs & and its condition
    (r"\begin{array}{ll} a \end{array}", "\\", "environment 'array' is not read"),
    (r"\sum_{j,k} a_j", "j", "one index letter"),
    (r"\partial E + 1", "\\", "outside a derivative"),
    (r"w^{(l)}^{(2)}", "w", "a second layer"),
    (r"x(a, b)", "x", "is not a function"),
    (r"a \mid b", "\\", "cannot read"),
]


@pytest.mark.parametrize("tex, under, message", ERRORS, ids=[t for t, _, _ in ERRORS])
def test_errors_carry_a_caret(tex: str, under: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(tex)
    err = info.value
    assert isinstance(err, DeriveError) and message in str(err) and "\n" not in str(err)
    line, caret = err.caret().splitlines()
    assert caret.strip() == "^" and line.startswith(tex.splitlines()[err.line - 1][:len(line)][:20])
    assert tex[err.pos:err.pos + 1] == under, (tex, err.pos, str(err))


HOSTILE = [
    r"\input{/etc/passwd}",
    "__import__('os').system('ls')",
    "x" * 10 ** 6,
    "{" * 500 + "}" * 500,
    r"\def\x{1}",
    r"\usepackage{amsmath}",
    r"\begin{document} x \end{document}",
    'exec("print(1)")',
    "lambda: 0",
    r"\write18{rm -rf /}",
    r"\catcode`\^=7",
    "1" * 5000,
    "2^{2^{2^{2^{2^{2}}}}}",
    "(" * 60 + "x" + ")" * 60,
    r"\log " * 60 + "x",
    "h''''''(a)",
    "a\x00b",
    "import os; os.remove('x')",
]


@pytest.mark.parametrize("tex", HOSTILE, ids=[t[:30] for t in HOSTILE])
def test_hostile_input_is_refused_fast(tex: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse(tex)
    assert time.perf_counter() - start < 0.5
    assert info.value.caret().splitlines()[1].strip() == "^"
    assert len(str(info.value)) < 200


def test_length_is_refused_before_lark() -> None:
    with pytest.raises(ParseError, match="at most 20,000"):
        parse("a" * (MAX_CHARS + 1))
    assert len(parse(" + ".join(["a_j"] * 3000)).equations) == 1


# --- random spacing and \left/\right never change a parse ----------------------------------------
TOKENS = [
    [r"\delta", "_", "j", "^", "{", "(", "l", ")", "}", "=", "h", "_", "l", "'", "(", "a", "_", "j", "^", "{",
     "(", "l", ")", "}", ")", r"\sum", "_", "k", "w", "_", "{", "k", "j", "}", "^", "{", "(", "l", "+", "1",
     ")", "}", r"\delta", "_", "k", "^", "{", "(", "l", "+", "1", ")", "}"],
    [r"\frac", "{", r"\partial", "E", "}", "{", r"\partial", "w", "_", "{", "j", "i", "}", "^", "{", "(", "l",
     ")", "}", "}", "=", r"\delta", "_", "j", "^", "{", "(", "l", ")", "}", "z", "_", "i", "^", "{", "(", "l",
     "-", "1", ")", "}"],
    ["E", "(", "w", ")", "=", r"\sum", "_", "{", "n", "=", "1", "}", "^", "N", r"\|", r"\mathbf", "{", "y", "}",
     "(", r"\mathbf", "{", "x", "}", "_", "n", ")", "-", r"\mathbf", "{", "t", "}", "_", "n", r"\|", "_", "2",
     "^", "2"],
    [r"\frac", "{", "N", "D", "}", "{", "2", "}", r"\log", "2", r"\pi", r"\sigma", "^", "2", "+", r"\frac",
     "{", "1", "}", "{", "2", r"\sigma", "^", "2", "}", "E", "(", "w", ")"],
    ["y", "_", "k", "=", r"\frac", "{", r"\exp", "(", "a", "_", "k", ")", "}", "{", r"\sum", "_", "j", r"\exp",
     "(", "a", "_", "j", ")", "}"],
    [r"\frac", "{", r"\partial", "}", "{", r"\partial", "a", "_", "j", "^", "{", "(", "L", ")", "}", "}",
     r"\log", r"\sum", "_", "{", "k", "=", "1", "}", "^", "K", r"\exp", "(", "a", "_", "k", ")", "=", "y", "_", "j"],
    ["p", "(", "t", "_", "n", "|", "x", "_", "n", ",", "w", ")", "=", r"\prod", "_", "{", "k", "=", "1", "}",
     "^", "K", "[", "y", "_", "k", "(", "x", "_", "n", ")", "]", "^", "{", "t", "_", "{", "n", "k", "}", "}"],
    ["h", "^", "{", r"\prime", "}", "_", "l", "(", "a", ")", r"\cdot", "w", "_", "{", "j", ",", "i", "}", "^",
     "{", "(", "L", "-", "1", ")", "}"],
]
SPACES = [" ", "  ", r"\,", r"\;", r"\!", r"\:", "~", r"\ "]
SIZES = {"(": [r"\left", r"\big", r"\Big", r"\bigl"], ")": [r"\right", r"\big", r"\Big", r"\bigr"],
         "[": [r"\left", r"\bigl"], "]": [r"\right", r"\bigr"], r"\|": [r"\left", r"\right", r"\big"]}


def glue(tokens: list[str]) -> str:
    """Tokens joined as a student would type them: a command is ended by a space only where needed."""
    out = ""
    for t in tokens:
        if re.search(r"\\[A-Za-z]+$", out) and t[:1].isalpha():
            out += " "
        out += t
    return out


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(TOKENS), st.data())
def test_spacing_and_sizing_never_change_the_parse(tokens: list[str], data: st.DataObject) -> None:
    noisy: list[str] = []
    for t in tokens:
        if data.draw(st.booleans()):
            noisy.append(data.draw(st.sampled_from(SPACES)))
        if t in SIZES and data.draw(st.booleans()):
            noisy += [data.draw(st.sampled_from(SIZES[t])), " " if t[0].isalpha() else ""]
        noisy.append(t)
    assert sides(glue(noisy)) == sides(glue(tokens))


# --- the blank course notebook, and answers as students hand them in --------------------------------
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
UNREAD = {"$h_1$", "$h_2$", "$h_l$", r"$\tanh$", r"$\nabla$", r"$\mathcal{N}$"}  # names in prose, not formulas


def notebook_math() -> list[tuple[int, str]]:
    nb = nbformat.read(BLANK, as_version=4)
    return [(n, m.group(0)) for n, c in enumerate(nb.cells) if c.cell_type == "markdown"
            for m in MATH.finditer(c.source)]


@pytest.mark.skipif(not BLANK.exists(), reason="the blank notebook lives in shared/reference")
def test_the_blank_notebooks_formulas_parse() -> None:
    unread = [t for _, t in notebook_math() if t not in UNREAD and not reads(t)]
    # left: the set {(x_n, t_n) | n = 1..N}, and the chain rule with \partial w: its bar reads, but w is a vector
    assert len(unread) == 2, unread
    assert all("\\{" in t or "\\right|" in t for t in unread)


def reads(tex: str) -> bool:
    try:
        parse(tex)
    except ParseError:
        return False
    return True


@pytest.mark.skipif(not BLANK.exists(), reason="the blank notebook lives in shared/reference")
def test_every_question_cell_parses_and_eq9_reads_as_given() -> None:
    nb = nbformat.read(BLANK, as_version=4)
    questions = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Exercise")]
    assert len(questions) >= 10
    for source in questions:
        for m in MATH.finditer(source):
            if m.group(0) not in UNREAD:
                parse(m.group(0))
    (j_cell,) = [q for q in questions if q.startswith("## Exercise j)")]
    answer = parse(re.search(r"\$\$(.+?)\$\$", j_cell, re.DOTALL).group(0))  # type: ignore[union-attr]
    assert readback(answer) == "\n".join(["∂E/∂w_ji^(l) = δ_j^(l) z_i^(l-1)",
                                          "δ_j^(l) = Σ_{k=1}^{K} h_l'(a_j^(l)) δ_k^(l+1) w_kj^(l+1)"])


HAND_INS = [  # the forms of "What students actually hand in" (shared/research/answer-checking.md)
    ("\n".join(["$$", r"\begin{align}", "% first eq. (8)",
                r"\frac{\partial E}{\partial w^{(l)}_{ji}} &= \delta^{(l)}_j z^{(l-1)}_i \\",
                r"\delta^{(l)}_j &= h_l'(a^{(l)}_j) \sum_k w^{(l+1)}_{kj} \delta^{(l+1)}_k % eq. (9)",
                r"\end{align}", "$$"]),
     "\n".join(["∂E/∂w_ji^(l) = δ_j^(l) z_i^(l-1)",
                "δ_j^(l) = h_l'(a_j^(l)) Σ_{k=1}^{M_{l+1}} δ_k^(l+1) w_kj^(l+1)",
                "  Σ_k: limits left out, read as k = 1, …, M_{l+1} (the units of layer l+1, no bias unit)"])),
    ("\n".join(["$$", r"\begin{aligned}", r"E &= -\sum_k t_k \log y_k \\",
                r"  &= -\sum_k t_k a_k + \log \sum_{k'} e^{a_{k'}}", r"\end{aligned}", "$$"]),
     "\n".join(["E = -Σ_{k=1}^{K} t_k log(y_k) = log(Σ_{k'=1}^{K} exp(a_k')) - Σ_{k=1}^{K} a_k t_k",
                "  Σ_k: limits left out, read as k = 1, …, K (the outputs)",
                "  Σ_k: limits left out, read as k = 1, …, K (the units of layer L, no bias unit)",
                "  Σ_k': limits left out, read as k' = 1, …, K (the units of layer L, no bias unit)"])),
    ("\n".join([r"y_j = h_2(\ldots)", "", r"y_j = h_2(\sum_i w_{ji}^{(2)} h_1(\sum_k w_{ik}^{(1)} x_k))"]),
     "\n".join(["y_j = h_2(…)", "y_j = h_2(Σ_{i=0}^{M_1} w_ji^(2) h_1(Σ_{k=0}^{D} x_k w_ik^(1)))",
                "  Σ_k: limits left out, read as k = 0, …, D (the inputs and the bias input x_0 = 1)",
                "  Σ_i: limits left out, read as i = 0, …, M_1 (the units of layer 1 and its bias unit 0)"])),
    (r"\delta_j = wkj \delta_k", "δ_j = j k δ_k w"),  # subscripts without _: the read-back shows it
    ("\n".join([r"$$\begin{equation*} E = \sum_n", r"  \| y_n - t_n \|^2 \end{equation*}$$"]),
     "\n".join(["E = Σ_{n=1}^{N} Σ_{k=1}^{K} (y_nk - t_nk)^2",
                "  Σ_k: limits left out, read as k = 1, …, K (the components of the vector in ||...||, the outputs)",
                "  Σ_n: limits left out, read as n = 1, …, N (the examples)"])),
]


@pytest.mark.parametrize("tex, expected", HAND_INS, ids=[t[:30] for t, _ in HAND_INS])
def test_hand_in_forms(tex: str, expected: str) -> None:
    assert readback(parse(tex)) == expected


def test_a_comma_separates_indices_inside_braces_and_equations_outside() -> None:
    (first, second) = parse(r"w_{j,i} = 1, x_{k} = 2").equations
    assert first.sides == (nt.base("w")[j, i], 1) and second.sides == (nt.base("x")[k], 2)
    assert sides(r"f(a, b) = 1") == ((sp.Function("f")(nt.base("a"), nt.base("b")), 1),)
