"""Deterministic matplotlib output: Agg, fixed dpi, fonts and rcParams, PDF and PNG without dates.

Figures are made with matplotlib.figure.Figure and its Agg canvas, never pyplot, so nothing
global changes (no backend switch, no figure manager); the rcParams below apply only inside
`style()`, which must hold both while a figure is drawn and while it is saved. The PDF is
written without its creation date and producer, the PNG without its Software chunk, and the
SVG hash salt is fixed, so the same numbers give the same bytes in every run and process.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from derive.core.errors import DeriveError

FORMATS = ("pdf", "png")
DPI = 110  # the PNG's resolution (the PDF is vector)
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs on every machine
    "font.size": 9.0,
    "mathtext.fontset": "dejavusans",
    "axes.titlesize": 9.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "lines.linewidth": 1.4,
    "svg.hashsalt": "derive",
    "pdf.compression": 6,
    "pdf.fonttype": 3,
    "savefig.dpi": DPI,
    "figure.dpi": DPI,
    "path.simplify": False,
}
METADATA: dict[str, dict[str, str | None]] = {
    "pdf": {"Creator": "derive", "Producer": None, "CreationDate": None, "ModDate": None},
    "png": {"Software": None},
}


def parse_formats(text: str) -> tuple[str, ...]:
    """'pdf,png' -> ('pdf', 'png') in FORMATS order; DeriveError naming an unknown one."""
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        what = f"unknown figure format {unknown[0]!r}" if unknown else "no figure format given"
        raise DeriveError(f"{what}; choose from: {', '.join(FORMATS)} (comma-separated)")
    return tuple(f for f in FORMATS if f in wanted)


@contextmanager
def style() -> Iterator[None]:
    """The figures' rcParams, from matplotlib's defaults, for the duration of the block only."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # inside the context: restored on exit
        cast(Any, matplotlib.rcParams).update(RC)  # str keys; the stubs list every key as a Literal
        yield


def new_figure(width: float, height: float) -> Figure:
    """A figure of width x height inches on an Agg canvas, laid out by constrained layout once
    (freeze_layout) so that each format is saved without laying it out again."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def freeze_layout(fig: Figure) -> Figure:
    """Run the layout once, then keep the axes where it put them."""
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure saved as `fmt` (pdf or png) with fixed metadata; call inside style(), after
    freeze_layout(fig)."""
    if fmt not in FORMATS:
        raise DeriveError(f"unknown figure format {fmt!r}; choose from: {', '.join(FORMATS)}")
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=DPI, metadata=METADATA[fmt])
    return out.getvalue()
