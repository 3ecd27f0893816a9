"""The verification report: a table for people, JSON for machines."""
from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Sequence

from derive.exercises.base import Exercise


def exit_status(exercises: Sequence[Exercise]) -> int:
    """0 every exercise verified; 1 something failed; 3 something undecided and nothing failed."""
    if all(ex.verified for ex in exercises):
        return 0
    return 1 if any(ex.status == "failed" for ex in exercises) else 3


def as_json(exercises: Sequence[Exercise]) -> str:
    report = {"passed": all(ex.verified for ex in exercises),
              "status": {0: "verified", 1: "failed", 3: "undecided"}[exit_status(exercises)],
              "counted": sum(len(ex.counted) for ex in exercises),
              "powerless": sum(len(ex.powerless) for ex in exercises),
              "exercises": [ex.as_dict() for ex in exercises]}
    return json.dumps(report, indent=2) + "\n"


ROUTES = {"symbolic": "sym", "exact-rational": "exact", "exact-mod-p": "mod-p", "mpmath-50": "mp50",
          "float64": "f64", "emitted-vs-route2": "vs-route2", "emitted-vs-fd": "vs-fd"}  # table only
MAX_WIDTH, MIN_WIDTH = 100, 80  # the table fits min(100, terminal) columns, but no fewer than 80


def table_width() -> int:
    return max(MIN_WIDTH, min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns))


HEADER = ("ex", "what it shows", "routes", "checks", "powerless", "result", "seconds")


def rows(exercises: Sequence[Exercise], short: bool) -> list[tuple[str, ...]]:
    def name(route: str) -> str:
        return ROUTES.get(route, route) if short else route
    out: list[tuple[str, ...]] = [HEADER]
    return out + [(ex.id, ex.title.replace("$", ""), ", ".join(map(name, ex.routes)),
                   f"{len(ex.counted)}/{len(ex.checks)}", str(len(ex.powerless)), ex.status,
                   f"{ex.seconds:.2f}") for ex in exercises]


def column_widths(cells: list[tuple[str, ...]], width: int) -> list[int]:
    """Each column as wide as its widest cell; if that is too wide, "what it shows" wraps to what
    is left, and the routes wrap too (to their longest name) where that would leave under 24."""
    widths = [max(len(r[c]) for r in cells) for c in range(len(HEADER))]
    if sum(widths) + 2 * (len(widths) - 1) <= width:
        return widths
    longest = max((len(part) for r in cells[1:] for part in r[2].split(", ")), default=0)
    for routes in (min(widths[2], 18), longest):
        widths[2] = max(routes, longest, len("routes"))
        widths[1] = max(len("what it shows"), width - (sum(widths) - widths[1] + 2 * (len(widths) - 1)))
        if widths[1] >= 24:
            break
    return widths


def table(exercises: Sequence[Exercise], width: int | None = None) -> str:
    """checks: those that count (passed, and their control rejected a wrong claim) of all;
    powerless: passed, but the same route accepted a wrong claim too (not counted).

    Fits `width` columns (default: the terminal's, at most 100): where the full table does not,
    the routes are abbreviated (a legend follows; the JSON keeps the names) and "what it shows"
    and the routes wrap."""
    width = width or table_width()
    cells = rows(exercises, short=False)
    short = sum(max(len(r[c]) for r in cells) for c in range(len(HEADER))) + 2 * (len(HEADER) - 1) > width
    cells = rows(exercises, short) if short else cells
    widths = column_widths(cells, width)
    lines = []
    for r in cells:
        wrapped = [textwrap.wrap(cell, w, break_on_hyphens=False) or [""] if c in (1, 2) else [cell]
                   for c, (cell, w) in enumerate(zip(r, widths))]
        for k in range(max(map(len, wrapped))):
            parts = [(cell[k] if k < len(cell) else "").ljust(w) for cell, w in zip(wrapped, widths)]
            lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    total = sum(ex.seconds for ex in exercises)
    verdict = ("all verified" if all(ex.verified for ex in exercises)
               else "UNDECIDED" if not any(ex.status == "failed" for ex in exercises) else "FAILED")
    lines.append(f"{verdict}: {sum(ex.verified for ex in exercises)}/{len(exercises)} exercises "
                 f"in {total:.2f} s")
    used = [f"{abbr} = {name}" for name, abbr in ROUTES.items() if any(name in ex.routes for ex in exercises)]
    if short and used:
        lines += textwrap.wrap("routes: " + ", ".join(used), width, break_on_hyphens=False)
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
