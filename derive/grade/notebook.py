"""Reading a hand-in: its cells as plain records, or one line saying why it is not a readable notebook."""
from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp")


class Unreadable(Exception):
    """A file that is not valid JSON, or not a notebook: the reason in one line."""


@dataclass(frozen=True)
class Cell:
    """One cell: its index in the notebook, its id (nbformat >= 4.5), type, source and what it shows."""

    index: int
    id: str | None
    type: str  # markdown, code or raw
    source: str
    attachments: tuple[str, ...] = ()  # the names of a Markdown cell's attachments
    shows_image: bool = False  # a code cell whose outputs hold an image


def read_text(path: str | Path) -> str:
    """The file's text; Unreadable when it cannot be read or decoded."""
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise Unreadable(f"cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise Unreadable("not UTF-8 text, so not a notebook") from None


def parse_notebook(text: str) -> list[Cell]:
    """The cells of a notebook's JSON text (nbformat 3 or 4); Unreadable with the reason otherwise."""
    import nbformat
    if not text.strip():
        raise Unreadable("the file is empty")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(raw, dict) or not ("cells" in raw or "worksheets" in raw):
        raise Unreadable("valid JSON but not a notebook (no cells)")
    logger = logging.getLogger("traitlets")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # nbformat logs what it finds odd; a row says what matters
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.convert(nbformat.reader.reads(text), 4)  # not validated: Jupyter opens such files too
    except Exception as exc:  # noqa: BLE001  (nbformat raises many kinds on a broken notebook; each is one row)
        raise Unreadable(f"not a notebook nbformat can read ({type(exc).__name__}: {str(exc)[:120]})") from None
    finally:
        logger.setLevel(level)
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise Unreadable("valid JSON but not a notebook (cells is not a list)")
    return [cell_of(n, c) for n, c in enumerate(cells) if isinstance(c, dict)]


def cell_of(index: int, cell: dict) -> Cell:
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source or "")
    attachments = cell.get("attachments") or {}
    outputs = cell.get("outputs") or []
    image = any(isinstance(o, dict) and any(t in (o.get("data") or {}) for t in IMAGE_TYPES) for o in outputs)
    cell_id = cell.get("id")
    return Cell(index, str(cell_id) if cell_id else None, str(cell.get("cell_type", "raw")), source,
                tuple(sorted(attachments)) if isinstance(attachments, dict) else (), image)


def read_notebook(path: str | Path) -> list[Cell]:
    """The cells of the notebook at `path`; Unreadable with the reason when it is not one."""
    return parse_notebook(read_text(path))
