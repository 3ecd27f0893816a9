"""`derive grade`'s checks of its input (each refusal one line, before any work) and the run that writes DIR."""
from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

from derive.core.errors import DeriveError
from derive.core.files import can_make_folder
from derive.grade.notebook import Unreadable, read_notebook
from derive.grade.output import files, write
from derive.grade.progress import FEW, Progress
from derive.grade.run import grade
from derive.grade.sections import EXERCISES


def handin_paths(handins: tuple[str, ...]) -> list[str]:
    """The notebooks to grade: the files named, and the .ipynb files under a folder named (sorted, no checkpoints)."""
    if not handins:
        raise DeriveError("no hand-ins given: derive grade HANDIN.ipynb... -o DIR")
    out: list[str] = []
    for h in handins:
        p = Path(h)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in f.parts)
            if not found:
                raise DeriveError(f"no .ipynb files in the folder {h}")
            out += found
        elif p.exists():
            out.append(h)
        else:
            raise DeriveError(f"no such file: {h}")
    return list(dict.fromkeys(out))


def exercise_list(text: str | None) -> tuple[str, ...]:
    if text is None:
        return EXERCISES
    ids = [s.strip().lower().rstrip(")") for s in text.split(",")]
    if any(not i for i in ids):
        raise DeriveError(f"malformed --exercises {text!r}: expected comma-separated letters such as a,b,j")
    unknown = [i for i in ids if i not in EXERCISES]
    if unknown:
        raise DeriveError(f"unknown exercise {unknown[0]!r} in --exercises; choose from {', '.join(EXERCISES)}")
    return tuple(e for e in EXERCISES if e in ids)


def check_options(jobs: int | None, timeout: float, blank: str | None) -> int:
    if jobs is not None and jobs < 1:
        raise DeriveError(f"--jobs {jobs}: give a positive number of worker processes")
    if not (timeout > 0 and math.isfinite(timeout)):
        raise DeriveError(f"--timeout {timeout}: give a positive number of seconds")
    if blank is not None:
        try:
            read_notebook(blank)
        except Unreadable as exc:
            raise DeriveError(f"--blank {blank}: {exc}") from None
    return jobs or os.cpu_count() or 1


def run(handins: tuple[str, ...], out_dir: str, jobs: int | None = None, exercises: str | None = None,
        blank: str | None = None, reveal: bool = False, quiet: bool = False, timeout: float = 5.0) -> list[Path]:
    """Grade the hand-ins and write DIR; DeriveError (exit 2) for bad usage, before any work."""
    paths = handin_paths(handins)
    asked = exercise_list(exercises)
    workers = check_options(jobs, timeout, blank)
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise DeriveError(f"cannot write into {out_dir}: it is a file, not a folder")
    can_make_folder(out_dir)
    progress = Progress(len(paths), quiet)
    graded = grade(paths, asked, blank, min(workers, max(len(paths), 1) * len(asked)), timeout, reveal, progress)
    written = write(out_dir, files(graded, blank is not None, reveal))
    counts = Counter(r.verdict for r in graded.rows)
    if len(paths) <= FEW:
        for n in dict.fromkeys(r.notebook for r in graded.rows):
            mine = Counter(r.verdict for r in graded.rows if r.notebook == n)
            progress.say(f"{n}: " + ", ".join(f"{v} {c}" for v, c in sorted(mine.items(), key=lambda kv: (-kv[1], kv[0]))))
    progress.finish(f"graded {len(paths)} notebook{'s' if len(paths) != 1 else ''} into {out_dir} "
                    f"({', '.join(f'{v} {c}' for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))})")
    return written
