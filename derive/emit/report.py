"""The verification report: a table for people, JSON for machines."""
from __future__ import annotations

import json
from collections.abc import Sequence

from derive.exercises.base import Exercise


def as_json(exercises: Sequence[Exercise]) -> str:
    report = {"passed": all(ex.verified for ex in exercises),
              "exercises": [ex.as_dict() for ex in exercises]}
    return json.dumps(report, indent=2) + "\n"


def table(exercises: Sequence[Exercise]) -> str:
    rows = [("ex", "what it shows", "routes", "checks", "result", "seconds")]
    for ex in exercises:
        passed = sum(c.passed for c in ex.checks)
        rows.append((ex.id, ex.title.replace("$", ""), ", ".join(ex.routes), f"{passed}/{len(ex.checks)}",
                     ex.status, f"{ex.seconds:.2f}"))
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
    return [f"{ex.id}: {c.route}: {c.detail}" for ex in exercises for c in ex.checks if not c.passed]
