"""`derive sheet`: the verified solution sheet as PDF, LaTeX, Markdown and a notebook.

Every registered exercise is built (and so verified) once; the sheet is written only if
every derivation verified, otherwise DeriveError names the first failure and nothing is
written. The output folder is checked first (before seconds of work), and the formats are
written all or none: each to a temporary file, then all renamed. The .tex, .md and .ipynb
hold no timings unless asked (``timings=True``), so the same engine gives the same bytes;
the PDF is compiled with fixed dates. Two figures (derive.emit.figures) end the sections of
d) and h): the .tex includes their PDF and the .md links their PNG, each written beside it;
the notebook carries the PNG as a cell attachment.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from derive.core.errors import DeriveError
from derive.core.files import can_make_folder, file_target, os_error
from derive.emit import environment
from derive.emit.code_exercise import registered
from derive.emit.figures.output import SheetFigure, sheet_figure
from derive.emit.latex.pdf import TEX_PACKAGES, compile_pdf, have_tex, require_tex
from derive.emit.latex.prose import md_prose, prose
from derive.emit.latex.sheet_model import Figure, Section, Text, route_list, sections
from derive.emit.notebook import cells, markdown, notebook
from derive.exercises.base import REGISTRY, Config, Exercise, run

FORMATS = ("pdf", "tex", "md", "ipynb")
TEX_DELIMITERS = dict(block_start_string="<%", block_end_string="%>", variable_start_string="<<",
                      variable_end_string=">>", comment_start_string="<#", comment_end_string="#>")


def parse_formats(formats: str) -> list[str]:
    """'pdf,tex' -> ['pdf', 'tex'] in FORMATS order; DeriveError naming an unknown one."""
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        what = f"unknown format {unknown[0]!r}" if unknown else "no format given"
        raise DeriveError(f"{what}; choose from: {', '.join(FORMATS)} (comma-separated)")
    return [f for f in FORMATS if f in wanted]


def default_formats() -> tuple[str, str]:
    """All four formats, or all but the PDF (and a one-line warning) where TeX is missing."""
    if have_tex():
        return ",".join(FORMATS), ""
    return ",".join(f for f in FORMATS if f != "pdf"), (
        f"solutions.pdf skipped: TeX Live is missing (install: sudo apt-get install {TEX_PACKAGES})")


def summary_note(exercises: Sequence[Exercise], timings: bool, command: str, network: str = "") -> str:
    """The sentence above the summary table; `command` is how the format shows a command;
    `network` names the network of a sheet for one (derive sheet --widths ...)."""
    n_checks = sum(len(ex.checks) for ex in exercises)
    routes = route_list([r for ex in exercises for r in ex.routes])
    timing = ("Seconds are wall-clock times of this run." if timings else
              "Timings vary from run to run and are left out, so that the same engine writes "
              f"the same sheet; {command} reports them.")
    parts = "The one part" if len(exercises) == 1 else f"All {len(exercises)} parts"
    return f"{network}{parts} verified: {n_checks} checks passed, by the routes {routes}. {timing}"


def figures_of(exercises: Sequence[Exercise]) -> dict[str, SheetFigure]:
    """Exercise id -> the figure that ends its section, for those that have one."""
    found = {ex.id: sheet_figure(ex.id) for ex in exercises}
    return {i: f for i, f in found.items() if f is not None}


def placed(parts: Sequence[Section], figures: Mapping[str, SheetFigure], text: Text, fmt: str) -> list[Section]:
    """The sections, each ending with its figure as the file `fmt` (pdf for LaTeX, png for Markdown)."""
    def shown(f: SheetFigure) -> Figure:
        return Figure(text(f.title), f.file(fmt), f.title, text(f.caption))
    return [replace(s, figures=[shown(figures[s.id])]) if s.id in figures else s for s in parts]


def beside(exercises: Sequence[Exercise], formats: Sequence[str]) -> dict[str, bytes]:
    """The figure files the sheet's formats refer to: the PDFs for tex, the PNGs for md."""
    wanted = [fig for fmt, fig in (("tex", "pdf"), ("md", "png")) if fmt in formats]
    return {f.file(fig): f.files[f.file(fig)] for f in figures_of(exercises).values() for fig in wanted}


def render_tex(exercises: Sequence[Exercise], timings: bool = False, network: str = "") -> str:
    template = environment(**TEX_DELIMITERS).get_template("sheet.tex.j2")
    parts = placed(sections(exercises, prose, timings), figures_of(exercises), prose, "pdf")
    return template.render(sections=parts, timings=timings,
                           summary_note=summary_note(exercises, timings, "\\texttt{derive verify}", prose(network)))


def markdown_cells(exercises: Sequence[Exercise], timings: bool = False, network: str = "") -> list[tuple[str, str]]:
    parts = placed(sections(exercises, md_prose, timings), figures_of(exercises), md_prose, "png")
    return cells(parts, summary_note(exercises, timings, "`derive verify`", md_prose(network)), timings)


def attachments(exercises: Sequence[Exercise]) -> dict[str, dict[str, bytes]]:
    """Answer cell id -> the PNG its figure links to (the notebook embeds it)."""
    return {f"answer-{i}": {f.file("png"): f.files[f.file("png")]} for i, f in figures_of(exercises).items()}


def render(exercises: Sequence[Exercise], formats: Sequence[str], timings: bool = False, network: str = ""
           ) -> dict[str, str | bytes]:
    """{format: content} for the requested formats; the PDF from the rendered .tex."""
    out: dict[str, str | bytes] = {}
    tex = render_tex(exercises, timings, network)
    if "tex" in formats:
        out["tex"] = tex
    if "md" in formats or "ipynb" in formats:
        parts = markdown_cells(exercises, timings, network)
        out.update({f: (markdown(parts) if f == "md" else notebook(parts, attachments(exercises)))
                    for f in ("md", "ipynb") if f in formats})
    if "pdf" in formats:
        out["pdf"] = compile_pdf(tex, files=beside(exercises, ["tex"])).pdf
    return {f: out[f] for f in FORMATS if f in out}


def writable_folder(out_dir: str) -> Path:
    """`out_dir` as a Path; DeriveError unless it is, or can be made, a folder we may write in."""
    can_make_folder(out_dir)
    return Path(out_dir)


def write_all(folder: Path, contents: Mapping[str, str | bytes],
              extra: Mapping[str, bytes] | None = None) -> list[Path]:
    """solutions.<format> for every format, and the `extra` files (name -> bytes: the figures),
    or none of them: temporary files first, then renames."""
    files = {f"solutions.{fmt}": data for fmt, data in contents.items()} | dict(extra or {})
    targets = [file_target(folder / name) for name in files]
    made = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
    temps: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target, data in zip(targets, files.values()):
            fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
            temps.append(Path(name))
            with os.fdopen(fd, "wb") as out:
                out.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            os.chmod(name, 0o644)
        for tmp, target in zip(temps, targets):
            os.replace(tmp, target)
    except OSError as exc:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        for empty in made:  # the folders this call made, innermost first
            try:
                empty.rmdir()
            except OSError:
                break
        raise os_error(exc, "write into", folder) from None
    return targets


EXERCISE_SHEET = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "vectorised")  # the exercise's own
NETWORK_SHEET = ("activation", "d", "j", "k", "l", "losses", "vectorised", "code")  # a sheet for one network


def describe(config: Config) -> str:
    """The sentence that opens a network sheet's summary."""
    loss = config.loss or "every loss of the registry"
    reduction = f", reduction {config.reduction}" if config.reduction else ""
    hidden = ", ".join(config.activations) or "no hidden layer"
    return (f"This sheet is for the network with widths {','.join(map(str, config.widths))} "
            f"(hidden activations: {hidden}; loss: {loss}{reduction}). ")


def write_sheet(out_dir: str, formats: str, timings: bool = False, config: Config | None = None,
                only: Sequence[str] | None = None) -> list[Path]:
    """Build and verify the exercises, then write solutions.<format> into `out_dir`: the exercise's
    sheet (EXERCISE_SHEET) without a config, the sheet for that network (NETWORK_SHEET) with one;
    `only` picks the exercises either way."""
    folder = writable_folder(out_dir)  # say so before seconds of work
    wanted = parse_formats(formats)
    if "pdf" in wanted:
        require_tex()  # say so before minutes of work
    with registered():  # exercise "code": the module `derive code` writes for the network
        ids = list(only) if only is not None else list(EXERCISE_SHEET if config is None else NETWORK_SHEET)
        unknown = [i for i in ids if i not in REGISTRY]
        if unknown or not ids:
            raise DeriveError(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(REGISTRY)}" if unknown
                              else "--only names no exercise")
        exercises = run(config or Config(), ids)
    contents = render(exercises, wanted, timings, describe(config) if config is not None else "")
    return write_all(folder, contents, beside(exercises, wanted))
