"""The figures as files: rendered once per process, written atomically, and laid out for the sheet.

`write_figures(out_dir, formats)` writes bishop-5-3.<fmt> and minibatch-gradients.<fmt>.
`sheet_figure(exercise_id)` gives the sheet the figure that ends that exercise's section, if
any (PLACES: fig. 5.3 after d), where the exercise text shows it, before its loss functions;
h)'s histogram after h)), with its title and caption as plain text with $...$ math and its
bytes in both formats.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from derive.core.files import can_make_folder, write_atomic
from derive.emit.figures import bishop_5_3, minibatch, render

PLACES = {"d": bishop_5_3.NAME, "h": minibatch.NAME}  # exercise id -> the figure at its end
NAMES = tuple(PLACES.values())


@dataclass(frozen=True)
class SheetFigure:
    """A figure as the sheet shows it: under `title`, with `caption`, from `files`."""

    name: str  # file stem: name.pdf beside solutions.tex, name.png beside solutions.md
    title: str
    caption: str
    files: dict[str, bytes]  # "name.pdf", "name.png" -> bytes

    def file(self, fmt: str) -> str:
        return f"{self.name}.{fmt}"


@lru_cache(maxsize=len(NAMES))
def figure(name: str) -> SheetFigure:
    """The figure `name` in both formats, trained and drawn once per process."""
    if name == bishop_5_3.NAME:
        fig53 = bishop_5_3.rendered(render.FORMATS)
        return SheetFigure(name, "Bishop's figure 5.3: three tanh units at work",
                           bishop_5_3.caption(fig53.fits), fig53.files)
    if name == minibatch.NAME:
        grads = minibatch.rendered(render.FORMATS)
        return SheetFigure(name, "Exercise h) sampled: minibatch gradients", minibatch.caption(grads.sample),
                           grads.files)
    raise KeyError(f"no figure named {name!r}; the figures are: {', '.join(NAMES)}")


def sheet_figure(exercise_id: str) -> SheetFigure | None:
    """The figure at the end of the exercise's section, or None."""
    return figure(PLACES[exercise_id]) if exercise_id in PLACES else None


def figure_files(formats: Sequence[str] = render.FORMATS, names: Sequence[str] = NAMES) -> dict[str, bytes]:
    """File name -> bytes of each figure in `names` in each of `formats` (pdf, png)."""
    return {figure(n).file(fmt): figure(n).files[figure(n).file(fmt)] for n in names for fmt in formats}


def write_figures(out_dir: str | os.PathLike[str], formats: Sequence[str] = render.FORMATS) -> list[Path]:
    """Write every figure in each of `formats` into out_dir (each file whole or not at all)."""
    wanted = render.parse_formats(",".join(formats))
    can_make_folder(out_dir)  # before seconds of training
    return [write_atomic(Path(out_dir) / name, data) for name, data in figure_files(wanted).items()]
