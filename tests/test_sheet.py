"""The solution sheet: golden .tex/.md/.ipynb, the PDF compiles, nothing unverified is written.

Every exercise is built once per session (it takes seconds). Regenerate the golden files,
after an exercise changed, with one command:

    /tmp/venv/bin/python -m pytest tests/test_sheet.py --update-golden
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.emit import sheet
from derive.emit.latex import pdf
from derive.emit.latex.sheet_model import fragments
from derive.core.errors import DeriveError
from derive.exercises import Config, Exercise, run

TEX = shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None
needs_tex = pytest.mark.skipif(not TEX, reason="needs TeX Live (latexmk, pdflatex); CI installs it")
ARTEFACTS = ("Subs", "Derivative", "KroneckerDelta", "Piecewise", "{cases}", "_xi", "Dummy", "__",
             "\\substack")
RAW_NAME = re.compile(r"\b[A-Za-z]+_[A-Za-z0-9]+__\w+|\b[A-Za-z]+__[A-Za-z0-9]+")  # w_ji__l, h__1


@pytest.fixture(scope="session")
def exercises() -> list[Exercise]:
    return run(Config(), sheet.EXERCISE_SHEET)  # the exercise's sheet: `derive sheet` without options


@pytest.fixture(scope="session")
def rendered(exercises: list[Exercise]) -> dict[str, str]:
    return {fmt: str(text) for fmt, text in sheet.render(exercises, ("tex", "md", "ipynb")).items()}


@pytest.mark.parametrize("fmt", ["tex", "md", "ipynb"])
def test_golden(rendered: dict[str, str], golden, fmt: str) -> None:  # type: ignore[no-untyped-def]
    golden(f"solutions.{fmt}", rendered[fmt])


def test_every_exercise_and_step_is_on_the_sheet(exercises: list[Exercise], rendered: dict[str, str]) -> None:
    tex, md = rendered["tex"], rendered["md"]
    for ex in exercises:
        assert f"\\label{{ex-{ex.id}}}" in tex and f'<a id="ex-{ex.id}"></a>' in md
    from derive.emit.latex.printer import latex  # the claim gets its own line only where it prints differently
    steps = sum(len(d.steps) + (d.target is not None and latex(d.target) != latex(d.result))
                for ex in exercises for d in ex.derivations)
    assert tex.count("\\by{") == steps  # each line with its rule and its verification mark
    assert tex.count("\\boxed{") == md.count("\\boxed{") == sum(len(ex.derivations) for ex in exercises)
    marks = [line for line in tex.splitlines() if line.startswith("\\by{")]
    assert not [m for m in marks if m.endswith("}{}")]  # no line without the routes that checked it


@pytest.mark.parametrize("fmt", ["tex", "md"])
def test_no_python_names_or_sympy_artefacts(rendered: dict[str, str], fmt: str) -> None:
    text = rendered[fmt]
    assert [a for a in ARTEFACTS if a in text] == []
    assert RAW_NAME.findall(text) == []


def test_no_wall_clock_in_the_outputs(rendered: dict[str, str], exercises: list[Exercise]) -> None:
    assert "derive verify" in rendered["tex"] and "seconds" not in rendered["md"].lower()
    assert "seconds" in sheet.render_tex(exercises, timings=True)


def test_notebook_is_valid_nbformat_v4(rendered: dict[str, str], exercises: list[Exercise]) -> None:
    nb = nbformat.reads(rendered["ipynb"], as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    pairs = [(f"exercise-{ex.id}", f"answer-{ex.id}") for ex in exercises]
    assert [c.id for c in nb.cells] == ["intro", *(i for pair in pairs for i in pair), "summary"]
    assert all(c.cell_type == "markdown" for c in nb.cells)
    for ex, cell in zip(exercises, nb.cells[2:-1:2]):
        assert cell.source.count("\\boxed{") == len(ex.derivations)


def test_markdown_math_renders_on_common_viewers(rendered: dict[str, str]) -> None:
    md = rendered["md"]
    lines = md.splitlines()
    blocks = [n for n, line in enumerate(lines) if "$$" in line]
    assert all(lines[n] == "$$" for n in blocks) and len(blocks) % 2 == 0  # $$ on lines of their own
    assert not re.search(r"\\begin\{(align|equation)\*?\}", md) and "\\tag{" not in md
    for start, end in zip(blocks[::2], blocks[1::2]):
        assert lines[start - 1] == "" and lines[end + 1] == ""


@needs_tex
def test_pdf_compiles_reproducibly_without_overfull_lines(rendered: dict[str, str]) -> None:
    first, second = pdf.compile_pdf(rendered["tex"]), pdf.compile_pdf(rendered["tex"])
    assert first.pdf.startswith(b"%PDF") and first.pdf == second.pdf
    assert pdf.overfull(first.log) == []
    assert "Warning: Reference" not in first.log


@needs_tex
def test_every_fragment_the_printer_made_compiles(exercises: list[Exercise]) -> None:
    body = "\n".join(f"\\begin{{equation*}}\n{f}\n\\end{{equation*}}" for f in fragments(exercises))
    doc = ("\\documentclass{article}\\usepackage{amsmath,amssymb}\\usepackage[margin=5mm,paperwidth=80cm]"
           f"{{geometry}}\\begin{{document}}\n{body}\n\\end{{document}}\n")
    assert pdf.compile_pdf(doc, name="fragments").pdf.startswith(b"%PDF")


def failing(exercises: list[Exercise], ex_id: str = "a", step: int = 2) -> list[Exercise]:
    """A copy in which one link of one derivation failed its exact check."""
    out = []
    for ex in exercises:
        if ex.id == ex_id:
            d = ex.derivations[0]
            broken = d.step_checks(step)[-1]
            checks = [replace(c, passed=False, detail=c.detail[:40] + ": made to fail") if c == broken else c for c in d.checks]
            ex = replace(ex, derivations=[replace(d, checks=checks), *ex.derivations[1:]])
        out.append(ex)
    return out


def test_a_failed_link_stops_the_sheet(exercises: list[Exercise], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet, "run", lambda config, ids=None: failing(exercises))
    with pytest.raises(DeriveError, match=r"exercise a: derivation .*step 2 .*made to fail"):
        sheet.write_sheet(str(tmp_path / "out"), "tex,md,ipynb")
    result = CliRunner().invoke(cli, ["sheet", "-o", str(tmp_path / "out"), "--format", "tex,md"])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "exercise a" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_link_without_checks_stops_the_sheet(exercises: list[Exercise],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ex = exercises[0]
    d = ex.derivations[0]
    unchecked = replace(d, checks=[c for c in d.checks if c not in d.step_checks(1)])
    with pytest.raises(DeriveError, match="step 1 .*no check"):
        sheet.render_tex([replace(ex, derivations=[unchecked])])


def test_unknown_format_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sheet", "-o", str(tmp_path), "--format", "tex,docx"])
    assert result.exit_code == 2 and "'docx'" in result.output and "pdf, tex, md, ipynb" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_pdf_without_tex_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda tool: None)
    result = CliRunner().invoke(cli, ["sheet", "-o", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "latexmk" in result.output and "--format tex,md,ipynb" in result.output
    assert list(tmp_path.iterdir()) == []


def test_default_formats_skip_the_pdf_without_tex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda tool: None)
    formats, warning = sheet.default_formats()
    assert formats == "tex,md,ipynb" and "TeX Live" in warning and "\n" not in warning


def test_same_bytes_from_a_fresh_process(rendered: dict[str, str], tmp_path: Path) -> None:
    """`derive sheet` in another interpreter (another hash seed) writes the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "derive", "sheet", "-o", str(tmp_path), "--format", "tex,md,ipynb"],
                   check=True, env=env, capture_output=True, timeout=600)
    for fmt in ("tex", "md", "ipynb"):
        assert (tmp_path / f"solutions.{fmt}").read_text(encoding="utf-8") == rendered[fmt], fmt
