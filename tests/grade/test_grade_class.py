"""The synthetic class (tests/grade/handins.py) graded once: every row as expected, summary, feedback, --jobs."""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from tests.check.corpus import CORPUS
from tests.grade.handins import BLANK, CLASS, build

pytestmark = pytest.mark.skipif(not BLANK.exists(), reason=f"the blank notebook {BLANK} is not here")
NAMES = [f"{n}.ipynb" for n, _, _ in CLASS] + ["x1_corrupt.ipynb", "x2_not_a_notebook.ipynb", "x3_empty.ipynb",
                                               "x4_other_exercise.ipynb"]
TIMEOUT = 60.0  # seconds per answer: generous, so that a loaded machine gives the same verdicts


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    from derive.grade.command import run
    folder = tmp_path_factory.mktemp("handins")
    expected = build(folder)
    out = tmp_path_factory.mktemp("grades") / "out"
    run((str(folder),), str(out), jobs=1, blank=str(BLANK), quiet=True, timeout=TIMEOUT)
    return folder, out, expected


def rows_of(out: Path) -> list[dict]:
    return json.loads((out / "grades.json").read_text(encoding="utf-8"))


def test_the_class_has_at_least_30_handins() -> None:
    assert len(NAMES) >= 30


def test_the_class_shows_every_mistake_the_checker_knows() -> None:
    known = {m for row in CORPUS for m in row[4]}
    shown = {m for _, _, expected in CLASS for _, _, ms in expected.values() for m in ms}
    assert known <= shown, known - shown


@pytest.mark.parametrize("name", NAMES)
def test_every_row_is_as_expected(graded: tuple[Path, Path, dict], name: str) -> None:
    _, out, expected = graded
    rows = [r for r in rows_of(out) if Path(r["notebook"]).name == name]
    got = {r["exercise"]: (r["verdict"], r["convention"], tuple(r["mistakes"])) for r in rows}
    want = expected[name]
    assert set(got) == set(want)
    for e, (verdict, convention, mistakes) in want.items():
        assert got[e][:2] == (verdict, convention), (e, got[e], rows)
        assert set(mistakes) <= set(got[e][2]), (e, got[e])


def test_the_csv_has_the_issue_columns_and_points(graded: tuple[Path, Path, dict]) -> None:
    _, out, _ = graded
    with open(out / "grades.csv", encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == ["notebook", "exercise", "verdict", "convention", "mistakes", "points", "answer", "cell",
                              "cell_id"]
    assert len(table) == len(rows_of(out))
    points = {r["verdict"]: r["points"] for r in table if r["exercise"] != "d"}
    assert {r["points"] for r in table if r["exercise"] == "d"} == {""}  # d, a proof in words, has no points
    assert (points["correct"], points["convention"], points["incomplete"], points["wrong"], points["missing"]) == \
        ("1", "1", "0.5", "0", "0")
    assert points["image"] == points["unreadable"] == points["not-graded"] == points["unreadable-notebook"] == ""
    assert all("\n" not in r["answer"] for r in table)
    mine = next(r for r in table if r["notebook"].endswith("s10_derivative_mistakes.ipynb") and r["exercise"] == "j")
    assert mine["mistakes"] == "missing-derivative" and mine["cell"] == "25" and mine["cell_id"]


def test_the_answer_comes_from_the_right_cell(graded: tuple[Path, Path, dict]) -> None:
    _, out, _ = graded
    rows = {(Path(r["notebook"]).stem, r["exercise"]): r for r in rows_of(out)}
    assert rows["s01_question_cell", "a"]["cell"] == [7] and rows["s01_question_cell", "a"]["cell_id"] == []
    assert rows["s02_new_cells", "j"]["cell"] == [26, 27]  # the two results of j, one new cell each (after i's)
    assert rows["s21_conflict", "i"]["cell"] == [23] and rows["s21_conflict", "i"]["look"] == "conflicting answers"
    assert rows["s05_chain_false_link", "i"]["answer"] == r"\delta_j^{(L)} = y_j - t_j = 3(y_j - t_j)"
    assert "link 1" in rows["s05_chain_false_link", "i"]["message"]


def test_the_summary_counts_the_rows_most_common_first(graded: tuple[Path, Path, dict]) -> None:
    _, out, _ = graded
    rows = rows_of(out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["notebooks"] == len(NAMES) and summary["unreadable_notebooks"] == 2
    for e, s in summary["exercises"].items():
        counts = Counter(r["verdict"] for r in rows if r["exercise"] == e)
        assert s["verdicts"] == dict(counts)
        assert list(s["verdicts"].values()) == sorted(s["verdicts"].values(), reverse=True)
        assert s["mistakes"] == dict(Counter(m for r in rows if r["exercise"] == e for m in r["mistakes"]))
    look = {(Path(x["notebook"]).stem, x["exercise"], x["why"]) for x in summary["look"]}
    assert {("s21_conflict", "i", "conflicting answers"), ("s22_unreadable", "i", "unreadable"),
            ("s07_attachment", "j", "image"), ("x1_corrupt", "", "unreadable-notebook"),
            ("s25_words", "h", "not-graded")} <= look
    assert not any(stem == "s29_full_marks" for stem, _, _ in look)
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Needs a human look" in text and "1 point for correct or convention" in text


def test_one_feedback_file_per_notebook_says_what_is_wrong(graded: tuple[Path, Path, dict]) -> None:
    _, out, _ = graded
    names = sorted(p.name for p in (out / "feedback").iterdir())
    assert names == sorted(n.replace(".ipynb", ".md") for n in NAMES)
    text = (out / "feedback" / "s10_derivative_mistakes.md").read_text(encoding="utf-8")
    assert "## Exercise j)" in text and "`missing-derivative`" in text and "Read as:" in text and "cell 25" in text
    chain = (out / "feedback" / "s05_chain_false_link.md").read_text(encoding="utf-8")
    assert "the first false step is link 1" in chain
    assert "not valid JSON" in (out / "feedback" / "x1_corrupt.md").read_text(encoding="utf-8")


def test_feedback_reveals_the_solution_only_with_reveal(graded: tuple[Path, Path, dict], tmp_path: Path) -> None:
    from derive.grade.command import run
    from derive.grade.judging import judge
    folder, out, _ = graded
    solution = judge("k", TIMEOUT).solution()
    assert solution and all(solution not in p.read_text(encoding="utf-8") for p in (out / "feedback").iterdir())
    assert "\\delta _j^{(L)} = 2 (y_j - t_j)" not in (out / "feedback" / "s10_derivative_mistakes.md").read_text()
    run((str(folder / "s10_derivative_mistakes.ipynb"),), str(tmp_path / "r"), jobs=1, exercises="k",
        blank=str(BLANK), reveal=True, quiet=True, timeout=TIMEOUT)
    shown = (tmp_path / "r" / "feedback" / "s10_derivative_mistakes.md").read_text(encoding="utf-8")
    assert "The verified answer:" in shown and "2 (y_j - t_j) h_L'(a_j^{(L)})" in shown


def test_the_output_is_byte_identical_whatever_jobs(graded: tuple[Path, Path, dict], tmp_path: Path) -> None:
    from derive.grade.command import run
    from derive.grade.judging import JUDGES
    folder, out, _ = graded
    for j in JUDGES.values():
        j.seen.clear()  # the workers judge every answer again (the references they inherit)
    run((str(folder),), str(tmp_path / "two"), jobs=2, blank=str(BLANK), quiet=True, timeout=TIMEOUT)
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    second = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in sorted((tmp_path / "two").rglob("*"))
              if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_without_the_blank_the_question_counts(tmp_path: Path) -> None:
    """Without --blank the question's template and formulas are read as answers (README says so)."""
    from derive.grade.run import grade
    rows = {r.exercise: r.verdict for r in grade([str(BLANK)], ("a", "d", "g"), None, timeout=TIMEOUT).rows}
    assert rows == {"a": "incomplete", "d": "missing", "g": "correct"}
    rows = {r.exercise: r.verdict for r in grade([str(BLANK)], ("a", "d", "g"), str(BLANK), timeout=TIMEOUT).rows}
    assert rows == {"a": "missing", "d": "missing", "g": "missing"}
