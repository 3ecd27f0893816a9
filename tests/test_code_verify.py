"""Exercise "code": the emitted module run against route 2 and FD; mutants fail; builders that raise."""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.core.checks import Check
from derive.emit.code import verify_code
from derive.emit.code.plan import module_source
from derive.emit.code_exercise import build, registered
from derive.exercises import REGISTRY, Config, run

KINDS = ("gradients", "loss", "sgd", "fd")  # the four checks of each loss, in order


def by_loss(checks: list[Check]) -> dict[str, dict[str, Check]]:
    assert len(checks) == 4 * len(verify_code.LOSSES)
    return {loss: dict(zip(KINDS, checks[4 * n:4 * n + 4])) for n, loss in enumerate(verify_code.LOSSES)}


def mutant(old: str, new: str, seen: set[str]) -> Callable[[str, str, str, str], str]:
    """module_source with `old` replaced by `new`; `seen` collects the losses it occurred in."""
    def render(widths: str, activation: str, loss: str, dtype: str) -> str:
        source = module_source(widths, activation, loss, dtype)
        if old in source:
            seen.add(loss)
        return source.replace(old, new)
    return render


@pytest.mark.parametrize("config", [Config(), Config((3, 4, 2), ("relu",)), Config((3, 4, 4, 2), ("sigmoid", "tanh"))],
                         ids=lambda c: ",".join(map(str, c.widths)) + " " + ",".join(c.activations))
def test_the_emitted_module_verifies_with_rejected_controls(config: Config) -> None:
    ex = build(config)
    assert ex.id == "code" and ex.verified, [c.detail for c in ex.checks if not c.counts]
    assert ex.routes == [verify_code.FD, verify_code.ROUTE2]
    assert all(c.control == "rejected" for c in ex.checks)
    assert all("tolerance" in c.detail for c in ex.checks)


SIGMOID = "(lambda a, out=None: 1.0 / (1.0 + np.exp(-a)))("
MUTANTS = [  # (old, new, the checks that must fail in each loss where old occurs)
    ("params[name] - lr * grads[name]", "params[name] + lr * grads[name]", {"sgd"}),  # sign slip
    ("np.multiply(R, 2.0, out=R)", "R", {"gradients", "fd"}),  # the factor 2 of E dropped
    (repr(0.5 * math.log(2 * math.pi)), repr(0.5 * math.log(math.pi)), {"loss"}),  # Gaussian constant
    ("np.tanh(", SIGMOID, {"gradients", "loss"}),  # the wrong activation, everywhere
    ("-np.vdot(T, A2)", "-np.vdot(T, A2) / 2", {"loss"}),  # the fast path's cross-entropy E
]


@pytest.mark.parametrize("old,new,failing", MUTANTS, ids=["sgd-sign", "no-factor-2", "gauss-constant",
                                                          "sigmoid-for-tanh", "half-cross-entropy"])
@pytest.mark.parametrize("full", [False, True], ids=["mpmath", "full-size"])
def test_mutants_fail_the_check_that_sees_them(old: str, new: str, failing: set[str], full: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """At small sizes route 2 runs in mpmath; past MAX_WEIGHTS at full size in float64: both see them."""
    if full:
        monkeypatch.setattr(verify_code, "MAX_WEIGHTS", 1)
    seen: set[str] = set()
    results = by_loss(verify_code.checks((2, 3, 2), ("tanh",), render=mutant(old, new, seen)))
    assert seen, f"{old!r} is not in any emitted module"
    for loss, checks in results.items():
        failed = {kind for kind, c in checks.items() if not c.passed}
        assert failed >= failing if loss in seen else failed == set(), (loss, failed)


def test_a_large_network_is_checked_in_full_and_a_module_that_cannot_be_made_fails() -> None:
    big = verify_code.checks((784, 128, 10), ("tanh",))
    assert all(c.counts for c in big) and "every weight" in big[0].detail

    def broken(*options: str) -> str:
        raise ValueError("no template")
    checks = verify_code.checks((2, 3, 2), ("tanh",), render=broken)
    assert checks and not any(c.passed for c in checks)
    assert all(c.detail == "ValueError: no template" for c in checks)
    syntax = verify_code.checks((2, 3, 2), ("tanh",), render=lambda *o: module_source(*o) + "\n)\n")
    assert not any(c.passed for c in syntax) and "SyntaxError" in syntax[0].detail


@pytest.mark.parametrize("old,new,loss,needle", [
    ("params[name] - lr * grads[name]", "params[name] + lr * grads[name]", "sum-of-squares", "sgd_step()"),
    (repr(0.5 * math.log(2 * math.pi)), repr(0.5 * math.log(math.pi)), "gaussian-nll", "textbook E"),
    ("-np.vdot(T, A2)", "-np.vdot(T, A2) / 2", "cross-entropy", "textbook E"),
])
def test_check_gradients_of_a_broken_module_reports_it(old: str, new: str, loss: str, needle: str) -> None:
    source = module_source("3,4,2", "tanh", loss, "float64")
    assert old in source
    intact = verify_code.load(source)
    assert isinstance(intact.check_gradients(), float) and intact.check_gradients() < 1e-6
    broken = verify_code.load(source.replace(old, new))
    with pytest.raises(AssertionError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        broken.check_gradients()


def test_verify_registers_code_last_and_only_while_it_runs() -> None:
    assert "code" not in REGISTRY
    with registered():
        assert list(REGISTRY)[-2:] == ["vectorised", "code"]
    assert "code" not in REGISTRY
    result = CliRunner().invoke(cli, ["verify", "--only", "code"])
    assert result.exit_code == 0, result.output
    assert "code" in result.output and "all verified: 1/1" in result.output
    assert "code" not in REGISTRY


@pytest.mark.parametrize("error", [StopIteration(), TypeError("bad config")])
def test_a_builder_that_raises_is_a_failed_exercise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    error: Exception) -> None:
    def raising(config: Config) -> None:
        raise error
    monkeypatch.setitem(REGISTRY, "d", raising)
    ex, = run(Config(), ["d"])
    why = f"builder raised {type(error).__name__}" + (f": {error}" if str(error) else "")
    assert ex.id == "d" and not ex.verified and [c.detail for c in ex.checks] == [why]
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["verify", "--only", "d,code", "--json", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "FAILED" in result.output and result.output.splitlines()[0].split()[:2] == ["ex", "what"]
    report = json.loads(out.read_text())
    assert report["passed"] is False
    assert [(e["id"], e["status"]) for e in report["exercises"]] == [("d", "failed"), ("code", "verified")]
    assert report["exercises"][0]["checks"][0]["detail"] == why
