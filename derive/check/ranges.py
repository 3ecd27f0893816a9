"""A sum's range as students write it under the sign: k=1 (^K), 1 \\le k \\le K, k \\in \\{1, \\ldots, K\\}, k \\in K, j \\in layer l.

A set given by its members ({1, ..., K}, {0, 1, ..., D}, {1, 2, 3}) is read as written. A size
used as a set (k \\in K, n \\in N, [K]) is the set {1, ..., K}, and the read-back says so. `j \\in
\\text{layer } l` takes the range the body implies (limits.implied_range), as a sum without
limits does, provided it is a range of that layer. Anything else under \\in is a parse error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from derive.check.answer import Implicit
from derive.check.limits import fill, implied_range
from derive.check.names import DOTS, SIZES, Misread, layer_name, sub_indices, units
from derive.check.pieces import Sub, Sup, value
from derive.check.readback import name_text

LESS = {"<": 1, "\\le": 0, "\\leq": 0, "≤": 0}
MORE = {">": 1, "\\ge": 0, "\\geq": 0, "≥": 0}
IN = ("\\in", "∈")


@dataclass(frozen=True)
class InSub:
    """_{k \\in S}: the index's tokens and the set: its value, or the words of a \\text{...}."""

    elems: tuple[object, ...]
    members: sp.Basic | None
    text: str | None
    pos: int


@dataclass(frozen=True)
class Between:
    """_{1 \\le k \\le K}: both limits and the index between them."""

    index: sp.Symbol
    lower: sp.Basic
    upper: sp.Basic
    pos: int


def between(elems: tuple[object, ...], first: str, index: object, second: str, top: object, pos: int) -> Between:
    """lower REL index REL upper, both relations < / \\le (or both > / \\ge, read backwards)."""
    (low,) = sub_indices(elems, pos) if elems else (None,)
    k, high = value(index), value(top)
    if first in MORE and second in MORE:
        low, high, first, second = high, low, {1: "<", 0: "\\le"}[MORE[first]], {1: "<", 0: "\\le"}[MORE[second]]
    if first not in LESS or second not in LESS or not isinstance(k, sp.Symbol) or low is None:
        raise Misread("a range under a sum reads 1 \\le k \\le K", pos)
    return Between(k, low + LESS[first], high - LESS[second], pos)


def size_set(s: sp.Basic) -> bool:
    return s in SIZES.values() or (isinstance(s, sp.Symbol) and re.fullmatch(r"[MN]_\w+", s.name) is not None)


def members_range(members: sp.Basic, pos: int) -> tuple[sp.Basic, sp.Basic, str | None]:
    """{1, ..., K} -> (1, K); K -> (1, K) with the note; {1, 2, 3} -> (1, 3)."""
    if size_set(members):
        shown = name_text(str(members))
        return sp.Integer(1), members, f"{shown} as a set: 1, …, {shown}"
    entries = list(members.args) if isinstance(members, sp.Tuple) else [members]
    if DOTS in entries:
        at = entries.index(DOTS)
        before, after = entries[:at], entries[at + 1:]
    else:
        before, after = entries, []
    consecutive = before and all(sp.expand(b - before[0] - n) == 0 for n, b in enumerate(before))
    if not consecutive or len(after) > 1 or (not after and not all(b.is_Integer for b in before)):
        raise Misread("derive reads a sum over k \\in \\{1, \\ldots, K\\} or k \\in K, a range of whole numbers", pos)
    return before[0], (after or before)[-1], None


def layer_range(text: str, index: sp.Symbol, body: sp.Basic, pos: int) -> tuple[sp.Basic, sp.Basic, str]:
    """j \\in \\text{layer } l: the range the body implies, if it is one of layer l's."""
    words = re.sub(r"[${}\s]", "", text)
    found = re.fullmatch(r"(?:the)?(?:units?of)?(?:layer|lag)([lL](?:[+\-]\d+)?|\d+)?", words)
    if not found:
        raise Misread(f"derive reads \\in \\text{{layer }} l or a set such as \\{{1, \\ldots, K\\}}, not {text!r}", pos)
    implied = implied_range(index, body)
    if implied is None:
        raise Misread(f"cannot tell the range of {index} from the sum: write its limits", pos)
    if found.group(1) and units(layer_name(found.group(1), pos)) != implied.upper:
        raise Misread(f"the sum says layer {found.group(1)} but its body runs {index} up to "
                      f"{name_text(str(implied.upper))}", pos)
    return implied.lower, implied.upper, implied.why


def limits(mark: str, scripts: list[object], body: sp.Basic, pos: int) -> tuple[sp.Symbol, sp.Basic, sp.Basic,
                                                                               Implicit | None]:
    """The index and limits of \\sum or \\prod from its scripts; the note for what derive filled in."""
    subs = [s for s in scripts if isinstance(s, (Sub, InSub, Between))]
    sups = [s for s in scripts if isinstance(s, Sup)]
    if len(subs) != 1 or len(sups) > 1 or len(subs) + len(sups) != len(scripts):
        raise Misread(f"{mark} needs one index below it, as in \\sum_k or \\sum_{{k=1}}^{{K}}", pos)
    sub = subs[0]
    if isinstance(sub, Between):
        if sups:
            raise Misread(f"{mark} with a range below and an upper limit above", sub.pos)
        return sub.index, sub.lower, sub.upper, None
    index = sub_indices(sub.elems, sub.pos)
    if len(index) != 1 or not isinstance(index[0], sp.Symbol):
        raise Misread(f"{mark} over one index letter, as \\sum_{{k=1}}^{{K}}", sub.pos)
    k = index[0]
    if isinstance(sub, InSub):
        if sups:
            raise Misread(f"{mark} over a set takes no upper limit", sups[0].pos)
        if sub.text is not None:
            lower, upper, why = layer_range(sub.text, k, body, sub.pos)
            return k, lower, upper, Implicit(mark, k, lower, upper, "set", f"{k} in {sub.text.strip()}: {why}", pos)
        assert sub.members is not None
        lower, upper, note = members_range(sub.members, sub.pos)
        return k, lower, upper, None if note is None else Implicit(mark, k, lower, upper, "set", note, pos)
    lower = None if sub.lower is None else value(sub.lower)
    upper = value(sups[0].value) if sups else None
    if lower is not None and upper is not None:
        return k, lower, upper, None
    lower, upper, gap = fill(mark, k, body, lower, upper, pos)
    return k, lower, upper, gap
