"""Finding answers without judging them: maths out of Markdown, exercises by heading, the blank's text left out."""
from __future__ import annotations

import json

import nbformat
import pytest

from derive.grade.blocks import Math, markdown_blocks, separate
from derive.grade.found import blank_keys, found
from derive.grade.lines import lines
from derive.grade.notebook import Cell, Unreadable, parse_notebook
from derive.grade.sections import sections


def md(*sources: str) -> list[Cell]:
    return [Cell(n, None, "markdown", s) for n, s in enumerate(sources)]


def maths(source: str) -> list[Math]:
    return [m for b in markdown_blocks(source, 0, None) for m in b.maths]


@pytest.mark.parametrize("source, expected", [
    ("$$x = 1$$", [("x = 1", True)]),
    ("text:\n$$\ny = 2\n$$\nmore", [("\ny = 2\n", True)]),
    ("gives $$\nz = 3\n$$", [("\nz = 3\n", True)]),
    ("\\begin{align}\na &= b\n\\end{align}", [("\\begin{align}\na &= b\n\\end{align}", True)]),
    ("\\[ p = q \\]", [(" p = q ", True)]),
    ("- one $u = v$\n- two", [("u = v", False)]),
    ("costs \\$5 and \\$6", []),
    ('<span style="color:red">$r = s$</span>', [("r = s", False)]),
    ("<div>\n$t = u$\n</div>", [("t = u", False)]),
    ("<!-- $$hidden = 1$$ -->\n\nshown $k = 1$", [("k = 1", False)]),
])
def test_maths_out_of_markdown(source: str, expected: list[tuple[str, bool]]) -> None:
    assert [(m.latex, m.display) for m in maths(source)] == expected


def test_a_display_after_text_is_its_own_block() -> None:
    assert separate("is written as:\n$$\nx\n$$\nnext") == "is written as:\n\n$$\nx\n$$\n\nnext"


@pytest.mark.parametrize("source, kind", [
    ("![photo](attachment:a.png)", "image"), ('<img src="a.jpg">', "image"), ("![x](x.jpg)", "image"),
    ("```\nE = sum(t * log(y))\n```", "code"), ("Just words here.", "text")])
def test_pictures_code_and_words(source: str, kind: str) -> None:
    assert [b.kind for b in markdown_blocks(source, 0, None)] == [kind]


def test_an_attachment_is_a_picture_even_unreferenced() -> None:
    cells = md("## Exercise j)") + [Cell(1, "x", "markdown", "see above", ("scan.png",))]
    assert found(cells, ("j",))[0].kind == "image"


@pytest.mark.parametrize("heading", ["## Exercise a)", "# Exercise a) - the forward pass", "### a)", "**Exercise a)**",
                                     "## Exercise a", "#### Opgave a)"])
def test_headings_are_found_at_any_level(heading: str) -> None:
    parts = sections(md(heading, "$$y_j = 1$$", "## Exercise b)", "$$y_j = 2$$"))
    assert [m.latex for b in parts["a"].blocks for m in b.maths] == ["y_j = 1"]
    assert [m.latex for b in parts["b"].blocks for m in b.maths] == ["y_j = 2"]


def test_an_exercise_ends_at_a_heading_of_its_level_but_not_at_an_answer_heading() -> None:
    parts = sections(md("## Exercise a)", "### Answer", "$$y_j = 1$$", "## Answer", "$$y_j = 2$$",
                        "## Gradient for layer $L$", "$$y_j = 3$$"))
    assert [b.maths[0].latex for b in parts["a"].blocks] == ["y_j = 1", "y_j = 2"]


def test_a_deleted_heading_is_found_by_the_question_words() -> None:
    parts = sections(md("## Exercise a)\n\na) Write it.", "b) Write the next one.\n\n$$y_j = 2$$"))
    assert [m.latex for b in parts["b"].blocks for m in b.maths] == ["y_j = 2"]


def test_text_of_the_blank_is_never_an_answer() -> None:
    blank = md("## Exercise j)\n\nj) Argue why\n$$\n\\delta = 1\n$$")
    mine = md("## Exercise j)\n\nj) Argue why\n$$\n\\delta  =  1\n$$\n\nMine: $$\\delta = 2$$")
    f = found(mine, ("j",), blank_keys(blank))[0]
    assert [x.latex for x in f.formulas] == ["\\delta = 2"]
    assert found(blank, ("j",), blank_keys(blank))[0].kind == "missing"


def test_words_only_are_not_graded_and_say_so() -> None:
    f = found(md("## Exercise h)", "Det er proportionalt, fordi hvert punkt vælges lige tit."), ("h",))[0]
    assert (f.kind, f.note) == ("not-graded", "the answer is in Danish words only, without a formula")
    code = found([*md("## Exercise h)"), Cell(1, None, "code", "B / N")], ("h",))[0]
    assert code.kind == "not-graded" and "code" in code.note


def test_lines_split_a_derivation_and_keep_a_chain_whole() -> None:
    assert lines("\\begin{align}\n\\delta &= a \\\\\n&= b \\\\[2pt]\nz &= c % note\n\\end{align}") == \
        ["\\delta &= a = b", "z &= c"]
    assert lines("a = \\begin{cases} 1 \\\\ 2 \\end{cases}") == ["a = \\begin{cases} 1 \\\\ 2 \\end{cases}"]


@pytest.mark.parametrize("text, words", [
    ("", "the file is empty"), ("{", "not valid JSON"), ("[1, 2]", "not a notebook"),
    ('{"cells": 3, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not")])
def test_what_is_not_a_notebook(text: str, words: str) -> None:
    with pytest.raises(Unreadable, match=words):
        parse_notebook(text)


def test_a_notebook_with_an_invalid_field_is_still_read() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Exercise a)\n$$y_j = 1$$")])
    raw = json.loads(nbformat.writes(nb))
    raw["metadata"]["kernelspec"] = 7  # not what the schema says; Jupyter opens it all the same
    cells = parse_notebook(json.dumps(raw))
    assert cells[0].id and cells[0].source.startswith("## Exercise a)")
