"""What a rule hands up before it is SymPy: scripts, brackets, products, signs, differentials, rows."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.check.heads import checked_number, named_value
from derive.check.names import Misread, Named


@dataclass(frozen=True)
class Sub:
    """_{...}: raw tokens (indices or a layer, as the head reads them) and a lower limit i=0."""

    elems: tuple[object, ...]
    lower: object | None
    pos: int


@dataclass(frozen=True)
class Sup:
    value: object
    pos: int


@dataclass(frozen=True)
class Layer:
    label: str | int
    pos: int


@dataclass(frozen=True)
class Prime:
    count: int
    pos: int


@dataclass(frozen=True)
class SupText:
    label: str
    pos: int


@dataclass(frozen=True)
class Paren:
    """(expr): kept apart so that \\log(x) y reads log(x) y."""

    inner: sp.Basic


@dataclass(frozen=True)
class Norm:
    """||v|| before its scripts: _2 and ^2 follow."""

    inner: sp.Basic
    pos: int


@dataclass(frozen=True)
class Partial:
    """The bare \\partial of a numerator or a denominator."""

    pos: int


@dataclass(frozen=True)
class Differential:
    """\\partial f (a numerator) or \\partial w \\partial v (a denominator)."""

    terms: tuple[sp.Basic, ...]
    pos: int


@dataclass(frozen=True)
class Factors:
    """Factors side by side (juxtaposition), not yet multiplied."""

    items: tuple[object, ...]
    pos: int


@dataclass(frozen=True)
class Part:
    """Factors followed by a prefix operator that takes the rest: a b \\sum_k ..."""

    factors: object | None
    prefix: object | None


@dataclass(frozen=True)
class Div:
    """/ divisor, then (optionally) a prefix that multiplies the quotient: 1/N \\sum_n ..."""

    divisor: object
    then: object | None
    pos: int


@dataclass(frozen=True)
class Signed:
    """An expression that began with + or -: a row holding only one continues the row above."""

    value: sp.Basic


@dataclass(frozen=True)
class Link:
    """One link of a chain: the relation before the side (None for the first side)."""

    relation: str | None
    side: object
    pos: int


@dataclass(frozen=True)
class Row:
    """One row between separators: its &-cells of links, and a tag."""

    cells: tuple[tuple[Link, ...], ...]
    tag: str | None
    pos: int


def value(x: object) -> sp.Basic:
    """Any piece as SymPy; a differential or a stray \\partial is an error at its position."""
    if isinstance(x, sp.Basic):
        return x
    if isinstance(x, Named):
        return named_value(x)
    if isinstance(x, (Paren, Signed)):
        return x.inner if isinstance(x, Paren) else x.value
    if isinstance(x, Factors):
        if any(isinstance(f, Partial) for f in x.items):
            raise Misread("\\partial outside a derivative: write \\frac{\\partial E}{\\partial w} "
                          "or \\partial E / \\partial w", x.pos)
        return product([value(f) for f in x.items], x.pos)
    if isinstance(x, Part):
        return product([value(f) for f in (x.factors, x.prefix) if f is not None], 0)
    if isinstance(x, (Partial, Differential)):
        raise Misread("\\partial outside a derivative", x.pos)
    raise TypeError(f"not a piece: {x!r}")


def product(factors: list[sp.Basic], pos: int) -> sp.Basic:
    """Juxtaposed factors multiplied; a number past 10^60 is refused."""
    return checked_number(sp.Mul(*factors), pos) if factors else sp.Integer(1)


def differential(x: object) -> Differential | None:
    """\\partial E (numerator) or \\partial w \\partial v (denominator) as a Differential, else None."""
    if isinstance(x, Differential):
        return x
    if isinstance(x, Partial):
        return Differential((), x.pos)
    if isinstance(x, Part) and x.prefix is None:
        return differential(x.factors)
    if not isinstance(x, Factors) or not isinstance(x.items[0], Partial):
        return None
    terms: list[list[object]] = []
    for f in x.items:
        if isinstance(f, Partial):
            terms.append([])
        else:
            terms[-1].append(f)
    if any(not t for t in terms):
        raise Misread("\\partial of nothing", x.pos)
    return Differential(tuple(product([value(f) for f in t], x.pos) for t in terms), x.pos)


def derivative(num: Differential, den: Differential, body: sp.Basic | None = None) -> sp.Basic:
    """d num / d den: sp.Derivative, unevaluated, with respect to one entry (w_ji^(l), a_j)."""
    if body is None:
        if len(num.terms) != 1:
            raise Misread("one \\partial in a numerator, of one quantity", num.pos)
        body = num.terms[0]
    for v in den.terms:
        if not isinstance(v, (sp.Symbol, sp.Indexed)):
            raise Misread(f"derive differentiates by one quantity, such as w_{{ji}}^{{(l)}} or a_j, "
                          f"not by {v}", den.pos)
    if not den.terms:
        raise Misread("\\partial of nothing in a denominator", den.pos)
    return sp.Derivative(body, *den.terms)


def attach(head: Named, scripts: list[object]) -> Named:
    """A letter's scripts, in the order typed: w_{ji}^{(l)} and w^{(l)}_{ji} are one thing."""
    for s in scripts:
        if isinstance(s, Sub):
            if s.lower is not None:
                raise Misread("'=' in a subscript belongs under \\sum or \\prod", s.pos)
            head = head.add(sub=s.elems)
        elif isinstance(s, Sup):
            head = head.add(power=value(s.value))
        elif isinstance(s, Layer):
            head = head.add(layer=s.label)
        elif isinstance(s, Prime):
            head = head.add(primes=s.count)
        elif isinstance(s, SupText):
            head = head.add(label=s.label)
    return head
