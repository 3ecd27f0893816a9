"""A cell as blocks: headings, prose with its inline maths, display maths, HTML, images, code (markdown-it-py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from derive.grade.notebook import Cell

COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
TAG = re.compile(r"<[^>]*>")
IMG = re.compile(r"<img\b[^>]*?(?:src\s*=\s*[\"']?([^\"'\s>]*))?[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Math:
    """One formula as written: its LaTeX, and whether it is displayed ($$, \\[, align) or inline ($)."""

    latex: str
    display: bool


@dataclass(frozen=True)
class Block:
    """A piece of a cell. kind: heading, text, math, html, image, code; `key` compares it with the blank's."""

    kind: str
    key: str
    cell: int
    cell_id: str | None = None
    level: int = 0  # a heading's level, 1 to 6
    words: str = ""  # the prose, maths left out (a heading: its title)
    maths: tuple[Math, ...] = ()
    images: tuple[str, ...] = field(default_factory=tuple)


def normal(text: str) -> str:
    """Whitespace that LaTeX and Markdown ignore taken out, the rest one space: the key of a block."""
    text = re.sub(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])", "", text.strip())
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def parser():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.texmath import texmath_plugin
    return (MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True, allow_digits=True)
            .use(amsmath_plugin).use(texmath_plugin, delimiters="brackets"))


def blocks(cell: Cell) -> list[Block]:
    """The cell's blocks in order. A code cell is one block (an image if its outputs show one)."""
    if cell.type == "code":
        if not cell.source.strip() and not cell.shows_image:
            return []
        kind = "image" if cell.shows_image else "code"
        return [Block(kind, "code:" + normal(cell.source), cell.index, cell.id, words=cell.source.strip(),
                      images=("a code cell's output",) if cell.shows_image else ())]
    out = [replace(b, cell=cell.index, cell_id=cell.id) for b in parsed(cell.source)]
    named = {i for b in out for i in b.images}
    extra = [a for a in cell.attachments if f"attachment:{a}" not in named]
    if extra:
        out.append(Block("image", "attachments:" + ",".join(extra), cell.index, cell.id,
                         images=tuple(f"attachment:{a}" for a in extra)))
    return out


def separate(source: str) -> str:
    """Blank lines around display maths that start a line ($$, \\[): Jupyter shows "text:\\n$$ ... $$" as a
    display, where CommonMark would read the $$ as the paragraph's last word."""
    out: list[str] = []
    closing: str | None = None
    for whole in source.split("\n"):
        if closing is None and whole.count("$$") % 2 and not whole.strip().startswith("$$"):
            cut = whole.rindex("$$")  # "text $$" opening a display on the next lines
            out.append(whole[:cut])
            whole = whole[cut:]
        line, bare = whole, whole.strip()
        if closing is None and bare.startswith(("$$", "\\[")):
            mark = "$$" if bare.startswith("$$") else "\\]"
            if out and out[-1].strip():
                out.append("")
            out.append(line)
            rest = bare[2:]
            if mark not in rest:
                closing = mark
            else:
                out.append("")
        elif closing is not None:
            out.append(line)
            if closing in bare:
                closing = None
                out.append("")
        else:
            out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=4096)
def parsed(source: str) -> tuple[Block, ...]:
    """A Markdown cell's blocks, parsed once per process: most cells of a class are the blank's, unchanged."""
    return tuple(markdown_blocks(COMMENT.sub("", source), 0, None))


def markdown_blocks(source: str, index: int, cell_id: str | None, depth: int = 0) -> list[Block]:
    source = separate(source)
    lines = source.split("\n")
    tokens = parser().parse(source)
    out: list[Block] = []
    for n, tok in enumerate(tokens):
        span = "\n".join(lines[tok.map[0]:tok.map[1]]) if tok.map else tok.content
        if tok.type == "heading_open":
            title = tokens[n + 1].content if n + 1 < len(tokens) else ""
            out.append(Block("heading", "h:" + normal(span), index, cell_id, level=int(tok.tag[1:]),
                             words=title.strip()))
        elif tok.type == "inline" and n and tokens[n - 1].type == "paragraph_open":
            words, maths, images = inline(tok)
            key = "p:" + normal(tokens[n - 1].map and "\n".join(lines[slice(*tokens[n - 1].map)]) or tok.content)
            kind = "image" if images and not words.strip() and not maths else "text"
            out.append(Block(kind, key, index, cell_id, words=words.strip(), maths=maths, images=images))
        elif tok.type in ("math_block", "math_block_label", "amsmath") and tok.content.strip():
            out.append(Block("math", "m:" + normal(tok.content), index, cell_id, maths=(Math(tok.content, True),)))
        elif tok.type == "html_block":
            out += html_block(tok.content, span, index, cell_id, depth)
        elif tok.type in ("fence", "code_block") and tok.content.strip():
            out.append(Block("code", "c:" + normal(tok.content), index, cell_id, words=tok.content.strip()))
    return out


def inline(tok) -> tuple[str, tuple[Math, ...], tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """A paragraph's prose (maths left out), its maths and its images' sources."""
    words: list[str] = []
    maths: list[Math] = []
    images: list[str] = []
    for child in tok.children or []:
        if child.type in ("math_inline", "math_inline_double", "math_single", "math_inline_double_label"):
            if child.content.strip():
                maths.append(Math(child.content, child.type != "math_inline" and child.markup != "$"))
            words.append(" ")
        elif child.type == "image":
            images.append(str(child.attrs.get("src", "")))
        elif child.type == "html_inline":
            images += [m.group(1) or "<img>" for m in IMG.finditer(child.content)]
        elif child.type in ("text", "code_inline"):
            words.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return re.sub(r"\s+", " ", "".join(words)), tuple(maths), tuple(images)


def html_block(content: str, span: str, index: int, cell_id: str | None, depth: int) -> list[Block]:
    """An HTML block: its images, and the maths and prose inside its tags (Jupyter renders both)."""
    images = tuple(m.group(1) or "<img>" for m in IMG.finditer(content))
    inner = TAG.sub(" ", content)
    found = markdown_blocks(inner, index, cell_id, depth + 1) if depth < 2 and inner.strip() else []
    maths = tuple(m for b in found for m in b.maths)
    words = " ".join(b.words for b in found if b.words).strip()
    if not (images or maths or words):
        return []
    kind = "image" if images and not maths and not words else "html"
    return [Block(kind, "html:" + normal(span), index, cell_id, words=words, maths=maths, images=images)]
