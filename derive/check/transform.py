"""The meaning of grammar.lark: one Transformer method per rule, a few lines each, building SymPy."""
from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Token, v_args

from derive.check import calculus as calc
from derive.check.answer import Implicit
from derive.check.constructs import Constructs, EvalAt, SoftmaxOf, estimate_label
from derive.check.heads import apply, raise_to
from derive.check.limits import norm_value
from derive.check.names import DOTS, NABLA, Misread, Named, greek_name
from derive.check.pieces import (
    Div,
    Factors,
    Link,
    Norm,
    Paren,
    Part,
    Partial,
    Row,
    Signed,
    Sub,
    Sup,
    attach,
    product,
    value,
)
from derive.check.ranges import Between, InSub, limits
from derive.check.scripts import SubLabel, at, is_token

FUNCS = {"log": sp.log, "ln": sp.log, "exp": sp.exp, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
         "sin": sp.sin, "cos": sp.cos, "sech": sp.sech, "relu": lambda x: sp.Max(0, x)}
MAX_DIGITS = 30


def func_name(token: object) -> str:
    r"""\log, log, \log_e, \operatorname{tanh}, \mathrm{ReLU} -> a key of FUNCS."""
    return re.sub(r"\\(operatorname|mathrm|text|textrm)\s*\{\s*|\s*\}$|\s*_.*$|\\", "", str(token).strip()).lower()


@v_args(meta=True)
class ToSympy(Constructs):
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
        for n, c in enumerate(children[1:], 1):
            if isinstance(c, Div):
                acc, factors = self.divide(acc, factors, c, at(meta))
            elif is_token(c, "EVALBAR"):  # the bar evaluates the product before it
                where = children[n + 1] if n + 1 < len(children) else None
                acc, factors = product([value(acc)] + factors, at(meta)), []
                if isinstance(where, EvalAt):
                    acc = calc.evaluate(acc, list(where.pairs), where.pos)
            elif not isinstance(c, EvalAt):
                factors.append(value(c))
        return product([value(acc)] + factors, at(meta)) if factors else acc

    def divide(self, acc: object, factors: list[sp.Basic], c: Div, pos: int) -> tuple[object, list[sp.Basic]]:
        """acc / divisor: a derivative where both are differentials (∂E/∂w, dE/dw, ∂/∂w E), else a quotient."""
        num, den = calc.diff(acc), calc.diff(c.divisor)
        then = None if c.then is None else value(c.then)
        if num is not None and den is not None and calc.usable(num, den):
            op = calc.operator(num, den, then)
            if op is not None:
                return op, factors
            return calc.derivative(num, den), factors + ([then] if then is not None else [])
        quotient = product(factors + [value(acc)], pos) / value(c.divisor)
        return quotient, [then] if then is not None else []

    def div(self, meta: Any, children: list[object]) -> Div:
        return Div(children[1], children[2] if len(children) > 2 else None, at(meta))

    def part(self, meta: Any, children: list[object]) -> object:
        return children[0] if len(children) == 1 else Part(children[0], children[1])

    def product(self, meta: Any, children: list[object]) -> object:
        items = [i for c in children for i in (c.items if isinstance(c, Factors) else (c,))]
        return children[0] if len(children) == 1 else Factors(tuple(items), at(meta))

    def body(self, meta: Any, children: list[object]) -> sp.Basic:
        body = value(children[-1])
        return -body if len(children) == 2 and str(children[0]) in "-−" else body

    def bigop(self, meta: Any, children: list[object]) -> sp.Basic:
        sign, scripts, body = str(children[0]), children[1:-1], children[-1]
        cls, mark = (sp.Product, "Π") if "prod" in sign or sign == "∏" else (sp.Sum, "Σ")
        k, lower, upper, gap = limits(mark, scripts, body, at(meta))  # type: ignore[arg-type]
        if gap is not None:
            self.implicit.append(gap)
        return cls(body, (k, lower, upper))

    def func(self, meta: Any, children: list[object]) -> sp.Basic:
        power = value(children[1]) if len(children) > 2 else None
        return raise_to(self.func_value(FUNCS[func_name(children[0])], children[-1], at(meta)), power, at(meta))

    def func_value(self, f: Any, arg: object, pos: int) -> sp.Basic:
        items = arg.items if isinstance(arg, Factors) else (arg.factors.items if isinstance(arg, Part)
                                                            and isinstance(arg.factors, Factors) else ())
        if isinstance(arg, Paren):
            return f(arg.inner)
        if items and isinstance(items[0], Paren):  # \log(x) y: the bracket is the argument
            rest = [value(i) for i in items[1:]] + ([value(arg.prefix)] if isinstance(arg, Part) and arg.prefix else [])
            return f(items[0].inner) * product(rest, pos)
        return f(value(arg))

    def dop(self, meta: Any, children: list[object]) -> sp.Basic:
        r"""\frac{\partial}{\partial w} E, \frac{d}{dx} f, \frac{\partial^2}{\partial w^2} E."""
        op = str(children[0])
        order = re.search(r"\^\W*(\d)", op)
        straight = "partial" not in op
        num = calc.Diff(((),), (int(order.group(1)) if order else 1,), straight, at(meta))
        den = calc.diff(children[1])
        body = value(children[2]) if len(children) > 2 else None
        if den is None or not calc.usable(num, den):
            if straight:  # \frac{d}{D} x: the letter d
                return value(Named("d", at(meta))) ** num.orders[0] / value(children[1]) * (1 if body is None else body)
            raise Misread("\\frac{\\partial}{...} needs \\partial in the denominator too", at(meta))
        if body is None:
            raise Misread("\\frac{\\partial}{\\partial w} needs what it differentiates after it", at(meta))
        return calc.derivative(num, den, body)

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
        for s in scripts:
            if isinstance(s, (InSub, Between)) or (isinstance(s, Sub) and s.lower is not None
                                                   and not isinstance(head, Named)):
                raise Misread("a range belongs under \\sum or \\prod", getattr(s, "pos", at(meta)))
        if isinstance(head, Named):
            kept = [s for s in scripts if not estimate_label(head, s)]
            if any(isinstance(s, SubLabel) for s in kept):
                raise Misread("a word as a subscript: derive reads \\sigma_{\\text{ML}} only", at(meta))
            return attach(head, kept)
        if isinstance(head, Norm):
            return self.norm(head, scripts)
        if isinstance(head, SoftmaxOf):
            if len(scripts) != 1 or not isinstance(scripts[0], Sub):
                raise Misread("softmax(a) needs its component: softmax(a^{(L)})_k", head.pos)
            return self.softmax_value(head.arg, scripts[0], head.pos)
        if isinstance(head, Partial) and scripts:
            if len(scripts) != 1 or not isinstance(scripts[0], Sup):
                raise Misread("\\partial takes an order only, as \\partial^2 E", head.pos)
            return calc.higher(head, value(scripts[0].value))
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
        if isinstance(head, Partial):  # \partial (E \sigma^2): a differential of the bracket
            return Factors((head, Paren(raise_to(groups[0][0], power, at(meta)))), at(meta))
        return value(head) * raise_to(groups[0][0], power, at(meta))

    def call(self, meta: Any, children: list[object]) -> list[list[sp.Basic]]:
        return next(c for c in children if isinstance(c, list))

    def power(self, meta: Any, children: list[object]) -> sp.Basic:
        return value(children[-1])

    def args(self, meta: Any, children: list[object]) -> list[list[sp.Basic]]:
        return [c for c in children if isinstance(c, list)]

    def arg_list(self, meta: Any, children: list[object]) -> list[sp.Basic]:
        return [value(c) for c in children if not is_token(c, "COMMA")]

    def dotdot(self, meta: Any, children: list[object]) -> list[sp.Basic]:
        return [value(children[0]), DOTS, value(children[-1])]

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
        num, den = calc.diff(children[1]), calc.diff(children[2])
        if num is not None and den is not None and calc.usable(num, den):
            return calc.derivative(num, den)
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
