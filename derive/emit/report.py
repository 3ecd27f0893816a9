"""The verification report: a table for people, JSON for machines."""
from __future__ import annotations

import json
from collections.abc import Sequence

from derive.exercises.base import Exercise


def as_json(exercises: Sequence[Exercise]) -> str:
    report = {"passed": all(ex.verified for ex in exercises),
              "counted": sum(len(ex.counted) for ex in exercises),
              "powerless": sum(len(ex.powerless) for ex in exercises),
              "exercises": [ex.as_dict() for ex in exercises]}
    return json.dumps(report, indent=2) + "\n"


def table(exercises: Sequence[Exercise]) -> str:
    """checks: those that count (passed, and their control rejected a wrong claim) of all;
    powerless: passed, but the same route accepted a wrong claim too (not counted)."""
    rows = [("ex", "what it shows", "routes", "checks", "powerless", "result", "seconds")]
    for ex in exercises:
        rows.append((ex.id, ex.title.replace("$", ""), ", ".join(ex.routes), f"{len(ex.counted)}/{len(ex.checks)}",
                     str(len(ex.powerless)), ex.status, f"{ex.seconds:.2f}"))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    total = sum(ex.seconds for ex in exercises)
    verdict = "all verified" if all(ex.verified for ex in exercises) else "FAILED"
    lines.append(f"{verdict}: {sum(ex.verified for ex in exercises)}/{len(exercises)} exercises "
                 f"in {total:.2f} s")
    return "\n".join(lines) + "\n"


def failures(exercises: Sequence[Exercise]) -> list[str]:
    """One line per failed check: exercise, route, detail."""
    return [f"{ex.id}: {c.route}: {c.detail}" for ex in exercises for c in ex.checks if c.failed]


def undecided(exercises: Sequence[Exercise]) -> list[str]:
    """One line per check that ran out of time (neither passed nor failed)."""
    return [f"{ex.id}: {c.route}: {c.detail}" for ex in exercises for c in ex.checks if c.undecided]


def powerless(exercises: Sequence[Exercise]) -> list[str]:
    """One line per powerless check (it passed, and so did its wrong claim, or it has no control)."""
    return [f"{ex.id}: {c.route}: {c.detail}"[:300] for ex in exercises for c in ex.powerless]
