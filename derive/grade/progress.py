"""Progress on stderr: a bar for a class, a line per notebook for a few, nothing with -q."""
from __future__ import annotations

import sys
import time
from typing import TextIO

FEW = 5  # up to this many notebooks: no bar
WIDTH = 30


class Progress:
    """Counts answers judged out of a total and draws a bar (redrawn in place on a terminal)."""

    def __init__(self, notebooks: int, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.bar = notebooks > FEW
        self.notebooks = notebooks
        self.total = 0
        self.done = 0
        self.start = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = -1

    def expect(self, total: int) -> None:
        self.total = total
        self.draw()

    def add(self, n: int = 1) -> None:
        self.done += n
        self.draw()

    def say(self, line: str) -> None:
        if not self.quiet:
            self.stream.write(("\r\033[K" if self.tty and self.bar else "") + line + "\n")
            self.stream.flush()

    def draw(self) -> None:
        if self.quiet or not self.bar or not self.total:
            return
        step = self.done * 20 // self.total  # off a terminal: a line at every 5 %
        if not self.tty and step == self.shown:
            return
        self.shown = step
        full = self.done * WIDTH // self.total
        line = f"grading {self.notebooks} notebooks [{'#' * full}{'.' * (WIDTH - full)}] {self.done}/{self.total} answers"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def finish(self, line: str) -> None:
        if self.quiet:
            return
        seconds = time.perf_counter() - self.start
        self.stream.write(("\r\033[K" if self.tty and self.bar else "") + f"{line} in {seconds:.1f} s\n")
        self.stream.flush()
