"""derive check's judge: every verdict both ways, each mistake id named, the CLI's exit statuses."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from derive.check.judge import check
from derive.cli import cli
from tests.check.corpus import CORRECT, MISTAKES


@pytest.mark.parametrize("exercise, answer, verdict, convention", CORRECT)
def test_verdicts(exercise: str, answer: str, verdict: str, convention: str | None) -> None:
    v = check(exercise, answer)
    assert (v.verdict, v.convention) == (verdict, convention), v
    assert v.seconds < 5


@pytest.mark.parametrize("exercise, answer, mistake", MISTAKES)
def test_mistakes_are_named(exercise: str, answer: str, mistake: str) -> None:
    v = check(exercise, answer)
    assert v.verdict == "wrong" and mistake in v.mistakes, v


def test_a_wrong_answer_with_no_named_mistake_is_just_wrong() -> None:
    v = check("i", r"\delta_j^{(L)} = y_j")
    assert v.verdict == "wrong" and v.mistakes == ()


def test_the_first_false_link_of_a_chain() -> None:
    v = check("j", r"\delta_j^{(l)} = \frac{\partial E}{\partial a_j^{(l)}} = \sum_k \frac{\partial E}"
              r"{\partial a_k^{(l+1)}} \frac{\partial a_k^{(l+1)}}{\partial a_j^{(l)}} = h_l(a_j^{(l)}) "
              r"\sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}")
    assert v.equations[0].failing_link == 2 and v.mistakes == ("activation-not-derivative",)


@pytest.mark.parametrize("answer", [r"\delta_j^{(l)} = \foo", "}" * 3, "\\" * 5000, r"\input{/etc/passwd}",
                                    "__import__('os')", "{" * 60 + "}" * 60])
def test_hostile_input_is_unreadable(answer: str) -> None:
    v = check("j", answer)
    assert v.verdict == "unreadable" and "^" in v.message


def test_a_time_out_is_undecided() -> None:
    v = check("j", r"\delta_j^{(l)} = h_l'(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}", timeout=1e-4)
    assert v.verdict == "undecided"


RIGHT = r"\delta_j^{(L)} = y_j - t_j"


@pytest.mark.parametrize("args, status, first", [
    (["i", RIGHT], 0, "correct"),
    (["k", r"\delta_j^{(L)} = (y_j - t_j) h_L'(a_j^{(L)})"], 0, "convention (half-sum-of-squares)"),
    (["j", r"\delta_j^{(l)} = h_l(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}"], 1,
     "wrong (activation-not-derivative): h_l(a_j^(l)) stands where h_l'(a_j^(l)) belongs"),
    (["i", r"\delta_j^{(L)} = \bar"], 2, "unreadable"),
    (["d", "it collapses"], 2, "Error"),
    (["i"], 2, "Error"),
    (["i", RIGHT, "--timeout", "0.0001"], 3, "undecided"),
])
def test_cli_exit_status(args: list[str], status: int, first: str) -> None:
    time = [] if "--timeout" in args else ["--timeout", "120"]  # a cold build of the references counts
    result = CliRunner().invoke(cli, ["check", *args, *time])
    assert result.exit_code == status, result.output
    assert result.output.startswith(first), result.output


def test_cli_reads_stdin_and_prints_json() -> None:
    result = CliRunner().invoke(cli, ["check", "i", "-", "--json", "--timeout", "120"], input=RIGHT)
    out = json.loads(result.output)
    assert result.exit_code == 0 and out["verdict"] == "correct" and out["equations"][0]["failing_link"] is None
    assert set(out) == {"exercise", "verdict", "convention", "mistakes", "equations", "message", "routes", "seconds"}
