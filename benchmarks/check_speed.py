"""derive check's seconds per answer over the test corpus (warm batch, cold CLI), beside math-verify's accuracy and time."""
from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from derive.check.judge import Checker
from derive.emit.latex.printer import latex

try:  # the reference of an exercise, wherever the version at hand builds it
    from derive.check.targets import target_reference as reference
except ImportError:
    from derive.check.reference import reference  # type: ignore[attr-defined,no-redef]

Row = tuple[str, str, str, "str | None", tuple[str, ...]]


def corpus() -> list[Row]:
    """tests/check/corpus.py, imported by path: CORPUS, or CORRECT and MISTAKES where it has no CORPUS."""
    spec = importlib.util.spec_from_file_location("check_corpus", ROOT / "tests" / "check" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "CORPUS"):
        return list(module.CORPUS)
    return [(e, a, v, c, ()) for e, a, v, c in module.CORRECT] + [(e, a, "wrong", None, (m,)) for e, a, m in module.MISTAKES]


def gold(exercise: str) -> str:
    """The sheet's boxed results of the exercise, `lhs = rhs` by the sheet's printer, one per line."""
    return r" \\ ".join(latex(t.rhs) if getattr(t, "bare", False) else f"{latex(t.lhs)} = {latex(t.rhs)}"
                         for t in reference(exercise).targets)


def summary(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds) * 1e3:.1f} ms, worst {max(seconds) * 1e3:.1f} ms"


def warm(rows: list[Row]) -> tuple[list[float], dict[str, float], int, list[bool]]:
    """Every answer through one Checker per exercise: seconds each, preparation per exercise, verdicts right."""
    checkers: dict[str, Checker] = {}
    prepare: dict[str, float] = {}
    seconds, right, said = [], 0, []
    for exercise, answer, verdict, convention, mistakes in rows:
        if exercise not in checkers:
            start = time.perf_counter()
            checkers[exercise] = Checker(exercise)
            prepare[exercise] = time.perf_counter() - start
        start = time.perf_counter()
        v = checkers[exercise].check(answer)
        seconds.append(time.perf_counter() - start)
        right += (v.verdict, v.convention) == (verdict, convention) and set(mistakes) <= set(v.mistakes)
        said.append(v.verdict == "correct")
    return seconds, prepare, right, said


def cold(rows: list[Row], sample: int, seed: int) -> tuple[list[float], int]:
    """`python -m derive check EXERCISE - --timeout 120` on a sample, each in a fresh process (the limit counts
    the building of the references, seconds cold): wall seconds, exit statuses right."""
    status = {"correct": 0, "convention": 0, "wrong": 1, "incomplete": 1, "unreadable": 2, "undecided": 3}
    seconds, right = [], 0
    for exercise, answer, verdict, _, _ in random.Random(seed).sample(rows, min(sample, len(rows))):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "derive", "check", exercise, "-", "--timeout", "120"], input=answer, text=True,
                              capture_output=True, cwd=ROOT, check=False)
        seconds.append(time.perf_counter() - start)
        right += done.returncode == status[verdict]
    return seconds, right


def misses(said: list[bool], rows: list[Row]) -> str:
    """Correct answers called not correct, and not-correct ones called correct."""
    truth = [r[2] == "correct" for r in rows]
    missed = sum(t and not s for s, t in zip(said, truth))
    passed = sum(s and not t for s, t in zip(said, truth))
    return f"{missed} of {sum(truth)} correct missed, {passed} of {len(rows) - sum(truth)} not correct passed"


def math_verify(rows: list[Row]) -> tuple[list[float], list[bool], int]:
    """math-verify: correct means verify(parse(gold), parse(answer)); its agreement with correct/not correct."""
    from math_verify import parse, verify
    golds = {e: parse(f"${gold(e)}$") for e in {r[0] for r in rows}}
    seconds, said, errors = [], [], 0
    for exercise, answer, _, _, _ in rows:
        start = time.perf_counter()
        try:
            said.append(bool(verify(golds[exercise], parse(f"${answer}$"))))
        except Exception:  # noqa: BLE001 - a crash is its answer "not correct"
            said, errors = said + [False], errors + 1
        seconds.append(time.perf_counter() - start)
    return seconds, said, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=int, default=20, help="answers run through the CLI, cold")
    parser.add_argument("--seed", type=int, default=2456)
    parser.add_argument("--every", type=int, default=1, help="every k-th answer only (a quick look)")
    args = parser.parse_args()
    rows = corpus()[::args.every]
    by: defaultdict[str, int] = defaultdict(int)
    for r in rows:
        by[r[0]] += 1
    correct = sum(r[2] == "correct" for r in rows)
    print(f"corpus: {len(rows)} answers ({correct} correct), exercises " + ", ".join(f"{e} {n}" for e, n in sorted(by.items())))
    truth = [r[2] == "correct" for r in rows]
    seconds, prepare, right, said = warm(rows)
    print(f"derive warm (Checker per exercise): {summary(seconds)}; verdict and mistakes right {right}/{len(rows)}, "
          f"correct/not correct right {sum(s == t for s, t in zip(said, truth))}/{len(rows)} ({misses(said, rows)})")
    print("  Checker preparation: " + ", ".join(f"{e} {s:.2f} s" for e, s in sorted(prepare.items())))
    mv, mv_said, mv_errors = math_verify(rows)
    print(f"math-verify: {summary(mv)}; correct/not correct right {sum(s == t for s, t in zip(mv_said, truth))}"
          f"/{len(rows)} ({misses(mv_said, rows)}; {mv_errors} raised)")
    cs, cright = cold(rows, args.sample, args.seed)
    print(f"derive cold (CLI, {len(cs)} sampled): {summary(cs)}; exit status right {cright}/{len(cs)}")


if __name__ == "__main__":
    main()
