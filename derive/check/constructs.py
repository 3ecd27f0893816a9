"""Grammar rules for notation around the exercise's own: |x|, the evaluation bar, \\hat{y}, softmax, cases, max, \\boxed.

Decisions (the read-back shows each): \\hat{y} is the network output y, \\hat{\\sigma} and \\hat{w} the
estimates the exercise asks for (so σ and w); a hat on t is refused, the targets are data, and
a hat on anything else too. softmax(a^{(L)})_k, softmax_k(a^{(L)}) and softmax(a_k^{(L)}) are
exp(a_k) / Σ_{k'} exp(a_{k'}) over the layer's units (K for the output layer). cases is a
piecewise function (\\text{otherwise} is the last case). A transpose is refused: the grammar
writes components, not vectors. σ_{ML}, σ^{\\text{ML}} are σ: the exercise's σ is the estimate.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import sympy as sp
from lark import Token, v_args

from derive.check.answer import Implicit
from derive.check.calculus import evaluate
from derive.check.limits import layer_of
from derive.check.names import Misread, Named, index_symbol, sub_indices, units
from derive.check.pieces import Link, Sub, SupText, value
from derive.check.scripts import ScriptRules, SubLabel
from derive.core import notation as nt

HATTED = {"y", "sigma", "w"}
ESTIMATES = {"ML", "MLE", "mle", "ml"}
OTHERWISE = {"otherwise", "else", "elsewhere", "o.w.", "ow", "ellers", "sonst", "ifnot", "otherwise."}
IF = {"", "if", "for", "when", "hvis", "når", "for all", "where", "if:", "falls"}
RELATIONS = {"=": sp.Eq, "\\neq": sp.Ne, "\\ne": sp.Ne, "≠": sp.Ne, "<": sp.Lt, ">": sp.Gt, "\\le": sp.Le,
             "\\leq": sp.Le, "≤": sp.Le, "\\ge": sp.Ge, "\\geq": sp.Ge, "≥": sp.Ge}


@dataclass(frozen=True)
class EvalAt:
    """_{a = a_k, b = b_0}: what the evaluation bar substitutes."""

    pairs: tuple[tuple[sp.Basic, sp.Basic], ...]
    pos: int


@dataclass(frozen=True)
class SoftmaxOf:
    """softmax(a^{(L)}) waiting for its component: the subscript after it."""

    arg: sp.Basic
    pos: int


def at(meta: Any) -> int:
    return int(getattr(meta, "start_pos", 0) or 0)


def text_of(token: object) -> str:
    """\\text{if } -> "if"."""
    inner = re.search(r"\{([^{}]*)\}", str(token))
    return (inner.group(1) if inner else str(token)).strip()


def softmax(arg: sp.Basic, index: sp.Basic | None, pos: int) -> tuple[sp.Basic, Implicit]:
    """softmax(a)_k = exp(a_k) / Σ_{k'=1}^{M} exp(a_{k'}) over the units of a's layer."""
    if isinstance(arg, sp.Indexed):
        if index is not None:
            raise Misread("softmax with a component twice: write softmax(a^{(L)})_k or softmax(a_k^{(L)})", pos)
        base, rest, index = arg.base, arg.indices[:-1], arg.indices[-1]
    elif isinstance(arg, sp.IndexedBase) and index is not None:
        base, rest = arg, ()
    else:
        raise Misread("softmax needs its component: softmax(a^{(L)})_k or softmax(a_k^{(L)})", pos)
    label = nt.split_name(str(base.label))[1]
    layer = layer_of(label)
    upper = units("L" if layer is None else layer)
    free = {s.name for s in sp.sympify(index).free_symbols} | {str(s) for s in arg.free_symbols}
    letter = index.name.rstrip("'") if isinstance(index, sp.Symbol) else "k"
    primes = 1
    while letter + "'" * primes in free:
        primes += 1
    k2 = index_symbol(letter, primes)
    total = sp.Sum(sp.exp(base[rest + (k2,)]), (k2, 1, upper))
    gap = Implicit("Σ", k2, sp.Integer(1), upper, "limits", "the softmax's sum over the units of its layer", pos)
    return sp.exp(base[rest + (index,)]) / total, gap


def condition(links: list[Link], pos: int) -> sp.Basic:
    """a > 0, 0 \\le a \\le 1, a = 0: a relation (unevaluated), or several joined by 'and'."""
    if len(links) < 2:
        raise Misread("a case's condition needs a relation, as a > 0, or \\text{otherwise}", pos)
    parts = []
    for left, right in itertools.pairwise(links):
        rel = RELATIONS.get(str(right.relation))
        if rel is None:
            raise Misread(f"{right.relation} in a case's condition: derive reads =, \\ne, <, >, \\le, \\ge", right.pos)
        parts.append(rel(value(left.side), value(right.side), evaluate=False))
    return parts[0] if len(parts) == 1 else sp.And(*parts, evaluate=False)


@v_args(meta=True)
class Constructs(ScriptRules):
    """Transformer rules, mixed into derive.check.transform.ToSympy (which owns `implicit`)."""

    implicit: list[Implicit]

    def abs_bars(self, meta: Any, children: list[object]) -> sp.Basic:
        return sp.Abs(value(children[1]))

    def evaluated(self, meta: Any, children: list[object]) -> sp.Basic:
        """\\left. f \\right|_{a = a_k}; without a subscript the bar is only a bracket."""
        where = children[3] if len(children) > 3 else None
        return evaluate(value(children[1]), list(where.pairs), at(meta)) if isinstance(where, EvalAt) \
            else value(children[1])

    def evalsub(self, meta: Any, children: list[object]) -> EvalAt:
        items = [c for c in children if not (isinstance(c, Token) and c.type == "COMMA")]
        pairs = []
        for n in range(0, len(items), 3):
            if str(items[n + 1]) != "=":
                raise Misread(f"{items[n + 1]} under an evaluation bar: write |_{{a = a_k}}", at(meta))
            pairs.append((value(items[n]), value(items[n + 2])))
        return EvalAt(tuple(pairs), at(meta))

    def hat(self, meta: Any, children: list[object]) -> Named:
        inner = children[-1]
        if not isinstance(inner, Named) or inner.name not in HATTED:
            name = inner.name if isinstance(inner, Named) else "this"
            if name == "t":
                raise Misread("\\hat{t}: the targets t are data and take no hat; the prediction is y", at(meta))
            raise Misread(f"a hat on {name}: derive reads \\hat{{y}} (the output) and \\hat{{\\sigma}}, \\hat{{w}} "
                          "(the estimates)", at(meta))
        return inner

    def boxed(self, meta: Any, children: list[object]) -> object:
        return children[-1]

    def boxed_chain(self, meta: Any, children: list[object]) -> list[Link]:
        inner = next(c for c in children if isinstance(c, list))
        return inner + [c for c in children if isinstance(c, Link)]

    def euler(self, meta: Any, children: list[Token]) -> Named:
        return Named("e", at(meta))

    def maxmin(self, meta: Any, children: list[object]) -> sp.Basic:
        groups = next(c for c in children if isinstance(c, list))
        args = [a for g in groups for a in g]
        if len(groups) != 1 or len(args) < 2:
            raise Misread("\\max and \\min take two or more arguments: \\max(0, a)", at(meta))
        return (sp.Max if "max" in str(children[0]) else sp.Min)(*args)

    def softmax(self, meta: Any, children: list[object]) -> object:
        subs = [c for c in children if isinstance(c, Sub)]
        if len(children) == 3 and not subs:
            raise Misread("softmax takes its component below: softmax_k(a^{(L)})", at(meta))
        groups = children[-1]
        if not isinstance(groups, list) or len(groups) != 1 or len(groups[0]) != 1:
            raise Misread("softmax takes one argument, the vector a^{(L)} or its entry a_k^{(L)}", at(meta))
        arg = groups[0][0]
        if subs or isinstance(arg, sp.Indexed):
            return self.softmax_value(arg, subs[0] if subs else None, at(meta))
        return SoftmaxOf(arg, at(meta))

    def softmax_value(self, arg: sp.Basic, sub: Sub | None, pos: int) -> sp.Basic:
        index = None
        if sub is not None:
            found = sub_indices(sub.elems, sub.pos)
            if len(found) != 1 or sub.lower is not None:
                raise Misread("softmax takes one component index", sub.pos)
            index = found[0]
        result, gap = softmax(arg, index, pos)
        self.implicit.append(gap)
        return result

    def cases(self, meta: Any, children: list[object]) -> sp.Basic:
        rows = [c for c in children if isinstance(c, tuple)]
        if rows[-1][1] is not sp.true and any(c is sp.true for _, c in rows):
            raise Misread("\\text{otherwise} belongs to the last case", at(meta))
        return sp.Piecewise(*rows)

    def case_row(self, meta: Any, children: list[object]) -> tuple[sp.Basic, sp.Basic]:
        return value(children[0]), next(c for c in children[1:] if isinstance(c, sp.Basic))

    def case_cond(self, meta: Any, children: list[object]) -> sp.Basic:
        words = " ".join(text_of(c) for c in children if isinstance(c, Token)).lower()
        links = next((c for c in children if isinstance(c, list)), None)
        if links is None:
            if words.replace(" ", "") in OTHERWISE or words in OTHERWISE:
                return sp.true
            raise Misread(f"a case's condition {words!r}: write \\text{{otherwise}} or a relation", at(meta))
        if words not in IF:
            raise Misread(f"{words!r} before a case's condition: write \\text{{if }} a > 0", at(meta))
        return condition(links, at(meta))


def estimate_label(head: Named, script: object) -> bool:
    """σ_{ML}, σ_{\\text{ML}}, σ^{\\text{ML}}, w_{ML}: the estimate, which the exercise's σ and w are."""
    if head.name not in ("sigma", "w"):
        return False
    if isinstance(script, (SubLabel, SupText)):
        return script.label in ESTIMATES
    if isinstance(script, Sub) and script.lower is None:
        return "".join(str(e) for e in script.elems) in ESTIMATES and all(
            getattr(e, "type", None) == "LETTER" for e in script.elems)
    return False
