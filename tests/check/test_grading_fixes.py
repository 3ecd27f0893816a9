"""Five defects found while grading notebooks, each tested both ways: the bad case now right, a near miss still wrong."""
from __future__ import annotations

from itertools import combinations

import pytest

from derive.check.judge import SEEDS, check
from derive.check.numeric import Point
from derive.check.parse import parse
from derive.check.readback import readback, readback_latex
from derive.check.report import markdown, tex
from derive.check.targets import BUILDERS, target_reference

DW = r"\frac{\partial E}{\partial w_{ji}^{(l)}} = \delta_j^{(l)} z_i^{(l-1)}"
HP = r"h_l'(a_j^{(l)})"


# 1. sizes drawn per symbol: distinct sizes differ at some point -----------------------------------
@pytest.mark.parametrize("exercise", sorted(BUILDERS))
def test_every_pair_of_sizes_differs_at_some_point(exercise: str) -> None:
    space = target_reference(exercise).space
    points = [Point(space, seed) for seed in SEEDS]
    for u, v in combinations(sorted(space.sizes, key=str), 2):
        assert any(p.sizes[u] != p.sizes[v] for p in points), (exercise, u, v)
    assert [p.sizes for p in points] == [Point(space, seed).sizes for seed in SEEDS]  # deterministic


def test_a_tied_size_follows_its_own() -> None:
    space = target_reference("e").space  # a norm's implicit K is e's D
    for seed in SEEDS:
        sizes = Point(space, seed).sizes
        assert sizes[next(s for s in sizes if s.name == "K")] == sizes[next(s for s in sizes if s.name == "D")]


def test_a_sum_to_the_wrong_layers_size_is_wrong() -> None:
    v = check("j", rf"\delta_j^{{(l)}} = {HP} \sum_{{k=1}}^{{M_l}} w_{{kj}}^{{(l+1)}} \delta_k^{{(l+1)}} \\ {DW}")
    assert v.verdict == "wrong" and "wrong-layer" in v.mistakes, v
    assert check("j", rf"\delta_j^{{(l)}} = {HP} \sum_{{k=1}}^{{M_{{l-1}}}} w_{{kj}}^{{(l+1)}} \delta_k^{{(l+1)}}").verdict == "wrong"


def test_the_sum_to_the_right_size_stays_correct() -> None:
    v = check("j", rf"\delta_j^{{(l)}} = {HP} \sum_{{k=1}}^{{M_{{l+1}}}} w_{{kj}}^{{(l+1)}} \delta_k^{{(l+1)}} \\ {DW}")
    assert v.verdict == "correct", v


# 2. dE/da_j^(L) on the left is delta_j^(L) ---------------------------------------------------------
@pytest.mark.parametrize("exercise, answer", [
    ("i", r"\frac{\partial E}{\partial a_j^{(L)}} = y_j - t_j"),
    ("i", r"\frac{\partial E_n}{\partial a_j^{(L)}} = y_j - t_j"),
    ("i", r"\frac{\partial E}{\partial a_k^{(L)}} = y_k - t_k"),
    ("k", r"\frac{\partial E}{\partial a_j^{(L)}} = 2 (y_j - t_j) h_L'(a_j^{(L)})"),
])
def test_the_defining_derivative_is_the_delta(exercise: str, answer: str) -> None:
    v = check(exercise, answer)
    assert v.verdict == "correct", v


@pytest.mark.parametrize("exercise, answer, mistake", [
    ("i", r"\frac{\partial E}{\partial a_j^{(L)}} = t_j - y_j", "sign"),
    ("i", r"\frac{\partial E_n}{\partial a_j^{(L)}} = y_k - t_k", "free-index"),
    ("k", r"\frac{\partial E}{\partial a_j^{(L)}} = 2 (y_j - t_j) h_L(a_j^{(L)})", "activation-not-derivative"),
])
def test_a_wrong_value_of_the_defining_derivative_is_wrong(exercise: str, answer: str, mistake: str) -> None:
    v = check(exercise, answer)
    assert v.verdict == "wrong" and mistake in v.mistakes, v


def test_another_derivative_is_no_delta() -> None:
    v = check("i", r"\frac{\partial E}{\partial z_j^{(L)}} = y_j - t_j")
    assert v.verdict == "wrong", v


# 3. restating the definition gives no result ----------------------------------------------------
@pytest.mark.parametrize("exercise, answer", [
    ("i", r"\delta_j^{(L)} = \frac{\partial E}{\partial a_j^{(L)}}"),
    ("i", r"\delta_j^{(L)} = \frac{\partial E_n}{\partial a_j^{(L)}}"),
    ("i", r"\frac{\partial E}{\partial a_j^{(L)}} = \delta_j^{(L)}"),
    ("i", r"\delta_j^{(L)} = \delta_j^{(L)}"),
    ("k", r"\delta_j^{(L)} = \frac{\partial E}{\partial a_j^{(L)}}"),
    ("j", r"\delta_j^{(l)} = \frac{\partial E}{\partial a_j^{(l)}} \\ " + DW),
])
def test_a_restated_definition_is_incomplete(exercise: str, answer: str) -> None:
    v = check(exercise, answer)
    assert v.verdict == "incomplete" and "restates the definition" in v.message, v


def test_the_definition_as_a_link_of_a_chain_is_fine() -> None:
    assert check("i", r"\delta_j^{(L)} = \frac{\partial E}{\partial a_j^{(L)}} = y_j - t_j").verdict == "correct"
    v = check("i", r"\delta_j^{(L)} = \frac{\partial E}{\partial a_j^{(L)}} = y_j + t_j")
    assert v.verdict == "wrong" and v.equations[0].failing_link == 1, v


def test_a_wrong_definition_is_no_restatement() -> None:
    v = check("i", r"\delta_j^{(L)} = \frac{\partial E}{\partial a_k^{(L)}}")
    assert v.verdict == "wrong", v


# 4. side conditions: for all j, \forall j, j = 1..K --------------------------------------------------
CONDITIONS = [r"\quad \text{for all } j", r"\quad \text{for } j = 1, \ldots, K", r"\quad \forall j",
              r", \; j = 1..K", r", \quad \text{for all } j", r"\qquad \text{for each } j \in \{1, \ldots, K\}",
              r", \quad 1 \le j \le K", r"\quad \forall\, j = 1, \ldots, K"]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_a_side_condition_is_no_equation(condition: str) -> None:
    answer = parse(r"\delta_j^{(L)} = y_j - t_j " + condition)
    assert len(answer.equations) == 1 and len(answer.equations[0].conditions) == 1, answer
    assert check("i", r"\delta_j^{(L)} = y_j - t_j " + condition).verdict == "correct"
    v = check("i", r"\delta_j^{(L)} = t_j - y_j " + condition)
    assert v.verdict == "wrong" and "sign" in v.mistakes, v


def test_the_read_back_keeps_the_condition_as_a_note() -> None:
    answer = parse(r"\delta_j^{(L)} = y_j - t_j \quad \text{for all } j")
    assert readback(answer) == "δ_j^(L) = y_j - t_j,   for all j"
    assert readback_latex(answer).endswith(r"\quad \text{for all } j")
    assert readback(parse(r"\delta_j^{(L)} = y_j - t_j, \; j = 1..K")).endswith("j = 1, …, K")


def test_a_second_equation_is_still_an_equation() -> None:
    assert len(parse(r"a = b, \; k = 1").equations) == 2  # k is free in neither side: no range of the equation
    assert len(parse(r"\delta_j^{(L)} = y_j - t_j, \quad z_0 = 1").equations) == 2
    v = check("j", rf"\delta_j^{{(l)}} = {HP} \sum_k w_{{kj}}^{{(l+1)}} \delta_k^{{(l+1)}} \quad \text{{for all }} j \\ {DW}")
    assert v.verdict == "correct", v


# 5. the read-backs print h_L' as h_L' ----------------------------------------------------------------
def test_tex_keeps_a_functions_prime_outside_its_subscript() -> None:
    read = readback(parse(r"\delta_j^{(L)} = h_L'(a_j^{(L)}) (y_j - t_j) + h_L''(a_j^{(L)}) + h_{l+1}'(a_j^{(l+1)})"))
    out = tex(read)
    assert "h_L'(" in out and "h_L''(" in out and "h_{l+1}'(" in out and "h_{L'}" not in out, out


def test_tex_keeps_an_indexs_prime_inside_its_subscript() -> None:
    out = tex(readback(parse(r"w_{ji'} z_{i'} + w_{kj}")))
    assert "w_{ji'}" in out and "z_{i'}" in out and "w_{kj}" in out, out


def test_markdown_and_sheet_latex_print_h_prime_right() -> None:
    v = check("k", r"\delta_j^{(L)} = 2 (y_j - t_j) h_L'(a_j^{(L)})")
    assert "h_L'(" in markdown(v) and "h_{L'}" not in markdown(v)
    latex = readback_latex(parse(r"h_{l+1}'(a_k^{(l+1)}) + h_{L-1}(a_j^{(L-1)})"))
    assert "h_{l+1}'" in latex and "h_{L-1}(" in latex and "lp1" not in latex and "Lm1" not in latex, latex
