"""derive check's time limits: they nest; --timeout bounds the judging, the reference build has its own limit."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy as sp

from derive.check import judge
from derive.check import symbolic as sy
from derive.check.clock import Background, overdue, within
from derive.core.checks import time_limit

ROOT = Path(__file__).resolve().parents[2]


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_an_inner_limit_fires_first_and_leaves_the_outer_armed() -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError), within(0.5):
        with pytest.raises(TimeoutError), within(0.05):
            spin(2)
        assert time.monotonic() - start < 0.3
        spin(2)  # the outer limit still fires, after the inner one was left
    assert 0.4 < time.monotonic() - start < 1.0


def test_an_outer_limit_that_runs_out_first_fires_inside_the_inner() -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError), within(0.1):
        try:
            with within(5):
                spin(2)
        except TimeoutError:  # caught inside: it was the outer limit's, and says so
            assert overdue()
            raise
    assert time.monotonic() - start < 0.5 and not overdue()


def test_the_symbolic_route_passes_the_answers_time_out_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A route's own time-out is None (the points decide); the answer's, reached inside it, is raised on."""
    monkeypatch.setattr(sy, "side", lambda *args: spin(2))
    assert sy.decide(sp.Integer(0), sp.Integer(0), None, seconds=0.05) is None  # type: ignore[arg-type]
    start = time.monotonic()
    with pytest.raises(TimeoutError), within(0.05):
        sy.decide(sp.Integer(0), sp.Integer(0), None, seconds=1)  # type: ignore[arg-type]
    assert time.monotonic() - start < 0.5


def test_a_limit_inside_core_time_limit_keeps_it() -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError), time_limit(0.3):
        with within(0.05):
            pass
        spin(2)
    assert time.monotonic() - start < 0.8


def test_no_limit_is_no_limit() -> None:
    with within(0.05):
        pass
    spin(0.15)  # nothing left armed


def test_background_gives_nothing_until_done_and_passes_errors_on() -> None:
    slow = Background(lambda: (time.sleep(0.3), 7)[1])
    assert slow.wait(0.01) is None and slow.wait(2) == 7
    with pytest.raises(ZeroDivisionError):
        Background(lambda: 1 // 0).wait(2)


def test_a_slow_build_is_undecided_within_its_own_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(judge, "CHECKERS", {})
    monkeypatch.setattr(judge, "BUILDING", {})
    monkeypatch.setattr(judge, "BUILD_LIMIT", 0.3)
    real = judge.Checker
    judge.parse(r"\delta_j^{(L)} = y_j")  # the parser's tables are built at startup, not in the time
    monkeypatch.setattr(judge, "Checker", lambda exercise, activation="": (time.sleep(1.5), real(exercise, activation))[1])
    start = time.perf_counter()
    v = judge.check_within("i", r"\delta_j^{(L)} = y_j - t_j", 0.1)
    assert v.verdict == "undecided" and "built" in v.message and v.read_as, v
    assert time.perf_counter() - start < 0.7
    monkeypatch.setattr(judge, "BUILD_LIMIT", 60.0)
    v = judge.check_within("i", r"\delta_j^{(L)} = y_j - t_j", 5)  # the same build, waited for: not a second one
    assert v.verdict == "correct", v
    assert judge.check_within("i", r"\delta_j^{(L)} = \bar", 0.01).verdict == "unreadable"


def cli(*args: str) -> tuple[int, str, float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "derive", "check", *args], capture_output=True, text=True, check=False,
                          cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, timeout=300)
    return done.returncode, done.stdout, time.perf_counter() - start


def test_the_cli_timeout_is_per_answer_and_the_cold_build_has_its_own_limit() -> None:
    """c's references take seconds to build cold; --timeout 1 still gets its verdict (the build has
    BUILD_LIMIT of its own), and a limit of 0 for the answer itself is undecided, exit 3."""
    status, out, seconds = cli("c", "y_j = z_j^{(L)}", "--timeout", "1")
    assert status == 1 and out.startswith("incomplete"), (out, seconds)
    status, out, _ = cli("i", r"\delta_j^{(L)} = y_j - t_j", "--timeout", "0")
    assert status == 3 and out.startswith("undecided"), out


def test_a_limit_that_fires_at_once_leaves_nothing_behind() -> None:
    for _ in range(200):
        try:
            with within(1e-9):
                spin(0.001)
        except TimeoutError:
            pass
        assert not overdue()
    spin(0.05)  # no stray alarm


def test_a_swallowed_alarm_fires_again() -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError), within(0.05):
        try:
            spin(1)
        except TimeoutError:  # swallowed, as Python does with one raised in a gc callback
            pass
        spin(1)
    assert time.monotonic() - start < 0.5
