"""LaTeX to PDF with latexmk/pdflatex, in a temporary folder, with fixed dates.

SOURCE_DATE_EPOCH (with FORCE_SOURCE_DATE) pins the dates pdfTeX would take from the
clock; the sheet's preamble omits the info dates and the trailer id, so the same .tex
gives the same PDF bytes.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from derive.core.errors import DeriveError

TEX_PACKAGES = ("texlive-latex-base texlive-latex-recommended texlive-latex-extra "
                "texlive-fonts-recommended lmodern latexmk")
SOURCE_DATE_EPOCH = "0"


@dataclass(frozen=True)
class Compiled:
    pdf: bytes
    log: str


def have_tex() -> bool:
    return all(shutil.which(tool) for tool in ("latexmk", "pdflatex"))


def require_tex() -> None:
    """One line on what to install when the PDF cannot be made here."""
    if not have_tex():
        raise DeriveError("--format pdf needs TeX Live (latexmk and pdflatex): install it with "
                          f"`sudo apt-get install {TEX_PACKAGES}` or `make run` as root; "
                          "--format tex,md,ipynb works without it")


def tex_env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "FORCE_SOURCE_DATE": "1",
            "TZ": "UTC", "LC_ALL": "C"}


def compile_pdf(tex: str, name: str = "solutions", timeout: float = 600,
                files: Mapping[str, bytes] | None = None) -> Compiled:
    """Run latexmk on `tex` in a fresh temporary folder, beside `files` (name -> bytes: the
    figures it includes); DeriveError with the first TeX error."""
    require_tex()
    with tempfile.TemporaryDirectory(prefix="derive-tex-") as tmp:
        for file_name, data in (files or {}).items():
            (Path(tmp) / file_name).write_bytes(data)
        source = Path(tmp) / f"{name}.tex"
        source.write_text(tex, encoding="utf-8")
        cmd = ["latexmk", "-norc", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
               "-file-line-error", source.name]
        try:
            subprocess.run(cmd, cwd=tmp, env=tex_env(), capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise DeriveError(f"latexmk took longer than {timeout:g} s on {name}.tex") from None
        log_path, pdf_path = source.with_suffix(".log"), source.with_suffix(".pdf")
        log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
        if not pdf_path.exists() or first_error(log):
            raise DeriveError(f"pdflatex failed on {name}.tex: {first_error(log) or 'no PDF written'}")
        return Compiled(pdf_path.read_bytes(), log)


def first_error(log: str) -> str:
    """The first TeX error of a log ('! ...' or 'file:line: ...'), on one line."""
    match = re.search(r"^(?:! |\S+\.tex:\d+: )(.*)$", log, re.MULTILINE)
    return match.group(1).strip() if match else ""


def overfull(log: str) -> list[str]:
    """The 'Overfull \\hbox' warnings of a log: lines that run into the margin."""
    return re.findall(r"^Overfull \\hbox .*$", log, re.MULTILINE)
