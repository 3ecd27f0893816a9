"""What a hand-in holds for each exercise: formulas to judge, or a picture, code, HTML, words, or nothing."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from derive.grade.blocks import Block, blocks, normal
from derive.grade.notebook import Cell
from derive.grade.sections import EXERCISES, Section, sections

DANISH = re.compile(r"[æøå]|\b(og|er|det|ikke|vi|som|af|til|med|fordi|derfor|hvor|kan)\b", re.IGNORECASE)
MAX_ANSWER = 300  # characters of the answer shown in a row


@dataclass(frozen=True)
class Formula:
    """A formula of the answer and where it is: cell index and id, displayed or inline."""

    latex: str
    display: bool
    cell: int
    cell_id: str | None


@dataclass(frozen=True)
class Found:
    """One exercise in one hand-in. kind: math (to judge), missing, image, not-graded (code, HTML, words, d)."""

    exercise: str
    kind: str
    formulas: tuple[Formula, ...] = ()
    answer: str = ""
    cells: tuple[int, ...] = ()
    cell_ids: tuple[str, ...] = ()
    note: str = ""
    words: bool = False  # prose besides the formulas


def one_line(text: str, limit: int = MAX_ANSWER) -> str:
    """Text on one line, at most `limit` characters (an ellipsis where cut)."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def blank_keys(cells: list[Cell]) -> frozenset[str]:
    """The keys of every block and formula of the blank notebook: text that is never an answer."""
    keys = set()
    for c in cells:
        for b in blocks(c):
            keys.add(b.key)
            keys.update("m:" + normal(m.latex) for m in b.maths)
    return frozenset(keys)


def unchanged(b: Block, blank: frozenset[str] | None) -> Block | None:
    """The block less what the blank notebook already holds; None when nothing of it is new."""
    if blank is None:
        return b
    if b.key in blank:
        return None
    maths = tuple(m for m in b.maths if "m:" + normal(m.latex) not in blank)
    if b.kind == "math" and not maths:
        return None
    return Block(b.kind, b.key, b.cell, b.cell_id, b.level, b.words, maths, b.images)


def where(bs: list[Block]) -> dict[str, Any]:
    """The cells the blocks come from, as Found's cells and cell_ids."""
    return {"cells": tuple(dict.fromkeys(b.cell for b in bs)),
            "cell_ids": tuple(dict.fromkeys(b.cell_id for b in bs if b.cell_id))}


def found_in(section: Section | None, exercise: str, blank: frozenset[str] | None) -> Found:
    """Classify one exercise's blocks; formulas are never guessed from pictures, code or words."""
    if section is None:
        return Found(exercise, "missing", note="no heading for this exercise was found")
    kept = [k for b in section.blocks for k in [unchanged(b, blank)] if k is not None]
    if blank is None:  # then the question cell's inline maths and words are taken for the question's
        kept = [b if b.cell != section.question_cell or b.kind == "math" else
                Block(b.kind, b.key, b.cell, b.cell_id, b.level, "", tuple(m for m in b.maths if m.display), b.images)
                for b in kept]
    # Without the blank notebook, the words of the question cell are the question's, not an answer.
    prose = [b for b in kept if b.words and b.kind in ("text", "html")]
    maths = [b for b in kept if b.maths]
    images = [b for b in kept if b.images]
    code = [b for b in kept if b.kind == "code"]
    if exercise == "d":
        shown = maths + prose + images + code
        if not shown:
            return Found(exercise, "missing", note="nothing written for this exercise")
        text = " ".join(b.words or " ".join(m.latex for m in b.maths) for b in shown)
        return Found(exercise, "not-graded", answer=one_line(text), **where(shown),
                     note="d is a proof in words: derive does not grade it")
    if maths:
        formulas = tuple(Formula(m.latex, m.display, b.cell, b.cell_id) for b in maths for m in b.maths)
        return Found(exercise, "math", formulas, **where(maths), words=bool(prose))
    if images:
        return Found(exercise, "image", (), one_line(" ".join(i for b in images for i in b.images)), **where(images),
                     note="the answer is a picture: derive reads only LaTeX")
    if code:
        return Found(exercise, "not-graded", (), one_line(code[-1].words), **where(code),
                     note="the answer is written as code, not as a formula")
    if prose:
        html = all(b.kind == "html" for b in prose)
        text = " ".join(b.words for b in prose)
        lang = "Danish " if DANISH.search(text) else ""
        note = "the answer is HTML without a formula" if html else f"the answer is in {lang}words only, without a formula"
        return Found(exercise, "not-graded", (), one_line(text), **where(prose), note=note)
    return Found(exercise, "missing", note="nothing written for this exercise")


def found(cells: list[Cell], exercises: tuple[str, ...] = EXERCISES, blank: frozenset[str] | None = None) -> list[Found]:
    """Each asked exercise of a hand-in, in order."""
    parts = sections(cells)
    return [found_in(parts.get(e), e, blank) for e in exercises]
