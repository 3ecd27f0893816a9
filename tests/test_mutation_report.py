"""benchmarks/mutation_report: an explained survivor is equivalent, an unexplained one counts against the score."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import mutation_report as mr
from mutation_equivalents import EQUIVALENT


@dataclass
class M:
    module: str
    operator: str
    original: str
    mutated: str
    outcome: str
    occurrence: int = 0
    line: int = 1
    seconds: float = 0.0


@dataclass
class Mod:
    path: str
    total: int
    mutants: list[M] = field(default_factory=list)
    steps: list[list[str]] = field(default_factory=lambda: [["verify"]])


def test_an_explained_survivor_is_equivalent_and_leaves_the_score() -> None:
    (module, op, before, after), why = next(iter(EQUIVALENT.items()))
    explained = M(module, op, before, after, "survived")
    unexplained = M(module, op, before, after + " ", "survived")  # one character off: no longer explained
    killed = M(module, op, before, "x", "killed")
    assert mr.outcome(explained) == "equivalent" and mr.outcome(unexplained) == "survived"
    assert mr.score([explained, killed]) == "100.0%" and mr.score([explained, killed], raw=True) == "50.0%"
    assert mr.score([explained, unexplained, killed]) == "50.0%"
    text = mr.report([Mod(module, 10, [explained, unexplained, killed])], "cmd", "tree", {}, "code", 1, 1,
                     lambda p: "all")
    assert why in text and "not explained: to kill" in text
    assert '"outcome": "equivalent"' in mr.results([Mod(module, 10, [explained])])


def test_every_explanation_says_which_kind_it_is() -> None:
    assert all(why.startswith(("equivalent", "unreached")) for why in EQUIVALENT.values())
