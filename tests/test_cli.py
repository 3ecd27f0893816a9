"""The CLI: verify's table and JSON, one-line errors with exit status 2, help everywhere."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in cli.commands:
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0 and "Example:" in sub.output, name


def test_verify_json_report(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(cli, ["verify", "--only", "a,d", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["passed"] is True
    assert [e["id"] for e in report["exercises"]] == ["a", "d"]
    assert report["powerless"] == 0 and report["counted"] == sum(e["counted"] for e in report["exercises"])
    for ex in report["exercises"]:
        assert set(ex) == {"id", "title", "status", "seconds", "counted", "powerless", "checks"}
        assert ex["status"] == "verified" and ex["powerless"] == 0
        assert len({c["route"] for c in ex["checks"]}) >= 2
        for c in ex["checks"]:
            assert set(c) == {"route", "status", "passed", "control", "seconds", "detail"}
            assert c["control"] == "rejected"  # every check proved it can fail
    assert "all verified" in result.output


@pytest.mark.parametrize("args, needle", [
    (["--widths", "2,0,1"], "positive integer"),
    (["--widths", "2,-3,1"], "positive integer"),
    (["--widths", "3"], "no layers"),
    (["--widths", "2,,1"], "malformed"),
    (["--widths", "2,x,1"], "malformed"),
    (["--activation", "foo"], "choose from: elu, gelu, identity, leaky_relu, mish, relu, sigmoid, silu, softplus, softsign, tanh, or type one as NAME=EXPR"),
    (["--widths", "2,3,3,1", "--activation", "tanh,relu,tanh"], "2 hidden layers"),
    (["--activation", "tanh,"], "malformed"),
    (["--only", "z"], "unknown exercise"),
    (["--widths", ""], "malformed --widths"),  # empty or blank values are malformed too
    (["--widths", "  "], "malformed --widths"),
    (["--activation", ""], "malformed --activation"),
    (["--activation", " "], "malformed --activation"),
    (["--only", ""], "malformed --only"),
    (["--only", " "], "malformed --only"),
    (["--only", "i,,j"], "malformed --only"),
])
def test_bad_input_is_one_line_and_exit_2(runner: CliRunner, args: list[str], needle: str) -> None:
    result = runner.invoke(cli, ["verify", *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.output
    assert "Traceback" not in result.output


def test_unwritable_json_path_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(cli, ["verify", "--only", "a", "--json", str(blocker / "r.json")])
    assert result.exit_code == 2 and "cannot write" in result.output


def test_python_dash_m_works() -> None:
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "derive", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "verify" in done.stdout
