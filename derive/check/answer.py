"""An answer as derive read it: equation chains of SymPy objects, and the error for what it cannot read."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive.core.errors import DeriveError

SPAN = 40  # characters of context either side of a caret


def context(text: str, pos: int, span: int = SPAN) -> str:
    """The input line around pos and a caret under pos, as lark's UnexpectedInput.get_context."""
    pos = max(0, min(pos, len(text)))
    before = text[max(pos - span, 0):pos].rsplit("\n", 1)[-1]
    after = text[pos:pos + span].split("\n", 1)[0]
    return before + after + "\n" + " " * len(before.expandtabs()) + "^\n"


def line_column(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of a character position."""
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


class ParseError(DeriveError):
    """What stopped the parse: a one-line message, the position, and `caret()` to show it."""

    def __init__(self, message: str, text: str, pos: int, shown: str | None = None) -> None:
        self.text, self.pos = text, max(0, min(pos, len(text)))
        self.line, self.column = line_column(text, self.pos)
        self.reason = message
        self._shown = shown
        super().__init__(f"line {self.line}, column {self.column}: {message}")

    def caret(self) -> str:
        """The input line and a caret under the character that stopped the parse."""
        return self._shown if self._shown is not None else context(self.text, self.pos)


@dataclass(frozen=True)
class Implicit:
    """A sum or product written without (some of) its limits, and the range derive filled in."""

    sign: str  # "Σ" or "Π"
    index: sp.Symbol
    lower: sp.Expr
    upper: sp.Expr
    missing: str  # "limits", "lower limit" or "upper limit"
    why: str
    pos: int


@dataclass(frozen=True)
class Equation:
    """lhs = rhs_1 = rhs_2 ...: sides[0] relations[0] sides[1] ...; one side is a bare expression."""

    sides: tuple[sp.Basic, ...]
    relations: tuple[str, ...] = ()
    tag: str | None = None
    conditions: tuple[Equation, ...] = ()
    pos: int = 0

    @property
    def lhs(self) -> sp.Basic:
        return self.sides[0]

    @property
    def rhs(self) -> sp.Basic:
        return self.sides[-1]


@dataclass(frozen=True)
class Answer:
    """Everything read from one answer: its equations and the limits derive filled in."""

    source: str
    equations: tuple[Equation, ...]
    implicit: tuple[Implicit, ...] = field(default=())

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.equations)

    def __len__(self) -> int:
        return len(self.equations)

    def __getitem__(self, n: int) -> Equation:
        return self.equations[n]
