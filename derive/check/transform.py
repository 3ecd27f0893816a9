"""The meaning of grammar.lark: one Transformer method per rule, a few lines each, building SymPy."""
from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Token, Transformer_NonRecursive, v_args

from derive.check.answer import Implicit
from derive.check.heads import apply, raise_to
from derive.check.limits import fill, norm_value
from derive.check.names import DOTS, NABLA, Misread, Named, greek_name, layer_name, sub_indices
from derive.check.pieces import Differential, Div, Factors, Layer, Link, Norm, Paren, Part, Partial, Prime, Row
from derive.check.pieces import Signed, Sub, Sup, SupText, attach, derivative, differential, product, value

FUNCS = {"log": sp.log, "ln": sp.log, "exp": sp.exp, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
         "sin": sp.sin, "cos": sp.cos}
MAX_DIGITS = 30
MAX_PRIMES = 4


def at(meta: Any) -> int:
    return int(getattr(meta, "start_pos", 0) or 0)


def is_token(x: object, kind: str | None = None) -> bool:
    return isinstance(x, Token) and (kind is None or x.type == kind)


@v_args(meta=True)
class ToSympy(Transformer_NonRecursive):
    """Tree -> rows of links of SymPy objects; `implicit` collects the limits it filled in."""

    def __init__(self) -> None:
        super().__init__()
        self.implicit: list[Implicit] = []

    # --- rows and chains --------------------------------------------------------------------
    def start(self, meta: Any, children: list[object]) -> list[object]:
        return children  # rows and the separator tokens between them

    def row(self, meta: Any, children: list[object]) -> Row:
        tag = next((str(c) for c in children if is_token(c, "TAG")), None)
        cells = tuple(tuple(c) for c in children if isinstance(c, list))
        return Row(cells, tag and re.sub(r"^\\tag\*?\s*\{|\}$|^\\q?quad\s*\(|\)$", "", tag).strip(), at(meta))

    def cell(self, meta: Any, children: list[object]) -> list[Link]:
        return next((c for c in children if isinstance(c, list)), [])

    def chain(self, meta: Any, children: list[object]) -> list[Link]:
        return [c if isinstance(c, Link) else Link(None, c, at(meta)) for c in children]

    def link(self, meta: Any, children: list[object]) -> Link:
        return Link(str(children[0]), children[1], at(meta))

    # --- sums, products, prefix operators ------------------------------------------------------
    def sum(self, meta: Any, children: list[object]) -> object:
        if len(children) == 1:
            return children[0]
        signed = is_token(children[0])
        terms, sign = [], "+"
        for c in children:
            if is_token(c):
                sign = str(c)
            else:
                terms.append(value(c) if sign == "+" else -value(c))
        total = sp.Add(*terms)
        return Signed(total) if signed else total

    def mul(self, meta: Any, children: list[object]) -> object:
        if len(children) == 1:
            return children[0]
        acc: object = children[0]
        factors: list[sp.Basic] = []  # multiplied once at the end: SymPy's Mul is not cheap
        for c in children[1:]:
            if isinstance(c, Div):
                num, den = differential(acc), differential(c.divisor)
                acc = derivative(num, den) if num is not None and den is not None else \
                    product(factors + [value(acc)], at(meta)) / value(c.divisor)
                factors = [] if num is None or den is None else factors
                if c.then is not None:
                    factors.append(value(c.then))
            else:
                factors.append(value(c))
        return product([value(acc)] + factors, at(meta)) if factors else acc

    def div(self, meta: Any, children: list[object]) -> Div:
        return Div(children[1], children[2] if len(children) > 2 else None, at(meta))

    def part(self, meta: Any, children: list[object]) -> object:
        return children[0] if len(children) == 1 else Part(children[0], children[1])

    def product(self, meta: Any, children: list[object]) -> object:
        return children[0] if len(children) == 1 else Factors(tuple(children), at(meta))

    def body(self, meta: Any, children: list[object]) -> sp.Basic:
        body = value(children[-1])
        return -body if len(children) == 2 and str(children[0]) in "-−" else body

    def bigop(self, meta: Any, children: list[object]) -> sp.Basic:
        sign, scripts, body = str(children[0]), children[1:-1], children[-1]
        cls, mark = (sp.Product, "Π") if "prod" in sign or sign == "∏" else (sp.Sum, "Σ")
        subs = [s for s in scripts if isinstance(s, Sub)]
        sups = [s for s in scripts if isinstance(s, Sup)]
        if len(subs) != 1 or len(sups) > 1 or len(subs) + len(sups) != len(scripts):
            raise Misread(f"{mark} needs one index below it, as in \\sum_k or \\sum_{{k=1}}^{{K}}", at(meta))
        index = sub_indices(subs[0].elems, subs[0].pos)
        if len(index) != 1 or not isinstance(index[0], sp.Symbol):
            raise Misread(f"{mark} over one index letter, as \\sum_{{k=1}}^{{K}}", subs[0].pos)
        k = index[0]
        lower = None if subs[0].lower is None else value(subs[0].lower)
        upper = value(sups[0].value) if sups else None
        if lower is None or upper is None:
            lower, upper, gap = fill(mark, k, body, lower, upper, at(meta))
            self.implicit.append(gap)
        return cls(body, (k, lower, upper))

    def func(self, meta: Any, children: list[object]) -> sp.Basic:
        f = FUNCS[str(children[0]).lstrip("\\")]
        arg = children[1]
        items = arg.items if isinstance(arg, Factors) else (arg.factors.items if isinstance(arg, Part)
                                                            and isinstance(arg.factors, Factors) else ())
        if isinstance(arg, Paren):
            return f(arg.inner)
        if items and isinstance(items[0], Paren):  # \log(x) y: the bracket is the argument
            rest = [value(i) for i in items[1:]] + ([value(arg.prefix)] if isinstance(arg, Part) and arg.prefix else [])
            return f(items[0].inner) * product(rest, at(meta))
        return f(value(arg))

    def dop(self, meta: Any, children: list[object]) -> sp.Basic:
        den = differential(children[1])
        if den is None:
            raise Misread("\\frac{\\partial}{...} needs \\partial in the denominator too", at(meta))
        return derivative(Differential((), at(meta)), den, children[2])  # type: ignore[arg-type]

    def nabla(self, meta: Any, children: list[object]) -> sp.Basic:
        subs, target = [s for s in children[1:-1] if isinstance(s, Sub)], value(children[-1])
        if len(subs) != len(children) - 2 or len(subs) > 1:
            raise Misread("\\nabla takes one subscript, the parameters: \\nabla_{\\mathbf{w}} E", at(meta))
        elems = subs[0].elems if subs else ()
        if any(not isinstance(e, Named) and getattr(e, "type", None) not in ("LETTER", "GREEK") for e in elems):
            raise Misread("\\nabla_{...} takes the names of the parameters, as \\nabla_{\\mathbf{w}}", at(meta))
        wrt = [e if isinstance(e, Named) else Named(greek_name(str(e)), at(meta)) for e in elems]
        return NABLA(target, *(value(w) for w in wrt))

    # --- factors ------------------------------------------------------------------------------
    def scripted(self, meta: Any, children: list[object]) -> object:
        head, scripts = children[0], children[1:]
        if isinstance(head, Named):
            return attach(head, scripts)
        if isinstance(head, Norm):
            return self.norm(head, scripts)
        if isinstance(head, Partial) and scripts:
            raise Misread("higher derivatives (\\partial^2) are not read yet", head.pos)
        for s in scripts:
            if not isinstance(s, Sup):
                raise Misread("a subscript, prime or layer label on a number or a bracket", at(meta))
            head = raise_to(value(head), value(s.value), at(meta))
        return head

    def norm(self, head: Norm, scripts: list[object]) -> sp.Basic:
        """||v||_2^2 = sum_k v_k^2 over the components (k = 1..K, recorded as implicit)."""
        subs = [s for s in scripts if isinstance(s, Sub)]
        sups = [s for s in scripts if isinstance(s, Sup)]
        if len(subs) > 1 or len(sups) > 1 or len(subs) + len(sups) != len(scripts) or \
                (subs and [str(t) for t in subs[0].elems] != ["2"]):
            raise Misread("derive reads the 2-norm ||v||_2, squared or not", head.pos)
        power = value(sups[0].value) if sups else sp.Integer(1)
        result, gap = norm_value(head.inner, power, head.pos)
        if gap is not None:
            self.implicit.append(gap)
        return result

    def applied(self, meta: Any, children: list[Any]) -> sp.Basic:
        head, groups = children[0], children[1]
        power = value(children[2]) if len(children) > 2 else None
        if isinstance(head, Named):
            return apply(head, groups, power, at(meta))
        if len(groups) != 1 or len(groups[0]) != 1:
            raise Misread("a bracket of several arguments after something that is no function", at(meta))
        return value(head) * raise_to(groups[0][0], power, at(meta))

    def call(self, meta: Any, children: list[object]) -> list[list[sp.Basic]]:
        return next(c for c in children if isinstance(c, list))

    def power(self, meta: Any, children: list[object]) -> sp.Basic:
        return value(children[-1])

    def args(self, meta: Any, children: list[object]) -> list[list[sp.Basic]]:
        return [c for c in children if isinstance(c, list)]

    def arg_list(self, meta: Any, children: list[object]) -> list[sp.Basic]:
        return [value(c) for c in children if not is_token(c, "COMMA")]

    # --- primaries ----------------------------------------------------------------------------
    def letter(self, meta: Any, children: list[Token]) -> Named:
        return Named(str(children[-1]), at(meta))

    def greek(self, meta: Any, children: list[Token]) -> Named:
        return Named(greek_name(str(children[-1])), at(meta))

    def bold(self, meta: Any, children: list[object]) -> object:
        return children[-1]  # bold is a vector of the same name: y, t, x, w

    def calligraphic(self, meta: Any, children: list[Token]) -> Named:
        return Named(f"cal_{children[-1]}", at(meta))

    def number(self, meta: Any, children: list[Token]) -> sp.Basic:
        text = str(children[-1])
        if len(text) > MAX_DIGITS:
            raise Misread(f"a number of {len(text)} digits", at(meta))
        whole, _, decimals = text.partition(".")
        return sp.Rational(int(whole + decimals), 10 ** len(decimals))

    def digit(self, meta: Any, children: list[Token]) -> sp.Basic:
        """One digit as a TeX argument: \\frac12 is 1/2; \\frac123 would be (1/2) 3."""
        if len(str(children[-1])) != 1:
            raise Misread(f"write \\frac{{..}}{{{children[-1]}}} with braces", at(meta))
        return sp.Integer(int(str(children[-1])))

    def frac(self, meta: Any, children: list[object]) -> sp.Basic:
        num, den = differential(children[1]), differential(children[2])
        if num is not None and den is not None:
            return derivative(num, den)
        return value(children[1]) / value(children[2])

    def sqrt(self, meta: Any, children: list[object]) -> sp.Basic:
        inner = value(children[-1])
        return sp.root(inner, value(children[2])) if len(children) > 2 else sp.sqrt(inner)

    def paren(self, meta: Any, children: list[object]) -> object:
        groups = next(c for c in children if isinstance(c, list))
        if len(groups) != 1:
            raise Misread("'|' inside a bracket belongs to p(. | .) or \\mathcal{N}(. | .)", at(meta))
        return Paren(groups[0][0]) if len(groups[0]) == 1 else sp.Tuple(*groups[0])

    def norm_bars(self, meta: Any, children: list[object]) -> Norm:
        return Norm(value(children[1]), at(meta))

    def dots(self, meta: Any, children: list[Token]) -> sp.Basic:
        return DOTS

    def partial(self, meta: Any, children: list[Token]) -> Partial:
        return Partial(at(meta))

    def infinity(self, meta: Any, children: list[Token]) -> sp.Basic:
        return sp.oo

    # --- scripts ------------------------------------------------------------------------------
    def sub(self, meta: Any, children: list[object]) -> Sub:
        c = children[-1]
        return c if isinstance(c, Sub) else Sub((c,), None, at(meta))

    def sub_body(self, meta: Any, children: list[object]) -> Sub:
        if len(children) >= 2 and is_token(children[-2], "REL"):
            if str(children[-2]) != "=":
                raise Misread(f"{children[-2]} under a sum is not read yet: write its range", at(meta))
            return Sub(tuple(children[:-2]), children[-1], at(meta))
        return Sub(tuple(children), None, at(meta))

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

