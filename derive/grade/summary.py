"""The lecturer's page: per exercise the count of each verdict and mistake, most common first; who needs a look."""
from __future__ import annotations

import json
from collections import Counter

from derive.check.report import plain
from derive.grade.rows import POINTS_RULE, Row
from derive.grade.sections import EXERCISES


def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    """Most common first; ties by name, so the order never depends on the input's."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def per_exercise(rows: list[Row]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for e in EXERCISES:
        mine = [r for r in rows if r.exercise == e]
        if not mine:
            continue
        points = [r.points for r in mine if r.points is not None]
        out[e] = {"verdicts": dict(ranked(Counter(r.verdict for r in mine))),
                  "conventions": dict(ranked(Counter(r.convention for r in mine if r.convention))),
                  "mistakes": dict(ranked(Counter(m for r in mine for m in r.mistakes))),
                  "mean_points": round(sum(points) / len(points), 3) if points else None}
    return out


def looks(rows: list[Row]) -> list[dict[str, str]]:
    """The rows a person should look at: unreadable, undecided, image, conflicting answers, not graded."""
    return [{"notebook": r.notebook, "exercise": r.exercise, "why": r.look or "",
             "detail": (r.conflicts[0] if r.look == "conflicting answers" and r.conflicts else r.message)}
            for r in rows if r.look]


def as_dict(rows: list[Row], blank: bool) -> dict[str, object]:
    notebooks = sorted({r.notebook for r in rows})
    return {"notebooks": len(notebooks), "unreadable_notebooks": sum(r.verdict == "unreadable-notebook" for r in rows),
            "blank": blank, "points": POINTS_RULE, "exercises": per_exercise(rows), "look": looks(rows)}


def as_json(rows: list[Row], blank: bool) -> str:
    return json.dumps(as_dict(rows, blank), ensure_ascii=False, indent=2) + "\n"


def cell(pairs: dict[str, int] | object) -> str:
    return ", ".join(f"{k} {v}" for k, v in pairs.items()) if isinstance(pairs, dict) and pairs else "–"


def markdown(rows: list[Row], blank: bool) -> str:
    """summary.md: the table of verdicts and mistakes, then the notebooks that need a human look."""
    d = as_dict(rows, blank)
    head = [f"# Grades: {d['notebooks']} notebooks", f"Points: {POINTS_RULE}."]
    if d["unreadable_notebooks"]:
        head.append(f"{d['unreadable_notebooks']} of them could not be read as notebooks (listed below).")
    if not blank:
        head.append("Graded without --blank: the question's own formulas (such as the rule j) states) count as answers.")
    table = ["| exercise | verdicts, most common first | mistakes, most common first | mean points |",
             "|---|---|---|---|"]
    exercises = d["exercises"]
    assert isinstance(exercises, dict)
    for e, s in exercises.items():
        verdicts = ", ".join(f"{k} {v}" + (f" ({cell(s['conventions'])})" if k == "convention" else "")
                             for k, v in s["verdicts"].items())
        mean = "–" if s["mean_points"] is None else f"{s['mean_points']:.2f}"
        table.append(f"| {e} | {verdicts} | {cell(s['mistakes'])} | {mean} |")
    look = d["look"]
    assert isinstance(look, list)
    tail = ["## Needs a human look", "None." if not look else
            "\n".join(["| notebook | exercise | why | detail |", "|---|---|---|---|"] +
                      [f"| {plain(x['notebook'])} | {x['exercise'] or '–'} | {x['why']} | "
                       f"{plain(x['detail'].splitlines()[0] if x['detail'] else '')} |" for x in look])]
    return "\n\n".join(head + ["## Per exercise", "\n".join(table)] + tail) + "\n"
