"""An activation typed as `NAME=EXPR`: parsed by a lark grammar into a tree of our own, never evaluated as code.

The tree (`Node`) has two readings that share nothing but the grammar:
- `to_sympy`: the SymPy formula that the engine differentiates (h' = dh/da);
- `evaluate`: an interpreter on dual numbers (value, derivative) in mpmath or Fractions,
  the independent h and h' that the registry checks SymPy's against.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import sympy as sp
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from derive.core.errors import DeriveError

MAX_LENGTH = 400  # characters of EXPR
MAX_DEPTH = 30  # nested brackets
MAX_EXPONENT = 64  # |n| in u^n
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
VARIABLE = "a"
CONSTANTS = {"pi", "e"}
# function -> number of arguments (None: two or more)
FUNCTIONS: dict[str, int | None] = {
    "exp": 1, "log": 1, "ln": 1, "sqrt": 1, "tanh": 1, "sinh": 1, "cosh": 1, "sigmoid": 1, "softplus": 1,
    "erf": 1, "Phi": 1, "abs": 1, "max": None, "min": None, "Piecewise": None}
RATIONAL = {"abs", "max", "min", "Piecewise"}  # functions that keep rationals rational


@dataclass(frozen=True)
class Node:
    """op: 'num' (value), 'var', 'const' (name), '+', '-', '*', '/', '^', 'neg', a function name,
    'piece' (expr, condition), 'cmp' (relation, left, right), 'true'."""

    op: str
    args: tuple[Node, ...] = ()
    value: Fraction | str | None = None


class Build(Transformer[Token, Node]):
    """Parse tree -> Node; unknown names and wrong argument counts raise DeriveError."""

    def number(self, items: list[Token]) -> Node:
        text = str(items[0])
        if len(text) > 30:
            raise DeriveError(f"the number {text[:20]}... has too many digits")
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > 30:
            raise DeriveError(f"the number {text} is out of range (exponent beyond 30)")
        return Node("num", value=Fraction(mantissa if mantissa != "." else "0") * Fraction(10) ** int(exponent or 0))

    def name(self, items: list[Token]) -> Node:
        text = str(items[0])
        if text == VARIABLE:
            return Node("var")
        if text in CONSTANTS:
            return Node("const", value=text)
        if text in FUNCTIONS:
            raise DeriveError(f"{text} is a function: write {text}(...)")
        raise DeriveError(f"unknown name {text!r}: the variable is a; constants pi, e; "
                          f"functions {', '.join(FUNCTIONS)}")

    def call(self, items: list[Any]) -> Node:
        fn, args = str(items[0]), tuple(items[1])
        if fn not in FUNCTIONS:
            raise DeriveError(f"unknown function {fn!r}; choose from: {', '.join(FUNCTIONS)}")
        want = FUNCTIONS[fn]
        pieces = [arg.op == "piece" for arg in args]
        if fn == "Piecewise":
            if not all(pieces) or args[-1].args[1].op != "true":
                raise DeriveError("Piecewise takes pairs (expression, condition), the last one (expression, True)")
        elif any(pieces):
            raise DeriveError(f"a pair (expression, condition) is an argument of Piecewise only, not of {fn}")
        if want is not None and len(args) != want:
            raise DeriveError(f"{fn} takes {want} argument{'s' if want > 1 else ''}, got {len(args)}")
        if want is None and fn != "Piecewise" and len(args) < 2:
            raise DeriveError(f"{fn} takes two or more arguments, got {len(args)}")
        return Node(fn, args)

    def arguments(self, items: list[Node]) -> list[Node]:
        return items

    def piece(self, items: list[Node]) -> Node:
        return Node("piece", (items[0], items[1]))

    def compare(self, items: list[Any]) -> Node:
        return Node("cmp", (items[0], items[2]), value=str(items[1]))

    def otherwise(self, items: list[Token]) -> Node:
        return Node("true")

    def add(self, items: list[Node]) -> Node:
        return Node("+", (items[0], items[-1]))

    def sub(self, items: list[Node]) -> Node:
        return Node("-", (items[0], items[-1]))

    def mul(self, items: list[Node]) -> Node:
        return Node("*", (items[0], items[-1]))

    def div(self, items: list[Node]) -> Node:
        return Node("/", (items[0], items[-1]))

    def pow(self, items: list[Node]) -> Node:
        return Node("^", (items[0], items[-1]))

    def neg(self, items: list[Node]) -> Node:
        return Node("neg", (items[0],))


@cache
def parser() -> Lark:
    grammar = (Path(__file__).parent / "expression.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr")


def parse(text: str) -> Node:
    """EXPR -> Node; one DeriveError line for anything that is not a formula in a."""
    if len(text) > MAX_LENGTH:
        raise DeriveError(f"the activation's formula has {len(text)} characters; at most {MAX_LENGTH}")
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth > MAX_DEPTH:
            raise DeriveError(f"the activation's formula nests brackets deeper than {MAX_DEPTH}")
    try:
        tree = parser().parse(text)
        node = Build().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, DeriveError):
            raise exc.orig_exc from None
        raise
    except UnexpectedEOF:
        raise DeriveError(f"the formula {text!r} ends too early") from None
    except (UnexpectedCharacters, UnexpectedToken) as exc:
        where = getattr(exc, "column", "?")
        at = exc.pos_in_stream or 0
        got = exc.token if isinstance(exc, UnexpectedToken) else text[at:at + 1]
        raise DeriveError(f"cannot read the formula {text!r} at column {where} ({str(got) or 'end'!r}): "
                          f"write plain maths in a, e.g. a*sigmoid(a)") from None
    except UnexpectedInput:
        raise DeriveError(f"cannot read the formula {text!r}: write plain maths in a") from None
    check_powers(node)
    if not uses_variable(node):
        raise DeriveError(f"the formula {text!r} does not use a: an activation is a function of a")
    return node


def check_powers(node: Node) -> None:
    """u^n needs a number n of size at most MAX_EXPONENT, or a base that is a positive number."""
    if node.op == "^":
        base, power = node.args
        if power.op == "num" and abs(power.value) > MAX_EXPONENT:  # type: ignore[arg-type]
            raise DeriveError(f"the power {power.value} is larger than {MAX_EXPONENT}")
        if power.op != "num" and uses_variable(power) and not (base.op == "const" or base.op == "num"):
            raise DeriveError("a power whose exponent depends on a needs a constant base, e.g. 2^a or e^a")
    for arg in node.args:
        check_powers(arg)


def uses_variable(node: Node) -> bool:
    return node.op == "var" or any(uses_variable(arg) for arg in node.args)


def is_rational(node: Node) -> bool:
    """Rationals map to rationals: +, -, *, /, integer powers, abs, max, min, Piecewise, no constants."""
    if node.op == "const" or (node.op not in RATIONAL and node.op in FUNCTIONS):
        return False
    if node.op == "^" and not (node.args[1].op == "num" and node.args[1].value.denominator == 1):  # type: ignore[union-attr]
        return False
    return all(is_rational(arg) for arg in node.args)


def split(text: str) -> tuple[str, str]:
    """'NAME=EXPR' -> (NAME, EXPR), NAME a letter then letters, digits or _."""
    name, _, expr = text.partition("=")
    name = name.strip()
    if not NAME.fullmatch(name):
        raise DeriveError(f"--activation {text!r}: NAME=EXPR needs a NAME of letters, digits and _ "
                          f"(starting with a letter)")
    if not expr.strip():
        raise DeriveError(f"--activation {text!r}: the formula after = is empty")
    return name, expr.strip()


# --- reading 1: SymPy ----------------------------------------------------------------------------
def to_sympy(node: Node, a: sp.Symbol) -> Any:
    """The SymPy object of the tree, built constructor by constructor."""
    args = [to_sympy(arg, a) for arg in node.args]
    op = node.op
    if op == "num":
        return sp.Rational(node.value.numerator, node.value.denominator)  # type: ignore[union-attr]
    if op == "var":
        return a
    if op == "const":
        return sp.pi if node.value == "pi" else sp.E
    simple = {"+": sp.Add, "*": sp.Mul, "^": sp.Pow, "exp": sp.exp, "log": sp.log, "ln": sp.log,
              "sqrt": sp.sqrt, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "erf": sp.erf,
              "abs": sp.Abs, "max": sp.Max, "min": sp.Min}
    if op in simple:
        return simple[op](*args)
    if op == "-":
        return sp.Add(args[0], sp.Mul(-1, args[1]))
    if op == "/":
        return sp.Mul(args[0], sp.Pow(args[1], -1))
    if op == "neg":
        return sp.Mul(-1, args[0])
    if op == "sigmoid":
        return 1 / (1 + sp.exp(-args[0]))
    if op == "softplus":
        return sp.log(1 + sp.exp(args[0]))
    if op == "Phi":  # the standard normal distribution function
        return (1 + sp.erf(args[0] / sp.sqrt(2))) / 2
    if op == "piece":
        return tuple(args)
    if op == "cmp":
        relation = {">": sp.StrictGreaterThan, "<": sp.StrictLessThan, ">=": sp.GreaterThan, "<=": sp.LessThan}
        return relation[str(node.value)](*args)
    if op == "true":
        return sp.true
    if op == "Piecewise":
        return sp.Piecewise(*args)
    raise AssertionError(op)
