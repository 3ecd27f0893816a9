"""`derive sheet`: the verified solution sheet as PDF, LaTeX, Markdown and a notebook.

Every registered exercise is built (and so verified) once; the sheet is written only if
every derivation verified, otherwise DeriveError names the first failure and nothing is
written. The output folder is checked first (before seconds of work), and the formats are
written all or none: each to a temporary file, then all renamed. The .tex, .md and .ipynb
hold no timings unless asked (``timings=True``), so the same engine gives the same bytes;
the PDF is compiled with fixed dates.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from derive.core.errors import DeriveError
from derive.core.files import can_make_folder, file_target, os_error
from derive.emit import environment
from derive.emit.latex.pdf import TEX_PACKAGES, compile_pdf, have_tex, require_tex
from derive.emit.latex.prose import md_prose, prose
from derive.emit.latex.sheet_model import Section, route_list, sections
from derive.emit.notebook import cells, markdown, notebook
from derive.exercises.base import Config, Exercise, run

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


def summary_note(exercises: Sequence[Exercise], timings: bool, command: str) -> str:
    """The sentence above the summary table; `command` is how the format shows a command."""
    n_checks = sum(len(ex.checks) for ex in exercises)
    routes = route_list([r for ex in exercises for r in ex.routes])
    timing = ("Seconds are wall-clock times of this run." if timings else
              "Timings vary from run to run and are left out, so that the same engine writes "
              f"the same sheet; {command} reports them.")
    parts = "The one part" if len(exercises) == 1 else f"All {len(exercises)} parts"
    return f"{parts} verified: {n_checks} checks passed, by the routes {routes}. {timing}"


def render_tex(exercises: Sequence[Exercise], timings: bool = False) -> str:
    template = environment(**TEX_DELIMITERS).get_template("sheet.tex.j2")
    return template.render(sections=sections(exercises, prose, timings), timings=timings,
                           summary_note=summary_note(exercises, timings, "\\texttt{derive verify}"))


def markdown_cells(exercises: Sequence[Exercise], timings: bool = False) -> list[tuple[str, str]]:
    parts: list[Section] = sections(exercises, md_prose, timings)
    return cells(parts, summary_note(exercises, timings, "`derive verify`"), timings)


def render(exercises: Sequence[Exercise], formats: Sequence[str], timings: bool = False
           ) -> dict[str, str | bytes]:
    """{format: content} for the requested formats; the PDF from the rendered .tex."""
    out: dict[str, str | bytes] = {}
    tex = render_tex(exercises, timings)
    if "tex" in formats:
        out["tex"] = tex
    if "md" in formats or "ipynb" in formats:
        parts = markdown_cells(exercises, timings)
        out.update({f: (markdown(parts) if f == "md" else notebook(parts))
                    for f in ("md", "ipynb") if f in formats})
    if "pdf" in formats:
        out["pdf"] = compile_pdf(tex).pdf
    return {f: out[f] for f in FORMATS if f in out}


def writable_folder(out_dir: str) -> Path:
    """`out_dir` as a Path; DeriveError unless it is, or can be made, a folder we may write in."""
    can_make_folder(out_dir)
    return Path(out_dir)


def write_all(folder: Path, contents: Mapping[str, str | bytes]) -> list[Path]:
    """solutions.<format> for every format or for none: temporary files first, then renames."""
    targets = [file_target(folder / f"solutions.{fmt}") for fmt in contents]
    made = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
    temps: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target, data in zip(targets, contents.values()):
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


def write_sheet(out_dir: str, formats: str, timings: bool = False,
                config: Config = Config()) -> list[Path]:
    """Build and verify every exercise, then write solutions.<format> into `out_dir`."""
    folder = writable_folder(out_dir)  # say so before seconds of work
    wanted = parse_formats(formats)
    if "pdf" in wanted:
        require_tex()  # say so before minutes of work
    contents = render(run(config), wanted, timings)  # raises before anything is written
    return write_all(folder, contents)
