"""Where each exercise is: its heading (any level, "Exercise j) - ...", "a)"), and the blocks up to the next one."""
from __future__ import annotations

import re
from dataclasses import dataclass

from derive.grade.blocks import Block, blocks
from derive.grade.notebook import Cell

EXERCISES = tuple("abcdefghijkl")
WORD = r"(?:exercise|exercice|opgave|øvelse|ex\.?)"
HEADING = re.compile(rf"^\W*(?:{WORD}\s*\(?([a-l])\b|\(?([a-l])\s*\)(?:\W|$))", re.IGNORECASE)
LEAD = re.compile(rf"^\W*{WORD}\s*\(?([a-l])\s*[).:]", re.IGNORECASE)  # "**Exercise a)**" in a paragraph
BARE = re.compile(r"^\(?([a-l])\)\s")  # "a) Write ...": the question's first words, when its heading is gone
ANSWERISH = re.compile(r"^\W*(my\s+)?(answer|solution|svar|løsning|besvarelse|derivation|udledning|work)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    """An exercise's blocks, and the cell that holds its heading (the question cell)."""

    exercise: str
    blocks: tuple[Block, ...]
    question_cell: int | None


def marker(block: Block, headed: set[str]) -> str | None:
    """The exercise a block starts, if any: a heading, a paragraph led by "Exercise x)", or a bare "x)"
    paragraph for an exercise whose heading is nowhere in the notebook."""
    if block.kind == "heading":
        found = HEADING.match(block.words)
        return (found.group(1) or found.group(2)).lower() if found else None  # "A. Intro" is no exercise
    if block.kind == "text":
        found = LEAD.match(block.words)
        if found:
            return found.group(1).lower()
        bare = BARE.match(block.words)
        if bare and bare.group(1) not in headed:
            return bare.group(1)
    return None


def sections(cells: list[Cell]) -> dict[str, Section]:
    """Each exercise found in the notebook and its blocks, in order. An exercise runs to the next exercise's
    heading or to a heading of its own level or above (not one such as "Answer")."""
    flat = [b for c in cells for b in blocks(c)]
    headed = {m for b in flat if b.kind == "heading" for m in [marker(b, set())] if m}
    found: dict[str, list[Block]] = {}
    question: dict[str, int] = {}
    current: str | None = None
    level = 6
    for b in flat:
        m = marker(b, headed)
        if m is not None:
            current = m
            level = b.level if b.kind == "heading" else 6
            found.setdefault(m, [])
            question.setdefault(m, b.cell)
            if b.kind == "text":
                found[m].append(b)  # the question's own words ("a) Write ..."), or an answer that follows them
            continue
        if b.kind == "heading" and b.level <= level and not ANSWERISH.match(b.words):
            current = None
            continue
        if current is not None and b.kind != "heading":
            found[current].append(b)
    return {e: Section(e, tuple(found[e]), question.get(e)) for e in EXERCISES if e in found}
