"""The sheet as Markdown and as a filled-in Jupyter notebook (the exercise's hand-in format).

Both are made of the same cells: an introduction, then for each exercise a cell with what
is asked and a cell with the answer (as the hand-in notebook pairs them), the summary.
Math is $...$ inline and $$ \\begin{aligned} ... \\end{aligned} $$ displayed, on lines of
their own, which Jupyter (MathJax) and GitHub render alike; inside math, \\{ \\} \\| are
written \\lbrace \\rbrace \\lVert \\rVert (GitHub reads Markdown escapes before the math).
The notebook's JSON is nbformat's (sorted keys) with fixed cell ids and a title (what
nbconvert puts in <title> and \\title), so the same sheet gives the same bytes. A figure is
a cell attachment (base64 PNG, linked as attachment:NAME), so the notebook needs no other file.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence

import nbformat

from derive.emit import environment
from derive.emit.latex.prose import portable_math
from derive.emit.latex.sheet_model import Section

TITLE = "DTU 02456 Exercise 1: verified solutions"
DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.MULTILINE | re.DOTALL)


def portable(text: str) -> str:
    """The $$ ... $$ blocks of a cell with portable_math (inline math came through md_prose)."""
    return DISPLAY.sub(lambda m: f"$$\n{portable_math(m[1])}\n$$", text)


def cells(sections: Sequence[Section], summary_note: str, timings: bool = False) -> list[tuple[str, str]]:
    """[(cell id, Markdown)]: intro; per exercise its question and its answer; summary."""
    env = environment()
    out = [("intro", env.get_template("sheet_intro.md.j2").render(sections=sections))]
    question, answer = (env.get_template(f"sheet_{part}.md.j2") for part in ("question", "answer"))
    for s in sections:
        out += [(f"exercise-{s.id}", question.render(s=s)), (f"answer-{s.id}", answer.render(s=s))]
    summary = env.get_template("sheet_summary.md.j2")
    out.append(("summary", summary.render(sections=sections, summary_note=summary_note,
                                          timings=timings)))
    return [(cell_id, portable(text.strip()) + "\n") for cell_id, text in out]


def markdown(parts: list[tuple[str, str]]) -> str:
    """solutions.md: the notebook's cells, one after another."""
    return environment().get_template("sheet.md.j2").render(cells=[text.rstrip() for _, text in parts])


def attached(text: str, images: Mapping[str, bytes]) -> tuple[str, dict[str, dict[str, str]]]:
    """The cell's links to its images as attachment:NAME, and nbformat's attachments (base64 PNG),
    so the notebook stands alone."""
    for name in images:
        text = text.replace(f"]({name})", f"](attachment:{name})")
    return text, {name: {"image/png": base64.b64encode(data).decode("ascii")} for name, data in images.items()}


def notebook(parts: list[tuple[str, str]], images: Mapping[str, Mapping[str, bytes]] | None = None) -> str:
    """solutions.ipynb: nbformat v4, Markdown cells only, fixed ids, sorted keys; `images` maps a
    cell id to the PNG files (name -> bytes) its Markdown links to, attached to that cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}, "title": TITLE}
    nb.cells = []
    for cell_id, text in parts:
        own = (images or {}).get(cell_id, {})
        source, attachments = attached(text.rstrip(), own)
        cell = nbformat.v4.new_markdown_cell(source, id=cell_id)
        if attachments:
            cell.attachments = attachments
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"
