"""derive check's two routes: the symbolic one can reject, its time-out is never `wrong`, and the routes are recorded."""
from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from derive.check import judge
from derive.check import symbolic as sy
from derive.check.judge import Checker, check
from derive.check.numeric import canonical
from derive.check.parse import parse
from derive.cli import cli

K_RIGHT = r"\delta_j^{(L)} = 2 (y_j - t_j) h_L'(a_j^{(L)})"
BOTH = (judge.POINTS, sy.ROUTE)


def route(exercise: str, answer: str, seconds: float | None = None) -> bool | None:
    """The symbolic route alone on the answer's right side against the exercise's main result."""
    c = Checker(exercise)
    side = canonical(parse(answer).equations[0].sides[-1])
    return sy.decide(side, sy.written_truth(c.ref.targets[0].rhs, c.points[0]), c.points[0], seconds=seconds)


@pytest.mark.parametrize("exercise, answer", [
    ("k", K_RIGHT), ("k", r"\delta_j^{(L)} = 2 h_L'(a_j^{(L)}) y_j - 2 t_j h_L'(a_j^{(L)})"),
    ("j", r"\delta_j^{(l)} = h_l'(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}"),
    ("l", r"\frac{\partial E}{\partial w_{ji}^{(l)}} = \sum_{m=1}^{N} z_{mi}^{(l-1)} \delta_{mj}^{(l)}"),
    ("a", r"y_j = h_2(w_{j0}^{(2)} + \sum_{i=1}^{M} w_{ji}^{(2)} h_1(\sum_{m=0}^{D} w_{im}^{(1)} x_m))"),
    ("g", r"E = \sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log \frac{1}{y_{nk}}"),
])
def test_the_symbolic_route_proves_a_right_answer(exercise: str, answer: str) -> None:
    assert route(exercise, answer) is True


@pytest.mark.parametrize("exercise, answer", [
    ("k", r"\delta_j^{(L)} = -2 (y_j - t_j) h_L'(a_j^{(L)})"),
    ("k", r"\delta_j^{(L)} = 2 (y_j - t_j) h_L(a_j^{(L)})"),
    ("j", r"\delta_j^{(l)} = h_l(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}"),
    ("l", r"\frac{\partial E}{\partial w_{ji}^{(l)}} = \sum_{n=1}^{N} \delta_{nj}^{(l)} z_{nj}^{(l-1)}"),
    ("a", r"y_j = h_2(w_{j0}^{(2)} + \sum_{i=1}^{M} w_{ji}^{(2)} h_1(\sum_{m=1}^{D} w_{im}^{(1)} x_m))"),
])
def test_the_symbolic_route_rejects_a_wrong_answer(exercise: str, answer: str) -> None:
    assert route(exercise, answer) is False


def test_what_expand_cannot_settle_is_undecided_not_false() -> None:
    y = sp.IndexedBase("y")
    assert sy.settle(sp.log(y[1] * y[2]) - sp.log(y[1]) - sp.log(y[2])) is True  # force: the leaves are positive
    assert sy.settle(sp.exp(y[1]) - sp.exp(y[2])) is None  # not a rational function of the leaves
    assert sy.settle(y[1] - y[2]) is False and sy.settle(sp.Integer(3)) is False and sy.settle(sp.pi - 3) is None


def test_a_symbolic_time_out_is_undecided_never_false() -> None:
    assert route("k", K_RIGHT, seconds=1e-9) is None
    assert route("k", r"\delta_j^{(L)} = -2 (y_j - t_j) h_L'(a_j^{(L)})", seconds=1e-9) is None


def test_a_correct_verdict_rests_on_both_routes_where_cheap() -> None:
    for exercise, answer in (("k", K_RIGHT), ("f", r"\sigma^2 = \frac{E}{ND}"), ("h", r"\frac{B}{N}")):
        v = check(exercise, answer)
        assert (v.verdict, v.routes) == ("correct", BOTH), v


def test_a_wrong_verdict_names_its_routes() -> None:
    v = check("k", r"\delta_j^{(L)} = -2 (y_j - t_j) h_L'(a_j^{(L)})")
    assert (v.verdict, v.routes) == ("wrong", BOTH), v
    v = check("i", r"\delta_j^{(L)} = t_j - y_j")  # the softmax's exp: the points decide alone
    assert (v.verdict, v.routes) == ("wrong", (judge.POINTS,)), v


def test_where_the_symbolic_route_times_out_the_points_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sy, "SECONDS", 1e-9)
    c = Checker("k")
    right, wrong = c.check(K_RIGHT), c.check(r"\delta_j^{(L)} = 2 (y_j - t_j)")
    assert (right.verdict, right.routes) == ("correct", (judge.POINTS,)), right
    assert (wrong.verdict, wrong.mistakes, wrong.routes) == ("wrong", ("missing-derivative",), (judge.POINTS,)), wrong


def test_routes_that_disagree_are_undecided_never_wrong_or_correct(monkeypatch: pytest.MonkeyPatch) -> None:
    c = Checker("k")
    monkeypatch.setattr(sy, "decide", lambda *args, **kw: True)  # a symbolic route that says equal to all
    v = c.check(r"\delta_j^{(L)} = -2 (y_j - t_j) h_L'(a_j^{(L)})")
    assert v.verdict == "undecided" and "disagree" in v.message and v.routes == (), v
    monkeypatch.setattr(sy, "decide", lambda *args, **kw: False)  # and one that says different to all
    v = c.check(K_RIGHT)
    assert v.verdict == "undecided" and "disagree" in v.message, v


def test_the_json_names_the_routes() -> None:
    result = CliRunner().invoke(cli, ["check", "k", K_RIGHT, "--json", "--timeout", "60"])
    out = json.loads(result.output)
    assert result.exit_code == 0 and out["routes"] == list(BOTH), out
