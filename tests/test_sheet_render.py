"""The sheet as other tools open it: Markdown parsers, nbconvert, and how `derive sheet` writes.

solutions.md is parsed with markdown-it-py (CommonMark, tables, dollarmath, amsmath): the
only emphasis is the sheet's own, every heading is a heading, every $...$ is math. The
notebook goes through nbconvert's HTML and LaTeX exporters (the LaTeX one needs pandoc).
The whole sheet is read from tests/golden (test_sheet.py holds the output to it); a few
exercises are also rendered here, fresh.
"""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.core.errors import DeriveError
from derive.emit import sheet
from derive.emit.latex.prose import md_prose, portable_math, prose, readable
from derive.emit.notebook import TITLE
from derive.exercises import Config, run

markdown_it = pytest.importorskip("markdown_it")
dollarmath = pytest.importorskip("mdit_py_plugins.dollarmath")
amsmath = pytest.importorskip("mdit_py_plugins.amsmath")

GOLDEN = Path(__file__).parent / "golden"
ROUTE = re.compile(r"[a-z][a-z0-9-]*")  # symbolic, exact-rational, mpmath-50, float64, ...
LABELS = {"What is asked.", "Assumptions and conventions.", "Further checks."}
PANDOC = shutil.which("pandoc") is not None


@pytest.fixture(scope="module")
def fresh() -> dict[str, str]:
    """md and ipynb of a few exercises with formulas in their checks (seconds, not a minute)."""
    exercises = run(Config(), only=["f", "g", "h", "vectorised"])
    return {fmt: str(text) for fmt, text in sheet.render(exercises, ("md", "ipynb")).items()}


def sheets(fresh: dict[str, str], fmt: str) -> list[str]:
    return [(GOLDEN / f"solutions.{fmt}").read_text(encoding="utf-8"), fresh[fmt]]


def parse(md: str) -> list[Any]:
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return parser.use(dollarmath.dollarmath_plugin).use(amsmath.amsmath_plugin).parse(md)


def inline(tokens: list[Any]) -> list[tuple[Any, Any]]:
    """(token, the token after it) for every inline token of the document."""
    out = []
    for t in tokens:
        kids = t.children or []
        out += list(zip(kids, kids[1:] + [None]))
    return out


def math_lines(md: str) -> list[str]:
    """The lines that are not inside a $$ block."""
    lines, inside = [], False
    for line in md.splitlines():
        inside = not inside if line == "$$" else inside
        if not inside and line != "$$":
            lines.append(line)
    return lines


@pytest.mark.parametrize("which", [0, 1], ids=["golden", "fresh"])
def test_markdown_has_only_the_sheets_own_emphasis(fresh: dict[str, str], which: int) -> None:
    tokens = parse(sheets(fresh, "md")[which])
    pairs = inline(tokens)
    strong = [nxt.content for t, nxt in pairs if t.type == "strong_open"]
    em = [nxt.content for t, nxt in pairs if t.type == "em_open"]
    assert set(strong) <= LABELS and all(ROUTE.fullmatch(x) for x in em), (set(strong) - LABELS, set(em))
    assert not [t for t, _ in pairs if t.type == "s_open"]
    assert {t.attrs["href"][:1] for t, _ in pairs if t.type == "link_open"} == {"#"}  # contents, table
    assert {t.content for t, _ in pairs if t.type == "code_inline"} <= {"derive verify"}
    assert all(re.fullmatch(r'<a id="[\w-]+">|</a>', t.content) for t, _ in pairs if t.type == "html_inline")
    assert "$" not in "".join(t.content for t, _ in pairs if t.type == "text")  # every $ opened math


@pytest.mark.parametrize("which", [0, 1], ids=["golden", "fresh"])
def test_every_heading_is_a_heading_and_every_formula_math(fresh: dict[str, str], which: int) -> None:
    md = sheets(fresh, "md")[which]
    tokens = parse(md)
    headings = [line for line in math_lines(md) if line.startswith("#")]
    parsed = [t for t in tokens if t.type == "heading_open"]
    assert len(parsed) == len(headings) >= 5
    assert [t.tag for t in parsed] == [f"h{len(line.split()[0])}" for line in headings]
    blocks = [t for t in tokens if t.type == "math_block"]
    assert len(blocks) == md.count("\n$$\n") // 2 and all("\\begin{aligned}" in t.content for t in blocks)
    spans = [t for t, _ in inline(tokens) if t.type == "math_inline"]
    assert len(spans) > 20
    for t in spans + blocks:  # GitHub drops the backslash of \{ \} \| before the math renders
        assert not re.search(r"(?<!\\)\\[{}|]", t.content), t.content
        assert t.content.count("{") == t.content.count("}"), t.content


def test_check_mark_is_math_not_a_glyph(fresh: dict[str, str]) -> None:
    for text in sheets(fresh, "md") + sheets(fresh, "ipynb"):
        assert "✓" not in text and "\\checkmark" in text


@pytest.mark.parametrize("which", [0, 1], ids=["golden", "fresh"])
def test_notebook_converts_to_html_with_headings_and_title(fresh: dict[str, str], which: int) -> None:
    from nbconvert import HTMLExporter
    nb = nbformat.reads(sheets(fresh, "ipynb")[which], as_version=4)
    assert nb.metadata.title == TITLE
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert f"<title>{TITLE}</title>" in html
    source = "\n".join(c.source for c in nb.cells)
    for level in (1, 2, 3):
        expected = len(re.findall(rf"^{'#' * level} ", source, re.MULTILINE))
        assert len(re.findall(rf"<h{level}[ >]", html)) == expected, level


@pytest.mark.skipif(not PANDOC, reason="nbconvert's LaTeX export needs pandoc (apt-get install pandoc)")
def test_notebook_converts_to_latex_with_sections_and_title() -> None:
    from nbconvert import LatexExporter
    nb = nbformat.reads((GOLDEN / "solutions.ipynb").read_text(encoding="utf-8"), as_version=4)
    tex, _ = LatexExporter().from_notebook_node(nb)
    assert f"\\title{{{TITLE}}}" in tex
    source = "\n".join(c.source for c in nb.cells)
    for level, command in ((1, "section"), (2, "subsection"), (3, "subsubsection")):
        expected = len(re.findall(rf"^{'#' * level} ", source, re.MULTILINE))
        assert len(re.findall(rf"\\{command}\{{", tex)) == expected, command


# --- prose in Markdown, checks as sentences -------------------------------------------------------
@pytest.mark.parametrize("text, md", [
    ("D*N*log(2) and **bold**", r"D\*N\*log(2) and \*\*bold\*\*"),
    ("y_k^t_k, _x_ and `code` <b> ~x~ & 5$", r"y_k^t_k, \_x\_ and \`code\` \<b> \~x\~ \& 5\$"),
    ("# not a heading", r"\# not a heading"),
    ("1. not a list", r"1\. not a list"),
    ("$t \\in \\{0, 1\\}$ and $\\|y\\|^2$ keep *", r"$t \in \lbrace 0, 1\rbrace$ and $\lVert y\rVert^2$ keep \*"),
])
def test_md_prose_escapes_outside_math(text: str, md: str) -> None:
    assert md_prose(text) == md
    assert [t for t, _ in inline(parse(md)) if t.type in ("em_open", "strong_open", "code_inline")] == []


def test_portable_math_pairs_norms() -> None:
    assert portable_math(r"\left\| x \right\| + \|y\|") == r"\left\lVert x \right\rVert + \lVert y\rVert"
    assert portable_math(r"a \\ {b}") == r"a \\ {b}"  # a line break, then a group: untouched


@pytest.mark.parametrize("detail, clause", [
    ("order reversed: True, c > 0 is True, done is False",
     "order reversed: yes, $c > 0$ holds, done fails"),
    ("at sigma^2 = E/(D*N): curvature D**3*N**3/(2*E**2) > 0",
     r"at $\sigma^{2} = E/(D N)$: curvature $D^{3} N^{3}/(2 E^{2}) > 0$"),
    ("140 cases (N <= 7, all B): x2=5, K = 2..5", r"140 cases ($N \leq 7$, all B): x2=5, K = 2..5"),
    ("largest |mean - (B/N) full| = 2.98", "largest |mean - (B/N) full| = 2.98"),  # not maths: left alone
    ("already $x = 1$ maths", "already $x = 1$ maths"),
])
def test_readable_check_details(detail: str, clause: str) -> None:
    assert readable(detail) == clause


def test_further_checks_are_sentences(fresh: dict[str, str]) -> None:
    lines = [line for line in fresh["md"].splitlines() if "Checked by" in line]
    assert lines and all(re.match(r"- \$\\checkmark\$ Checked by \*[a-z0-9-]+\*: .*\.$", x) for x in lines)
    assert not [x for x in lines if re.search(r"\b(True|False)\b", x)]
    assert any("$\\sigma^{2}" in x for x in lines)
    assert prose(readable("sigma^2 = 0.5: True")) == r"$\sigma^{2} = 0.5$: yes"


# --- writing: the folder first, then all formats or none --------------------------------------------
def test_unwritable_folder_fails_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a regular file")
    monkeypatch.setattr(sheet, "run", lambda config: pytest.fail("verified before checking the folder"))
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["sheet", "-o", str(blocker / "out"), "--format", "tex,md"])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "cannot write into" in result.output and time.perf_counter() - start < 5
    with pytest.raises(DeriveError, match="is a file, not a folder"):  # the library checks too
        sheet.write_sheet(str(blocker / "out"), "tex,md")
    assert blocker.read_text() == "a regular file"


def test_all_formats_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "new" / "out"
    real = sheet.tempfile.mkstemp
    calls: list[int] = []

    def second_fails(*args: Any, **kwargs: Any) -> tuple[int, str]:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)
    monkeypatch.setattr(sheet.tempfile, "mkstemp", second_fails)
    with pytest.raises(DeriveError, match="No space left"):
        sheet.write_all(out, {"tex": "x", "md": "y", "ipynb": "z"})
    assert not (tmp_path / "new").exists()  # no file, no temporary, not even the folders
    monkeypatch.setattr(sheet.tempfile, "mkstemp", real)
    written = sheet.write_all(out, {"tex": "x", "md": "y"})
    assert sorted(p.name for p in out.iterdir()) == ["solutions.md", "solutions.tex"] == sorted(p.name for p in written)


def test_a_folder_in_the_way_stops_before_any_file(tmp_path: Path) -> None:
    (tmp_path / "solutions.md").mkdir()
    with pytest.raises(DeriveError, match="folder"):
        sheet.write_all(tmp_path, {"tex": "x", "md": "y"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solutions.md"]
