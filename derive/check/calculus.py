"""Derivatives as students write them: with ∂ or d, of first or higher order, as a fraction, an operator or a slash.

\\frac{dE}{dw}, \\frac{d}{dx} f and d/dx f mean the ordinary derivative, which in this exercise
is the same as the partial one. A plain d is a differential only where both the numerator
and the denominator start with one (\\frac{d}{D} stays d/D); \\partial always is. Orders:
\\partial^2 E / \\partial w^2 and \\frac{\\partial^2 E}{\\partial a_j \\partial a_k}. The evaluation
bar [f]_{a = a_k} substitutes (derive.check.calculus.evaluate).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.check.names import Misread, Named
from derive.check.pieces import Factors, Part, Partial, product, value

MAX_ORDER = 4
SLOT = "slot|"
NOT_ONE = "derive differentiates by one quantity, such as w_{ji}^{(l)} or a_j, not by "


@dataclass(frozen=True)
class HigherPartial(Partial):
    """\\partial^2 (a numerator's order); a stray one is a stray \\partial."""

    order: int = 1


@dataclass(frozen=True)
class Diff:
    """The marks (∂, d) and what follows each: one segment in a numerator, one per variable below."""

    segments: tuple[tuple[object, ...], ...]
    orders: tuple[int, ...]
    straight: bool  # every mark a plain letter d
    pos: int


def higher(head: Partial, exponent: sp.Basic) -> HigherPartial:
    """\\partial^n for a small whole n."""
    if not (exponent.is_Integer and 1 <= int(exponent) <= MAX_ORDER):
        raise Misread(f"\\partial^{{{exponent}}}: derive reads derivatives of order 1 to {MAX_ORDER}", head.pos)
    return HigherPartial(head.pos, int(exponent))


def mark(x: object) -> tuple[int, bool] | None:
    """(order, straight) of a differential mark: \\partial, \\partial^2, d, d^2; else None."""
    if isinstance(x, Partial):
        return getattr(x, "order", 1), False
    if isinstance(x, Named) and x.name == "d" and x.sub is None and x.layer is None and not x.primes \
            and x.label is None:
        if x.power is None:
            return 1, True
        if x.power.is_Integer and 1 <= int(x.power) <= MAX_ORDER:
            return int(x.power), True
    return None


def diff(x: object) -> Diff | None:
    """A numerator or denominator that starts with a mark, split at its marks; else None."""
    if isinstance(x, Part):
        inner = diff(x.factors)
        if inner is None or x.prefix is None:
            return inner
        return Diff(inner.segments[:-1] + (inner.segments[-1] + (x.prefix,),), inner.orders, inner.straight, inner.pos)
    found = mark(x)
    if found is not None:
        return Diff(((),), (found[0],), found[1], getattr(x, "pos", 0))
    if not isinstance(x, Factors) or mark(x.items[0]) is None:
        return None
    segments: list[list[object]] = []
    orders: list[int] = []
    straight = first = bool(mark(x.items[0])[1])  # type: ignore[index]
    for f in x.items:
        m = mark(f)
        if m is not None and (first or not m[1]):  # a letter d after a \partial is a d
            segments.append([])
            orders.append(m[0])
            straight = straight and m[1]
        else:
            segments[-1].append(f)
    return Diff(tuple(tuple(s) for s in segments), tuple(orders), straight, x.pos)


def usable(num: Diff, den: Diff) -> bool:
    """A d-fraction is a derivative when every d below has its variable; a ∂ one always is (or is an error)."""
    if num.straight and den.straight:
        return all(den.segments) and len(num.segments) == 1
    return True


def variables(den: Diff) -> list[tuple[sp.Basic, int]]:
    """∂w ∂v^2 -> [(w, 1), (v, 2)]: what is differentiated by, and how often."""
    out: list[tuple[sp.Basic, int]] = []
    for segment, order in zip(den.segments, den.orders):
        if not segment:
            raise Misread("\\partial of nothing in a denominator", den.pos)
        if order != 1:
            raise Misread("an order belongs on the numerator's \\partial and the variable: \\partial^2 E / \\partial w^2",
                          den.pos)
        v = product([value(f) for f in segment], den.pos)
        n = 1
        if isinstance(v, sp.Pow) and v.exp.is_Integer and 1 <= int(v.exp) <= MAX_ORDER:
            v, n = v.base, int(v.exp)
        if isinstance(v, sp.IndexedBase):
            v = slot(v, den.pos)  # a placeholder until an evaluation bar fills it: \left. ∂E/∂a \right|_{a = a_k}
        if not isinstance(v, (sp.Symbol, sp.Indexed)):
            raise Misread(f"{NOT_ONE}{v}", den.pos)
        out.append((v, n))
    return out


def slot(base: sp.IndexedBase, pos: int) -> sp.Symbol:
    """∂/∂a for the vector a: a placeholder that only an evaluation bar may fill (see `unfilled`)."""
    return sp.Symbol(f"{SLOT}{base.label}|{pos}")


def unslot(expr: sp.Basic, base: sp.IndexedBase, s: sp.Symbol) -> sp.Basic:
    """The bare vector a (not its entries a_j) in expr, as the placeholder s."""
    if expr == base:
        return s
    if isinstance(expr, sp.Indexed) or not expr.args:
        return expr
    return expr.func(*(unslot(a, base, s) for a in expr.args))


def unfilled(expr: sp.Basic) -> Misread | None:
    """A derivative by a vector that no bar evaluated: ∂E/∂w is not a quantity of the exercise."""
    for s in sp.sympify(expr).atoms(sp.Symbol):
        if isinstance(s, sp.Symbol) and s.name.startswith(SLOT):
            _, label, pos = s.name.split("|")
            return Misread(f"{NOT_ONE}{label}", int(pos))
    return None


def derivative(num: Diff, den: Diff, body: sp.Basic | None = None) -> sp.Basic:
    """d^n f / dv_1 ... dv_m as an unevaluated sp.Derivative; the orders must agree."""
    if body is None:
        if len(num.segments) != 1 or not num.segments[0]:
            raise Misread("one \\partial in a numerator, of one quantity; a bracket after ∂/∂w: "
                          "write \\frac{\\partial}{\\partial w}(...)" if num.segments == ((),) else
                          "one \\partial in a numerator, of one quantity", num.pos)
        body = product([value(f) for f in num.segments[0]], num.pos)
    wrt = variables(den)
    order, below = sum(num.orders), sum(n for _, n in wrt)
    if order != below:
        raise Misread(f"a derivative of order {order} above and {below} below", num.pos)
    for v, _ in wrt:
        if v.name.startswith(SLOT) if isinstance(v, sp.Symbol) else False:
            body = unslot(sp.sympify(body), sp.IndexedBase(v.name.split("|")[1]), v)
    return sp.Derivative(body, *wrt)


def operator(num: Diff, den: Diff, then: sp.Basic | None) -> sp.Basic | None:
    """∂/∂a_j E or d/dx f(x): a bare mark over a denominator whose last segment carries the body."""
    if num.segments != ((),) or len(den.segments[-1]) < 2:
        return None
    last = den.segments[-1]
    head = Diff(den.segments[:-1] + (last[:1],), den.orders, den.straight, den.pos)
    rest = [value(f) for f in last[1:]] + ([then] if then is not None else [])
    return derivative(num, head, product(rest, den.pos))


def evaluate(expr: sp.Basic, pairs: list[tuple[sp.Basic, sp.Basic]], pos: int) -> sp.Basic:
    """[expr]_{a = a_k}: each quantity replaced by its value, a derivative's variable too."""
    expr = sp.sympify(expr)
    slots = [s for s in expr.atoms(sp.Symbol) if s.name.startswith(SLOT)]
    for lhs, rhs in pairs:
        if not isinstance(lhs, (sp.Symbol, sp.Indexed, sp.IndexedBase)):
            raise Misread(f"the bar substitutes for one quantity, as |_{{a = a_k}}, not for {lhs}", pos)
        if isinstance(lhs, sp.IndexedBase):
            for s in slots:
                if s.name.split("|")[1] == str(lhs.label):
                    expr = put(expr, s, rhs)
        expr = put(expr, lhs, rhs)
    return expr


def put(e: sp.Basic, old: sp.Basic, new: sp.Basic) -> sp.Basic:
    """e with old replaced by new: d h(a)/da at a = a_j is h'(a_j), at a_j + 1 a Subs; bound indices stay."""
    if e == old:
        return new
    if not e.args or (isinstance(e, sp.Indexed) and isinstance(old, sp.IndexedBase)):
        return e
    if isinstance(e, sp.Derivative) and old in e.variables:
        if isinstance(new, (sp.Symbol, sp.Indexed)):
            return sp.Derivative(put(e.expr, old, new), *((new if v == old else v, n) for v, n in e.variable_count))
        if isinstance(old, sp.Symbol) and old.name.startswith(SLOT):
            u = sp.Dummy("u")  # as the engine writes h'(a_j + 1)
            return sp.Subs(e.xreplace({old: u}), u, new)
        return sp.Subs(e, old, new)
    if isinstance(e, (sp.Sum, sp.Product)) and old in e.variables:
        return e
    return e.func(*(put(a, old, new) for a in e.args))
