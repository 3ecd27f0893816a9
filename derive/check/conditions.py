"""Side conditions after an equation: \\text{for all } j, \\forall j, for j = 1, ..., K, j = 1..K."""
from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from derive.check.answer import Equation
from derive.check.names import DOTS

INTRODUCERS = re.compile(r"\s*(for(\s+(all|each|every|any))?|where|with)\b", re.IGNORECASE)
RANGE_RELATIONS = {"=", "\\in", "∈", "<", ">", "\\le", "\\leq", "\\ge", "\\geq", "≤", "≥"}


def introduces(token: object) -> bool:
    """\\forall, ∀, or words that open a condition: \\text{for all }, \\text{for }, \\mathrm{where}."""
    kind, text = str(getattr(token, "type", "")), str(token)
    if kind == "FORALL":
        return True
    words = re.fullmatch(r"\\[A-Za-z]+\s*\{([^{}]*)\}", text)
    return kind == "TEXT" and words is not None and INTRODUCERS.match(words.group(1)) is not None


def is_index(s: sp.Basic) -> bool:
    """A unit or example index as names.index_symbol makes it: an integer, not a (positive) size."""
    return isinstance(s, sp.Symbol) and bool(s.is_integer) and not s.is_positive and s != DOTS


def is_bound(e: sp.Basic) -> bool:
    """A number, a size, …, or a range or set of them: what an index may run over."""
    if isinstance(e, sp.Tuple):
        return all(is_bound(a) for a in e.args)
    if e.has(sp.Indexed, sp.Function, sp.Derivative):
        return False
    return all(s == DOTS or (s.is_integer and s.is_positive) for s in e.free_symbols)


def indices_only(eq: Equation) -> bool:
    """j; j, k; j = 1, …, K; 1 ≤ j ≤ K: indices and their bounds, nothing else."""
    return all(is_index(s) or is_bound(s) or isinstance(s, sp.Tuple) and all(is_index(a) for a in s.args)
               for s in eq.sides) and any(not is_bound(s) for s in eq.sides) \
        and all(r in RANGE_RELATIONS for r in eq.relations)


def is_range(eq: Equation, prev: Equation) -> bool:
    """j = 1, …, K (or j ∈ {1, …, K}, 1 ≤ j ≤ K) about an index free in the equation before."""
    free = set().union(*(s.free_symbols for s in prev.sides))
    return len(eq.sides) > 1 and indices_only(eq) and any(is_index(s) and s in free for s in eq.sides)


def is_condition(eq: Equation, prev: Equation | None, seps: Sequence[object]) -> bool:
    """A row that states where the equation before holds, not another equation: introduced by
    \\text{for ...} or \\forall and about indices only, or a range of an index free in that equation."""
    if prev is None or eq.tag is not None:
        return False
    if any(introduces(t) for t in seps) and indices_only(eq):
        return True
    return is_range(eq, prev)


def through(prev: Equation, end: sp.Basic) -> Equation:
    """j = 1..K read as periods: the last condition j = 1 of prev runs on to K."""
    c = prev.conditions[-1]
    cond = Equation(c.sides[:-1] + (sp.Tuple(c.sides[-1], DOTS, end),), c.relations, c.tag, (), c.pos)
    return Equation(prev.sides, prev.relations, prev.tag, prev.conditions[:-1] + (cond,), prev.pos)


def runs_on(prev: Equation, row_sides: tuple[sp.Basic, ...], seps: Sequence[object]) -> bool:
    """`j = 1` `..` `K`: two or three periods between a condition ending in a bound and a lone bound."""
    kinds = [str(getattr(t, "type", "")) for t in seps]
    return (bool(prev.conditions) and kinds in (["PERIOD"] * 2, ["PERIOD"] * 3) and len(row_sides) == 1
            and is_bound(row_sides[0]) and is_bound(prev.conditions[-1].sides[-1]))


def for_all(c: Equation) -> bool:
    """A condition of bare indices (\\forall j, \\text{for all } j): the read-back says "for all"."""
    return len(c.sides) == 1 and (is_index(c.sides[0]) or isinstance(c.sides[0], sp.Tuple)
                                  and all(is_index(a) for a in c.sides[0].args))
