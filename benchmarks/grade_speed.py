"""derive grade's speed on a generated class: N notebooks from the blank one, answered with the check corpus.

    python benchmarks/grade_speed.py                 # 200 notebooks, the default --jobs; writes grade_speed.md
    python benchmarks/grade_speed.py --notebooks 50 --jobs 1 --no-write
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat

from tests.check.corpus import CORPUS
from tests.grade.handins import BLANK, display, new_cell, question

SKIP = 0.1  # the share of exercises a student leaves unanswered


def answers() -> dict[str, list[str]]:
    """The corpus's readable answers per exercise (its hostile inputs are for derive check's own tests)."""
    out: dict[str, list[str]] = {}
    for exercise, answer, verdict, _, _ in CORPUS:
        if verdict != "unreadable":
            out.setdefault(exercise, []).append(answer)
    return out


def make_class(folder: Path, n: int, seed: int = 0) -> int:
    """n hand-ins: per exercise a corpus answer, in the question cell or a new cell, or nothing. Returns the
    number of answers written."""
    rng = random.Random(seed)
    base = nbformat.read(str(BLANK), as_version=4)
    pool = answers()
    written = 0
    for k in range(n):
        nb = copy.deepcopy(base)
        for exercise in sorted(pool):
            if rng.random() < SKIP:
                continue
            answer = rng.choice(pool[exercise])
            if rng.random() < 0.5:
                nb.cells[question(nb, exercise)].source += "\n\n" + display(answer)
            else:
                new_cell(nb, exercise, "My answer:\n\n" + display(answer))
            written += 1
        nbformat.write(nb, str(folder / f"student{k:03d}.ipynb"))
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebooks", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=None, help="derive grade --jobs [default: its own, the CPU count]")
    ap.add_argument("--no-write", action="store_true", help="print only; leave grade_speed.md as it is")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "handins", Path(tmp) / "grades"
        folder.mkdir()
        written = make_class(folder, args.notebooks)
        distinct = len({(e, a) for e, a, v, _, _ in CORPUS if v != "unreadable"})
        command = [sys.executable, "-m", "derive", "grade", str(folder), "-o", str(out), "--blank", str(BLANK), "-q"]
        command += ["--jobs", str(args.jobs)] if args.jobs else []
        load = os.getloadavg()[0]
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        rows = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    verdicts = Counter(r["verdict"] for r in rows)
    jobs = args.jobs or os.cpu_count()
    line = (f"{args.notebooks} notebooks ({written} answers, at most {distinct} distinct) in {seconds:.1f} s: "
            f"{args.notebooks / seconds:.2f} notebooks per second, --jobs {jobs}, {os.cpu_count()} CPUs, "
            f"load average {load:.1f} at the start; {cpu:.0f} CPU seconds in all")
    print(line)
    print("verdicts:", ", ".join(f"{v} {c}" for v, c in verdicts.most_common()))
    if args.no_write:
        return
    text = f"""# derive grade: speed on a generated class

`python benchmarks/grade_speed.py` builds {args.notebooks} hand-ins from the blank notebook: for each
exercise a random readable answer of the check corpus (`tests/check/corpus.py`), half of them in the
question cell and half in a new cell below it, {SKIP:.0%} left unanswered; then it times
`derive grade handins -o grades --blank BLANK -q` as a subprocess (Python's start and imports included).

| notebooks | answers | seconds | notebooks per second | --jobs | CPUs | load average at start | CPU seconds |
|---|---|---|---|---|---|---|---|
| {args.notebooks} | {written} | {seconds:.1f} | {args.notebooks / seconds:.2f} | {jobs} | {os.cpu_count()} | {load:.1f} | {cpu:.0f} |

Verdicts: {", ".join(f"{v} {c}" for v, c in verdicts.most_common())}.

Where the time goes: building an exercise's references (`derive.check.targets`, the verified trees without
re-running their checks) takes under a second an exercise on this machine; each exercise is one task,
the heaviest first, and only the worker that takes it builds its references (once; each
distinct answer is judged once per worker: a class repeats answers, the corpus has at most
{distinct} distinct ones). The load average says how busy the machine was with other work;
the figure is wall-clock time. CPU seconds (all of derive grade's processes) do not depend on
that load: on an otherwise idle machine the wall-clock time is about CPU seconds / --jobs,
plus the Python start.
"""
    (ROOT / "benchmarks" / "grade_speed.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
