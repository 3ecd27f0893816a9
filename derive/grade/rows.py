"""A row of grades.csv: one exercise of one hand-in, its verdict, points, the answer as found and its cell."""
from __future__ import annotations

from dataclasses import dataclass

from derive.check.judge import Verdict

# Points per verdict; None: no points until a person has looked (README "derive grade", summary.md).
POINTS: dict[str, float | None] = {"correct": 1.0, "convention": 1.0, "incomplete": 0.5, "wrong": 0.0, "missing": 0.0,
                                   "unreadable": None, "undecided": None, "image": None, "not-graded": None,
                                   "unreadable-notebook": None}
VERDICTS = tuple(POINTS)
POINTS_RULE = ("1 point for correct or convention, 0.5 for incomplete, 0 for wrong or missing; "
               "unreadable, undecided, image and not-graded get none until a person looks, and d none at all")
COLUMNS = ("notebook", "exercise", "verdict", "convention", "mistakes", "points", "answer", "cell", "cell_id")


@dataclass(frozen=True)
class Row:
    """What derive grade concluded about one exercise of one hand-in."""

    notebook: str
    exercise: str
    verdict: str
    convention: str | None = None
    mistakes: tuple[str, ...] = ()
    answer: str = ""
    cells: tuple[int, ...] = ()
    cell_ids: tuple[str, ...] = ()
    message: str = ""
    read_as: str = ""
    conflicts: tuple[str, ...] = ()  # other answers to the same result, in other cells, judged otherwise
    judged: Verdict | None = None  # derive.check's verdict, for the feedback

    @property
    def points(self) -> float | None:
        return None if self.exercise == "d" else POINTS[self.verdict]  # d, a proof in words, has no points

    @property
    def look(self) -> str | None:
        """Why a person should look at this row, or None."""
        if self.verdict in ("unreadable", "undecided", "image", "unreadable-notebook"):
            return self.verdict
        if self.verdict == "not-graded" and self.exercise != "d":
            return "not-graded"
        return "conflicting answers" if self.conflicts else None

    def csv_row(self) -> list[str]:
        points = "" if self.points is None else f"{self.points:g}"
        return [self.notebook, self.exercise, self.verdict, self.convention or "", ";".join(self.mistakes), points,
                self.answer, ";".join(map(str, self.cells)), ";".join(self.cell_ids)]

    def as_dict(self) -> dict[str, object]:
        return {"notebook": self.notebook, "exercise": self.exercise, "verdict": self.verdict,
                "convention": self.convention, "mistakes": list(self.mistakes), "points": self.points,
                "answer": self.answer, "cell": list(self.cells), "cell_id": list(self.cell_ids),
                "message": self.message, "read_as": self.read_as, "conflicts": list(self.conflicts),
                "look": self.look}
