"""Grading a class in worker processes: one task per exercise (its references built once), rows sorted after."""
from __future__ import annotations

import math
import multiprocessing as mp
import threading
from dataclasses import dataclass
from typing import Any

from derive.grade.found import Found, blank_keys, found
from derive.grade.judging import as_row, judge
from derive.grade.notebook import Unreadable, read_notebook
from derive.grade.progress import Progress
from derive.grade.rows import Row
from derive.grade.sections import EXERCISES

# Rough seconds to build an exercise's references: the heaviest are started first.
BUILD = {"c": 12, "b": 9, "e": 8, "i": 8, "j": 5, "l": 5, "a": 4, "g": 4, "k": 2, "h": 1, "f": 1}


@dataclass(frozen=True)
class Handin:
    """A hand-in as read: each asked exercise's Found, or why the file is not a notebook."""

    notebook: str
    found: tuple[Found, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class Settings:
    exercises: tuple[str, ...]
    blank: frozenset[str] | None
    timeout: float
    reveal: bool = False


@dataclass(frozen=True)
class Graded:
    """The class's rows, sorted, and with --reveal each judged exercise's verified answer."""

    rows: list[Row]
    solutions: dict[str, str]


STATE: dict[str, Any] = {}  # a worker's settings and progress queue


def setup(settings: Settings, queue: Any = None) -> None:
    STATE["settings"], STATE["queue"] = settings, queue


def read_one(path: str) -> Handin:
    s: Settings = STATE["settings"]
    try:
        cells = read_notebook(path)
    except Unreadable as exc:
        return Handin(path, error=str(exc))
    return Handin(path, tuple(found(cells, s.exercises, s.blank)))


def judge_task(task: tuple[str, list[tuple[str, Found]]]) -> tuple[str, str, list[Row]]:
    """One exercise's answers (or a share of them), judged in this process; its solution with --reveal."""
    exercise, items = task
    s: Settings = STATE["settings"]
    j = judge(exercise, s.timeout)
    rows = []
    for notebook, f in items:
        try:
            rows.append(j.row(notebook, f))
        except Exception as exc:  # noqa: BLE001  (derive's own failure on this answer: said in the row, the class goes on)
            rows.append(Row(notebook, exercise, "undecided", answer=f.answer, cells=f.cells, cell_ids=f.cell_ids,
                            message=f"derive failed on this answer ({type(exc).__name__}: {exc})"))
        if STATE.get("queue") is not None:
            STATE["queue"].put(1)
    return exercise, j.solution() if s.reveal else "", rows


def tasks(handins: list[Handin], settings: Settings, jobs: int) -> list[tuple[str, list[tuple[str, Found]]]]:
    """Per exercise its answers to judge, split in shares when there are more workers than exercises; with
    --reveal every judged exercise, for its solution."""
    by: dict[str, list[tuple[str, Found]]] = {e: [] for e in settings.exercises if e != "d"} if settings.reveal else {}
    for h in handins:
        for f in h.found:
            if f.kind == "math":
                by.setdefault(f.exercise, []).append((h.notebook, f))
    shares = math.ceil(jobs / len(by)) if by and jobs > len(by) else 1
    out = []
    for e, items in by.items():
        n = max(1, min(shares, math.ceil(len(items) / 20)))
        size = max(1, math.ceil(len(items) / n))
        out += [(e, items[k:k + size]) for k in range(0, len(items), size)] or [(e, [])]
    return sorted(out, key=lambda t: (-BUILD.get(t[0], 1) - len(t[1]) / 50, t[0], t[1][0][0] if t[1] else ""))


def order(row: Row) -> tuple[str, int]:
    return row.notebook, EXERCISES.index(row.exercise) if row.exercise in EXERCISES else -1


def grade(paths: list[str], exercises: tuple[str, ...] = EXERCISES, blank: str | None = None, jobs: int = 1,
          timeout: float = 5.0, reveal: bool = False, progress: Progress | None = None) -> Graded:
    """Every row of the class, sorted by notebook and exercise."""
    settings = Settings(exercises, blank_keys(read_notebook(blank)) if blank else None, timeout, reveal)
    progress = progress or Progress(len(paths), quiet=True)
    if jobs <= 1:
        setup(settings, None)
        handins = [read_one(p) for p in paths]
        work = tasks(handins, settings, 1)
        progress.expect(sum(len(t[1]) for t in work))
        results = []
        for t in work:
            results.append(judge_task(t))
            progress.add(len(t[1]))
    else:
        handins, results = in_pool(paths, settings, jobs, progress)
    rows = [r for h in handins for r in ([Row(h.notebook, "", "unreadable-notebook", message=h.error)] if h.error
                                         else [as_row(h.notebook, f) for f in h.found if f.kind != "math"])]
    rows += [r for _, _, judged in results for r in judged]
    solutions = {e: text for e, text, _ in results if text}
    return Graded(sorted(rows, key=order), dict(sorted(solutions.items())))


def in_pool(paths: list[str], settings: Settings, jobs: int,
            progress: Progress) -> tuple[list[Handin], list[tuple[str, str, list[Row]]]]:
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    queue = ctx.SimpleQueue()
    with ctx.Pool(jobs, initializer=setup, initargs=(settings, queue)) as pool:
        handins = pool.map(read_one, paths, chunksize=max(1, len(paths) // (4 * jobs)))
        work = tasks(handins, settings, jobs)
        progress.expect(sum(len(t[1]) for t in work))
        done = threading.Event()

        def drain() -> None:
            while not done.is_set() or not queue.empty():
                if queue.empty():
                    done.wait(0.05)
                    continue
                progress.add(queue.get())
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        results = list(pool.imap_unordered(judge_task, work))
        done.set()
        reader.join()
    return handins, results
