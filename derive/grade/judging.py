"""One exercise of one hand-in judged by derive.check: the answer chosen, its verdict, and any conflicting answer."""
from __future__ import annotations

from derive.check import mistakes as mk
from derive.check.judge import Checker, EquationVerdict, Verdict
from derive.check.report import tex
from derive.grade.choose import choose
from derive.grade.found import Found, one_line
from derive.grade.rows import Row


def as_row(notebook: str, f: Found) -> Row:
    """A row that needs no judging: missing, a picture, code, words, d."""
    return Row(notebook, f.exercise, f.kind, answer=f.answer, cells=f.cells, cell_ids=f.cell_ids, message=f.note)


class Judge:
    """Judges one exercise's answers with one prepared Checker; an answer seen before is not judged again."""

    def __init__(self, exercise: str, timeout: float) -> None:
        self.checker = Checker(exercise)
        self.timeout = timeout
        self.seen: dict[str, Verdict] = {}

    def check(self, latex: str) -> Verdict:
        if latex not in self.seen:
            self.seen[latex] = self.checker.check(latex, self.timeout)
        return self.seen[latex]

    def row(self, notebook: str, f: Found) -> Row:
        if f.kind != "math":
            return as_row(notebook, f)
        choice = choose(f.formulas, self.checker.ref)
        if choice is None:
            kind, note = ("not-graded", "the answer is in words; its formulas give none of the results asked for") \
                if f.words else ("missing", "no formula gives a result the exercise asks for")
            return Row(notebook, f.exercise, kind, answer=f.answer, cells=f.cells, cell_ids=f.cell_ids, message=note)
        latex = r" \\ ".join(line.latex for line in choice.chosen)
        v = self.check(latex)
        conflicts = []
        for key, other in choice.others:
            mine = self.equation_of(v, choice.keys.index(key)) if key in choice.keys else None
            theirs = self.equation_of(self.check(other.latex), 0)
            if mine is not None and theirs is not None and (mine.verdict, mine.mistakes) != (theirs.verdict, theirs.mistakes):
                tag = f" ({', '.join(theirs.mistakes)})" if theirs.mistakes else ""
                conflicts.append(f"cell {other.cell} also gives {theirs.lhs}: {theirs.verdict}{tag}; "
                                 f"the answer in cell {choice.chosen[choice.keys.index(key)].cell} was graded")
        cells = tuple(dict.fromkeys(line.cell for line in choice.chosen))
        ids = tuple(dict.fromkeys(line.cell_id for line in choice.chosen if line.cell_id))
        return Row(notebook, f.exercise, v.verdict, v.convention, v.mistakes, one_line(latex), cells, ids,
                   v.message, v.read_as, tuple(conflicts), v)

    def solution(self) -> str:
        """The verified results, one LaTeX line each (for --reveal)."""
        return "\n".join(f"{tex(mk.text(t.lhs))} = {tex(mk.text(t.rhs))}" for t in self.checker.ref.targets)

    @staticmethod
    def equation_of(v: Verdict, n: int) -> EquationVerdict | None:
        return v.equations[n] if n < len(v.equations) else None


JUDGES: dict[str, Judge] = {}


def judge(exercise: str, timeout: float) -> Judge:
    """The process's Judge of an exercise: its references are built once per process."""
    if exercise not in JUDGES or JUDGES[exercise].timeout != timeout:
        JUDGES[exercise] = Judge(exercise, timeout)
    return JUDGES[exercise]
