"""Which formulas are the answer: per result asked for, the last equation with that left side (a chain whole)."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.check.answer import Equation
from derive.check.names import DOTS, E
from derive.check.parse import parse
from derive.check.reference import Reference, key_of
from derive.grade.blocks import normal
from derive.grade.found import Formula
from derive.grade.lines import lines


@dataclass(frozen=True)
class Line:
    """One equation line of the hand-in, where it is, and what derive read in it (None: unreadable)."""

    latex: str
    display: bool
    cell: int
    cell_id: str | None
    equations: tuple[Equation, ...] | None
    error: str = ""

    @property
    def dots(self) -> bool:
        return any(s.has(DOTS) for e in self.equations or () for s in e.sides)

    @property
    def restates(self) -> bool:
        """Only a definition, such as delta = dE/da: the question's words, not an answer."""
        return bool(self.equations) and all(len(e.sides) > 1 and isinstance(e.rhs, sp.Derivative) and e.rhs.expr == E
                                            for e in self.equations or ())


@dataclass(frozen=True)
class Choice:
    """The lines to judge (in the hand-in's order), and per result other lines of other cells that also give it."""

    chosen: tuple[Line, ...]
    keys: tuple[str, ...]  # the result each chosen line gives ("" when it is no result's)
    others: tuple[tuple[str, Line], ...] = ()


def read(formulas: tuple[Formula, ...]) -> list[Line]:
    """Every equation line of the formulas, parsed."""
    out = []
    for f in formulas:
        for text in lines(f.latex):
            try:
                eqs: tuple[Equation, ...] | None = parse(text).equations
                error = ""
            except Exception as exc:  # noqa: BLE001  (a ParseError, or anything the parser did not foresee: unreadable)
                eqs, error = None, str(exc)
            out.append(Line(text, f.display, f.cell, f.cell_id, eqs, error))
    return out


def target_of(eq: Equation, ref: Reference) -> str | None:
    """The result an equation gives, by its left side, as derive.check.judge matches them."""
    if len(eq.sides) == 1:
        return None
    key = key_of(eq.lhs)
    keys = [t.key for t in ref.targets]
    if key in keys:
        return key
    stem = [k for k in keys if (key or "?").split("__")[0] == k.split("__")[0]]
    return stem[0] if len(stem) == 1 else None


def bare(line: Line) -> bool:
    """A one-sided formula that can be an answer (h: B/N): displayed, or inline and more than one symbol."""
    eqs = line.equations or ()
    return len(eqs) == 1 and len(eqs[0].sides) == 1 and (
        line.display or not isinstance(eqs[0].lhs, (sp.Symbol, sp.Indexed, sp.Number)))


def choose(formulas: tuple[Formula, ...], ref: Reference) -> Choice | None:
    """The answer among the formulas; None when no formula could be one (only definitions, single symbols)."""
    found = read(formulas)
    by_key: dict[str, list[int]] = {}
    for n, line in enumerate(found):
        for eq in line.equations or ():
            key = target_of(eq, ref)
            if key is not None and n not in by_key.get(key, []):
                by_key.setdefault(key, []).append(n)
    chosen: dict[str, int] = {}
    others: list[tuple[str, Line]] = []
    for key, cands in by_key.items():
        good = [n for n in cands if not found[n].dots and not found[n].restates]
        pick = good[-1] if good else next((n for n in reversed(cands) if not found[n].restates), None)
        if pick is None:
            continue
        chosen[key] = pick
        seen = {normal(found[pick].latex)}
        for n in reversed(good):
            if found[n].cell != found[pick].cell and normal(found[n].latex) not in seen and len(seen) < 3:
                seen.add(normal(found[n].latex))
                others.append((key, found[n]))
    if chosen:
        order = sorted(set(chosen.values()))
        keys = tuple(next(k for k, v in chosen.items() if v == n) for n in order)
        return Choice(tuple(found[n] for n in order), keys, tuple(others))
    one_sided = [line for line in found if bare(line)]
    displayed = [line for line in one_sided if line.display] or one_sided
    if displayed:
        return Choice((displayed[-1],), ("",))
    equations = [line for line in found if line.equations and not line.restates and
                 any(len(e.sides) > 1 for e in line.equations)]
    shown = [line for line in equations if line.display]
    if shown:
        return Choice((shown[-1],), ("",))
    unreadable = [line for line in found if line.equations is None]
    if unreadable:
        return Choice(tuple(([line for line in unreadable if line.display] or unreadable)[-1:]), ("",))
    return None
