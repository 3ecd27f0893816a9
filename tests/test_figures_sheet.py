"""The figures on the solution sheet: fig. 5.3 ends d), the histogram ends h); the .tex includes the
PDF and the .md links the PNG written beside them, the notebook carries the PNG; same bytes twice."""
from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from derive.emit import sheet
from derive.emit.figures import fit, minibatch, output
from derive.emit.latex import pdf
from derive.exercises import Config, Exercise, run

TEX = shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None
FIGURES = {"d": "bishop-5-3", "h": "minibatch-gradients"}


@pytest.fixture(scope="module")
def exercises() -> list[Exercise]:
    return run(Config(), only=["d", "h"])


@pytest.fixture(scope="module")
def rendered(exercises: list[Exercise]) -> dict[str, str | bytes]:
    return sheet.render(exercises, ("tex", "md", "ipynb"))


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end)]


def test_each_figure_ends_its_exercise(rendered: dict[str, str | bytes]) -> None:
    tex, md = str(rendered["tex"]), str(rendered["md"])
    d_tex, h_tex = section(tex, "\\label{ex-d}", "\\label{ex-h}"), section(tex, "\\label{ex-h}", "\\label{summary}")
    assert "\\includegraphics[width=0.92\\linewidth]{bishop-5-3.pdf}" in d_tex and "minibatch" not in d_tex
    assert "{minibatch-gradients.pdf}" in h_tex and "bishop-5-3" not in h_tex
    d_md, h_md = section(md, '<a id="ex-d">', '<a id="ex-h">'), section(md, '<a id="ex-h">', '<a id="summary">')
    assert re.search(r"^!\[[^\]]+\]\(bishop-5-3\.png\)$", d_md, re.MULTILINE)
    assert re.search(r"^!\[[^\]]+\]\(minibatch-gradients\.png\)$", h_md, re.MULTILINE)
    for text in (d_tex, d_md):
        assert "5.3" in text and f"$E = {fit.fits()[0].E:.3g}$" in text  # the computed numbers
    assert f"within {minibatch.sample().z.max():.2f} standard errors" in h_md


def test_the_notebook_stands_alone(rendered: dict[str, str | bytes]) -> None:
    nb = nbformat.reads(str(rendered["ipynb"]), as_version=4)
    nbformat.validate(nb)
    images = {c.id: c for c in nb.cells if "attachments" in c}
    assert sorted(images) == ["answer-d", "answer-h"]
    files = output.figure_files(["png"])
    for ex_id, name in FIGURES.items():
        cell = images[f"answer-{ex_id}"]
        assert f"](attachment:{name}.png)" in cell.source
        assert base64.b64decode(cell.attachments[f"{name}.png"]["image/png"]) == files[f"{name}.png"]
    assert not re.search(r"\]\((?!attachment:|#)", "\n".join(c.source for c in nb.cells))  # no outside file


def test_sheet_writes_the_figures_beside_it_and_the_same_bytes_twice(
        exercises: list[Exercise], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet, "run", lambda config, ids=None: exercises)
    first = sheet.write_sheet(str(tmp_path / "one"), "tex,md,ipynb")
    assert sorted(p.name for p in first) == ["bishop-5-3.pdf", "bishop-5-3.png", "minibatch-gradients.pdf",
                                            "minibatch-gradients.png", "solutions.ipynb", "solutions.md",
                                            "solutions.tex"]
    for cache in (output.figure, fit.fits, fit.emitted, minibatch.sample):
        cache.cache_clear()  # train and draw again
    second = sheet.write_sheet(str(tmp_path / "two"), "tex,md,ipynb")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    only_md = sheet.write_sheet(str(tmp_path / "md"), "md")
    assert sorted(p.name for p in only_md) == ["bishop-5-3.png", "minibatch-gradients.png", "solutions.md"]


@pytest.mark.skipif(not TEX, reason="needs TeX Live (latexmk, pdflatex)")
def test_the_pdf_includes_the_figures(rendered: dict[str, str | bytes], exercises: list[Exercise]) -> None:
    tex = str(rendered["tex"])
    with_figures = pdf.compile_pdf(tex, files=sheet.beside(exercises, ["tex"]))
    assert with_figures.pdf.count(b"/Subtype /Form") >= 2 and pdf.overfull(with_figures.log) == []
    without = pdf.compile_pdf(tex)  # the .tex alone still compiles, saying where the figure comes from
    assert without.pdf.count(b"/Subtype /Form") < with_figures.pdf.count(b"/Subtype /Form")
