"""The whole corpus through the batch API (one Checker per exercise): every verdict and mistake as expected."""
from __future__ import annotations

from collections import defaultdict

from derive.check.judge import Checker
from tests.check.corpus import CORPUS


def test_the_corpus_agrees_everywhere() -> None:
    checkers: dict[str, Checker] = {}
    by_exercise: dict[str, list[bool]] = defaultdict(list)
    by_mistake: dict[str, list[bool]] = defaultdict(list)
    failures = []
    for exercise, answer, verdict, convention, mistakes in CORPUS:
        checker = checkers.setdefault(exercise, Checker(exercise))
        v = checker.check(answer)
        ok = (v.verdict, v.convention) == (verdict, convention) and set(mistakes) <= set(v.mistakes)
        by_exercise[exercise].append(ok)
        for m in mistakes or ("(none)",):
            by_mistake[m].append(ok)
        if not ok:
            failures.append((exercise, answer[:120], verdict, convention, mistakes, v.verdict, v.convention, v.mistakes))
    for name, table in (("exercise", by_exercise), ("mistake", by_mistake)):
        for key, oks in sorted(table.items()):
            print(f"{name} {key}: {sum(oks)}/{len(oks)} ({100 * sum(oks) / len(oks):.0f}%)")
    print(f"corpus: {len(CORPUS)} answers, {len(CORPUS) - len(failures)} agree")
    assert len(CORPUS) >= 250
    assert not failures, "\n".join(map(str, failures))
