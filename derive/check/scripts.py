"""Grammar rules for scripts: _{ji}, _{k=1}, _{k \\in K}, _{1 \\le k \\le K}, ^{(l)}, primes, ^{\text{new}}, _{\text{ML}}, ^T."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer_NonRecursive, v_args

from derive.check.names import Misread, layer_name
from derive.check.pieces import Layer, Prime, Sub, Sup, SupText, value
from derive.check.ranges import IN, Between, InSub, between

MAX_PRIMES = 4


@dataclass(frozen=True)
class SubLabel:
    """_{\\text{ML}}: a word as a subscript."""

    label: str
    pos: int


def at(meta: Any) -> int:
    return int(getattr(meta, "start_pos", 0) or 0)


def is_token(x: object, kind: str | None = None) -> bool:
    return isinstance(x, Token) and (kind is None or x.type == kind)


@v_args(meta=True)
class ScriptRules(Transformer_NonRecursive):
    """The rules of `script` and `sub_body`, mixed into derive.check.transform.ToSympy."""

    def sub(self, meta: Any, children: list[object]) -> Sub | InSub | Between:
        c = children[-1]
        return c if isinstance(c, (Sub, InSub, Between)) else Sub((c,), None, at(meta))

    def sub_body(self, meta: Any, children: list[object]) -> Sub | InSub:
        rel = next((n for n, c in enumerate(children) if is_token(c, "REL")), None)
        if rel is None:
            return Sub(tuple(children), None, at(meta))
        elems, rest = tuple(children[:rel]), children[rel + 1:]
        if str(children[rel]) in IN:
            if rest and is_token(rest[0], "TEXT"):
                words = re.sub(r"^\\[a-z]+\s*\{|\}$", "", str(rest[0])) + "".join(str(value(r)).replace(" ", "") for r in rest[1:])
                return InSub(elems, None, words, at(meta))
            return InSub(elems, value(rest[0]), None, at(meta))
        if str(children[rel]) != "=" or len(rest) != 1:
            raise Misread(f"{children[rel]} under a sum: write its range, as k=1 or k \\in \\{{1, \\ldots, K\\}}", at(meta))
        return Sub(elems, rest[0], at(meta))

    def sup(self, meta: Any, children: list[object]) -> Sup:
        return Sup(children[-1], at(meta))

    def layer(self, meta: Any, children: list[Token]) -> Layer:
        inner = re.sub(r"\\[A-Za-z]+|\\.|[~^{}()\s]", "", str(children[0]))  # spacing and \left go
        return Layer(layer_name(inner, at(meta)), at(meta))

    def prime(self, meta: Any, children: list[Token]) -> Prime:
        text = str(children[0])
        count = text.count("'") + text.count("\\prime")
        if count > MAX_PRIMES:
            raise Misread(f"{count} primes: derive reads up to {MAX_PRIMES}", at(meta))
        return Prime(count, at(meta))

    def suptext(self, meta: Any, children: list[Token]) -> SupText:
        text = re.sub(r"\\[,;:! ]|~|\\q?quad|\\left|\\right|\s", "", str(children[0]))
        return SupText(re.findall(r"\{([A-Za-z]+)\}", text)[-1], at(meta))

    def subtext(self, meta: Any, children: list[Token]) -> SubLabel:
        return SubLabel(re.findall(r"\{\s*([A-Za-z]+)\s*\}", str(children[0]))[-1], at(meta))

    def transpose(self, meta: Any, children: list[Token]) -> object:
        raise Misread("a transpose: derive reads the exercise's components, not vectors; write the sum, "
                      "as \\sum_i w_{ji} x_i", at(meta))

    def sub_between(self, meta: Any, children: list[object]) -> object:
        *elems, first, index, second, top = children
        return between(tuple(elems), str(first), index, str(second), top, at(meta))
