"""The `%%check EXERCISE` cell magic: judge the cell's LaTeX and show the Verdict (`%load_ext derive`)."""
from __future__ import annotations

from typing import Any

from derive.check import report
from derive.check.judge import Verdict, check


class Shown:
    """A Verdict with the LaTeX it judged: a notebook shows it as Markdown with the exact read-back."""

    def __init__(self, verdict: Verdict, source: str) -> None:
        self.verdict, self.source = verdict, source

    def _repr_markdown_(self) -> str:
        return report.markdown(self.verdict, self.source)

    def __repr__(self) -> str:
        return report.text(self.verdict)


def check_magic(line: str, cell: str) -> Shown:
    """%%check j [--timeout S]: the cell is the answer; the cell's output is its Verdict (`_.verdict`)."""
    words = line.split()
    if not words:
        raise ValueError("%%check needs the exercise: %%check j")
    timeout = float(words[words.index("--timeout") + 1]) if "--timeout" in words else 5.0
    return Shown(check(words[0], cell, timeout), cell)


def register(ipython: Any) -> None:
    """Register %%check with a running IPython."""
    ipython.register_magic_function(check_magic, magic_kind="cell", magic_name="check")
