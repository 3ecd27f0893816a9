"""DIR is written whole or not at all; feedback names are unique; the progress bar; no checker needed here."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from derive.core.errors import DeriveError
from derive.grade import output
from derive.grade.progress import Progress
from derive.grade.rows import Row
from derive.grade.run import Graded

ROWS = [Row("a/one.ipynb", "f", "missing", message="nothing written for this exercise"),
        Row("b/one.ipynb", "", "unreadable-notebook", message="not valid JSON"),
        Row("two.ipynb", "h", "not-graded", answer="words", cells=(3,), message="the answer is in words only")]


def contents() -> dict[str, str]:
    return output.files(Graded(ROWS, {}), blank=True, reveal=False)


def test_a_new_folder_appears_whole(tmp_path: Path) -> None:
    written = output.write(tmp_path / "out", contents())
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == sorted(contents())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left
    assert (tmp_path / "out" / "feedback" / "a__one.md").exists() and (tmp_path / "out" / "feedback" / "b__one.md").exists()


def test_an_existing_folder_gets_new_files_and_loses_stale_feedback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    (out / "feedback" / "old_student.md").write_text("stale", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "grades.csv").write_text("old", encoding="utf-8")
    output.write(out, contents())
    assert not (out / "feedback" / "old_student.md").exists()
    assert (out / "notes.txt").read_text() == "mine" and (out / "grades.csv").read_text().startswith("notebook,")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def failing(path: Path, text: str) -> Path:
        calls.append(path)
        if len(calls) == 3:
            raise DeriveError(f"cannot write {path}: disk full")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text)
        return Path(path)
    monkeypatch.setattr(output, "write_atomic", failing)
    with pytest.raises(DeriveError, match="disk full"):
        output.write(tmp_path / "out", contents())
    assert list(tmp_path.iterdir()) == []


def test_feedback_names_are_unique() -> None:
    names = output.stems(["x/a/ex.ipynb", "x/b/ex.ipynb", "solo.ipynb", "/abs/solo.ipynb"])
    assert names["x/a/ex.ipynb"] == "a__ex" and names["x/b/ex.ipynb"] == "b__ex"
    assert len(set(names.values())) == 4


def test_the_progress_bar_and_quiet() -> None:
    stream = io.StringIO()
    p = Progress(30, stream=stream)
    p.expect(40)
    for _ in range(40):
        p.add()
    p.finish("graded 30 notebooks")
    text = stream.getvalue()
    assert "[" + "#" * 30 + "] 40/40 answers" in text and "graded 30 notebooks in" in text
    assert len(text.splitlines()) <= 23  # off a terminal: a line per 5 %
    silent = io.StringIO()
    q = Progress(30, quiet=True, stream=silent)
    q.expect(5)
    q.add(5)
    q.finish("done")
    assert silent.getvalue() == ""
