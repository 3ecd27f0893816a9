"""A student's feedback file: per exercise the verdict in words, what is wrong and where, the answer read back."""
from __future__ import annotations

import re

from derive.check.report import markdown, plain
from derive.grade.rows import POINTS_RULE, Row

WORDS = {"missing": "missing: no answer was found", "image": "not graded: the answer is a picture",
         "not-graded": "not graded by derive", "unreadable-notebook": "the file is not a notebook derive can read"}
PRIME = re.compile(r"_\{([A-Za-z0-9])'\}")  # h_{L'} -> h_L'


def unprime(text: str) -> str:
    """h_{L'} (derive.check.report's rendering of h_L') as h_L'."""
    return PRIME.sub(r"_\1'", text)


def title(exercise: str) -> str:
    return f"Exercise {exercise})"


def where(row: Row) -> str:
    if not row.cells:
        return ""
    cells = ", ".join(str(c) for c in row.cells)
    return f"cell{'s' if len(row.cells) > 1 else ''} {cells}"


def section(row: Row, solution: str | None) -> str:
    out = [f"## {title(row.exercise)}"]
    if row.judged is not None:
        out.append(unprime(markdown(row.judged)))
    else:
        said = f" {plain(row.message[:1].upper() + row.message[1:])}." if row.message else ""
        out.append(f"**{WORDS.get(row.verdict, row.verdict)}.**{said}")
    if row.answer:
        at = f" ({where(row)})" if row.cells else ""
        quoted = row.answer.replace("`", "'")
        out.append(f"Your answer{at}: `{quoted}`")
    out += [f"Note: {plain(c)}." for c in row.conflicts]
    if row.points is not None:
        out.append(f"Points: {row.points:g}")
    if solution:
        out.append("The verified answer:\n\n" + "\n\n".join(f"$${unprime(s)}$$" for s in solution.split("\n")))
    return "\n\n".join(out)


def feedback(notebook: str, rows: list[Row], solutions: dict[str, str] | None = None) -> str:
    """The Markdown feedback for one hand-in; the verified answers only when `solutions` is given (--reveal)."""
    head = [f"# Feedback on {plain(notebook)}"]
    if len(rows) == 1 and rows[0].verdict == "unreadable-notebook":
        return "\n\n".join(head + [f"**{WORDS['unreadable-notebook']}**: {plain(rows[0].message)}.",
                                   "Nothing in it was graded; hand in the .ipynb file that Jupyter saves."]) + "\n"
    scored = [r.points for r in rows if r.points is not None]
    head.append(f"Points: {sum(scored):g} of {len(scored)} (the exercises derive graded: {POINTS_RULE}).")
    body = [section(r, (solutions or {}).get(r.exercise)) for r in rows]
    return "\n\n".join(head + body) + "\n"
