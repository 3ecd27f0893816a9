"""`derive grade` from the shell: exit status 2 with one line for bad usage, 0 when every notebook was processed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.grade.handins import BLANK

DERIVE = [sys.executable, "-m", "derive"]


def derive(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DERIVE, "grade", *args], capture_output=True, text=True, timeout=600, cwd=cwd,
                          check=False)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    (d / "corrupt.ipynb").write_text("{", encoding="utf-8")
    nbformat.write(nbformat.v4.new_notebook(), str(d / "empty.ipynb"))
    (d / "a_file").write_text("not a folder", encoding="utf-8")
    return d


@pytest.mark.parametrize("args, words", [
    ((), "no hand-ins given"),
    (("nowhere.ipynb",), "no such file: nowhere.ipynb"),
    (("{d}/empty.ipynb", "--exercises", "a,z"), "unknown exercise 'z'"),
    (("{d}/empty.ipynb", "--exercises", "a,,b"), "malformed --exercises"),
    (("{d}/empty.ipynb", "--jobs", "0"), "--jobs 0"),
    (("{d}/empty.ipynb", "--timeout", "-1"), "--timeout -1"),
    (("{d}/empty.ipynb", "--blank", "{d}/corrupt.ipynb"), "--blank"),
])
def test_bad_usage_is_one_line_and_exit_2(files: Path, args: tuple[str, ...], words: str) -> None:
    out = files / "out"
    r = derive(*(a.format(d=files) for a in args), "-o", str(out))
    assert r.returncode == 2, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_an_unwritable_output_is_exit_2(files: Path) -> None:
    r = derive(str(files / "empty.ipynb"), "-o", str(files / "a_file"))
    assert r.returncode == 2 and "a_file" in r.stderr and "Traceback" not in r.stderr
    r = derive(str(files / "empty.ipynb"), "-o", str(files / "a_file" / "below"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = derive(str(files / "empty.ipynb"))
    assert r.returncode == 2 and "-o" in r.stderr


def test_unreadable_notebooks_are_rows_and_exit_0(files: Path) -> None:
    out = files / "grades"
    r = derive(str(files / "corrupt.ipynb"), str(files / "empty.ipynb"), "-o", str(out), "--exercises", "f,h")
    assert r.returncode == 0, r.stderr
    rows = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    assert [(Path(x["notebook"]).name, x["exercise"], x["verdict"]) for x in rows] == [
        ("corrupt.ipynb", "", "unreadable-notebook"), ("empty.ipynb", "f", "missing"), ("empty.ipynb", "h", "missing")]
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["corrupt.md", "empty.md"]
    assert {p.name for p in out.iterdir()} == {"grades.csv", "grades.json", "summary.md", "summary.json", "feedback"}
    assert "graded 2 notebooks" in r.stderr
    q = derive(str(files / "corrupt.ipynb"), "-o", str(files / "quiet"), "--exercises", "f", "-q")
    assert q.returncode == 0 and q.stderr == ""


@pytest.mark.skipif(not BLANK.exists(), reason="the blank notebook is not here")
def test_a_folder_of_handins(tmp_path: Path) -> None:
    nb = nbformat.read(str(BLANK), as_version=4)
    cell = next(c for c in nb.cells if "## Exercise h)" in c.source)
    cell.source += "\n\n$$\\frac{B}{N}$$"
    (tmp_path / "in" / "alice").mkdir(parents=True)
    (tmp_path / "in" / "bob").mkdir()
    nbformat.write(nb, str(tmp_path / "in" / "alice" / "ex1.ipynb"))
    nbformat.write(nb, str(tmp_path / "in" / "bob" / "ex1.ipynb"))
    (tmp_path / "in" / ".ipynb_checkpoints").mkdir()
    nbformat.write(nb, str(tmp_path / "in" / ".ipynb_checkpoints" / "ex1-checkpoint.ipynb"))
    r = derive(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--exercises", "h", "--blank", str(BLANK))
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path / "out" / "grades.json").read_text(encoding="utf-8"))
    assert [x["verdict"] for x in rows] == ["correct", "correct"]
    assert sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir()) == ["alice__ex1.md", "bob__ex1.md"]
