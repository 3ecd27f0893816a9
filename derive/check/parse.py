"""Read a student's typed LaTeX answer into equation chains of SymPy objects (grammar.lark, LALR).

Nothing of the input is ever evaluated as code: the grammar knows a fixed set of commands,
anything else stops the parse with a caret under it. Input over MAX_CHARS characters, or
nested deeper than MAX_DEPTH brackets, is refused before lark runs.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import sympy as sp
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_interactive_parser import InteractiveParser

from derive.check.answer import Answer, Equation, ParseError
from derive.check.calculus import unfilled
from derive.check.conditions import is_condition, runs_on, through
from derive.check.names import DOTS, Misread
from derive.check.pieces import Link, Row, Signed, value
from derive.check.transform import ToSympy

MAX_CHARS = 20_000
MAX_DEPTH = 50  # brackets, braces and parentheses
MAX_TREE = 220  # levels of the parse tree: 50 nested h_l(...) take 205; prefix operators nest without brackets
OPEN, CLOSE = "{([", "})]"
PREFIX = {"bigop", "func", "dop", "nabla", "applied", "frac", "sqrt"}
NAMES = {"$END": "the end", "RBRACE": "'}'", "RPAR": "')'", "RBRACK": "']'", "LBRACE": "'{'", "RNORM": "'\\|'",
         "RABS": "'|'", "LABS": "'|'", "EVALBAR": "'|'", "CLOSEBAR": "'|'", "BAR": "'|'"}
BARS = ("PIPE", "RIGHTBAR")  # |, \vert, \rvert, \right|, \Big|: decided by `bar`
ENDS = re.compile(r"\s*($|[=&,.;$]|\\\\|\\end|\\\]|\\right|\\tag|\\q?quad|\\[lg]e)")  # a bar here closes


class StateDecided:
    """The contextual lexer must always accept NL and NORM: `read` decides them from the parser state."""

    always_accept = ("NL", "NORM", "QUAD", "PIPE", "RIGHTBAR", "MID", "LVERT", "DOTDOT")

    def process(self, stream):  # type: ignore[no-untyped-def]
        return stream


@lru_cache(maxsize=1)
def parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", postlex=StateDecided(), propagate_positions=True,
                maybe_placeholders=False)


def parse(text: str) -> Answer:
    """The answer as a tuple of equations; a ParseError (with `caret()`) where it cannot be read."""
    refuse_early(text)
    tree = read(text)
    refuse_deep(tree, text)
    builder = ToSympy()
    try:
        pieces = builder.transform(tree)
        equations = assemble(pieces)
    except VisitError as e:
        raise as_parse_error(e.orig_exc, text, e.obj) from None
    except Misread as e:
        raise ParseError(e.message, text, e.pos) from None
    except RecursionError:
        raise ParseError(f"nested deeper than derive reads ({MAX_DEPTH} levels)", text, 0) from None
    if not equations:
        raise ParseError("no formula found", text, 0)
    for eq in equations:
        for side in eq.sides + tuple(s for c in eq.conditions for s in c.sides):
            left = unfilled(side)
            if left is not None:
                raise ParseError(left.message, text, left.pos)
    return Answer(text, tuple(equations), tuple(builder.implicit))


def refuse_early(text: str) -> None:
    """Too long, too deep or unbalanced: refused with a caret before the parser starts."""
    if len(text) > MAX_CHARS:
        raise ParseError(f"the answer has {len(text):,} characters; derive reads at most {MAX_CHARS:,}",
                         text, MAX_CHARS)
    stack: list[int] = []
    for pos, c in enumerate(text):
        if c in OPEN and not (c == "{" and text[pos - 1:pos] == "\\"):
            stack.append(pos)
            if len(stack) > MAX_DEPTH:
                raise ParseError(f"nested deeper than {MAX_DEPTH} brackets", text, pos)
        elif c in CLOSE and not (c == "}" and text[pos - 1:pos] == "\\"):
            if not stack:
                raise ParseError(f"{c!r} closes nothing", text, pos)
            opened = text[stack.pop()]
            if (opened == "{") != (c == "}"):  # ( and [ may pair with ] and ), braces only with braces
                raise ParseError(f"{c!r} closes {opened!r}", text, pos)
    if stack:
        raise ParseError(f"{text[stack[-1]]!r} is never closed", text, stack[-1])


def read(text: str) -> Tree:
    """LALR parse, token by token: NL, QUAD, NORM, the bars and .. are decided by what the parser can take next."""
    lark = parser()
    ip = lark.parse_interactive(text)
    display = 0  # inside $$...$$, \[...\] or an environment a newline is a space, as in LaTeX
    try:
        for token in ip.lexer_thread.lex(ip.parser_state):
            display = math_depth(display, token)
            if token.type == "NL" and (display or not takes(ip, "NL")):
                continue  # a line break inside a formula
            if token.type == "QUAD":  # \quad between two formulas parts a condition off: y = h(a) \quad l = 1
                if not takes(ip, "AMP"):
                    continue
                token = Token.new_borrow_pos("AMP", token.value, token)
            if token.type == "DOTDOT" and not takes(ip, "DOTDOT"):  # b... ends a sentence: periods
                for _ in token.value:
                    ip.feed_token(Token.new_borrow_pos("PERIOD", ".", token))
                continue
            if token.type == "NORM":
                token = Token.new_borrow_pos("RNORM" if takes(ip, "RNORM") else "LNORM", token.value, token)
            elif token.type in BARS or token.type in ("MID", "LVERT"):
                kind = {"MID": "BAR", "LVERT": "LABS"}.get(token.type) or bar(ip, text, token)
                token = Token.new_borrow_pos(kind, token.value, token)
            ip.feed_token(token)
        return ip.feed_eof()
    except UnexpectedInput as e:
        raise lark_error(e, text) from None


def bar(ip: InteractiveParser, text: str, token: Token) -> str:
    """A bar's part: |_{a = a_k} evaluates, \\left. ... \\right| closes, |x| closes or opens, p(t | x) conditions."""
    end = token.end_pos if token.end_pos is not None else len(text)
    if re.match(r"\s*_", text[end:]):
        for kind in ("CLOSEBAR", "EVALBAR"):
            if takes(ip, kind):
                return kind
    for kind in ("RABS", "BAR", "CLOSEBAR"):
        if takes(ip, kind):
            return kind
    return "EVALBAR" if ENDS.match(text, end) and takes(ip, "EVALBAR") else "LABS"


def math_depth(depth: int, token: Token) -> int:
    """How deep inside math delimiters the token leaves us; $ and $$ open and close alike."""
    if token.type in ("MATHOPEN", "BEGIN"):
        return depth + 1
    if token.type in ("MATHCLOSE", "END"):
        return max(depth - 1, 0)
    if token.type == "DOLLAR":
        return 0 if depth else 1
    return depth


def takes(ip: InteractiveParser, kind: str) -> bool:
    """Would the parser shift a token of this kind now? The table's reductions are followed on a
    copy of the state stack: a reduction the table offers may still end where the token fails."""
    table = ip.parser_state.parse_conf.parse_table
    stack = list(ip.parser_state.state_stack)
    while True:
        action, rule = table.states[stack[-1]].get(kind, (None, None))
        if action is None:
            return False
        if action is Shift:
            return True
        if rule.expansion:
            del stack[-len(rule.expansion):]
        stack.append(table.states[stack[-1]][rule.origin.name][1])


def lark_error(e: UnexpectedInput, text: str) -> ParseError:
    """One line a student can act on, and lark's own caret."""
    at_end = isinstance(e, UnexpectedToken) and e.token.type == "$END"
    pos = len(text) if at_end or e.pos_in_stream is None or e.pos_in_stream < 0 else e.pos_in_stream
    if isinstance(e, UnexpectedCharacters):
        command = re.match(r"\\[A-Za-z]+|\\.", text[pos:])
        if command and command.group() in ("\\begin", "\\end"):
            env = re.match(r"\\(begin|end)\s*\{([^}]*)\}", text[pos:])
            message = f"environment {env.group(2) if env else '?'!r} is not read (align, aligned, gather, equation are)"
        elif command and command.group() == "\\operatorname":
            name = re.match(r"\\operatorname\s*\{([^{}]*)\}", text[pos:])
            message = f"unknown function {name.group(1) if name else '?'!r}: derive reads softmax, tanh, exp, log, ReLU"
        elif command:
            message = f"unknown command {command.group()}: derive reads the exercise's notation only"
        else:
            message = f"unexpected character {text[pos]!r}"
    elif isinstance(e, UnexpectedToken):
        kind = e.token.type
        message = "the formula ends too early" if kind == "$END" else f"cannot read {NAMES.get(kind, repr(str(e.token)))} here"
    else:
        message = "cannot read this"
    shown = e.get_context(text) if 0 <= pos < len(text) else None
    return ParseError(message, text, pos, shown)


def refuse_deep(tree: Tree, text: str) -> None:
    """Prefix operators (\\log \\log ..., \\sum \\sum ...) nest without brackets: bound them too."""
    level = [(tree, 1, 0)]
    while level:
        node, depth, ops = level.pop()
        ops += node.data in PREFIX
        if depth > MAX_TREE or ops > MAX_DEPTH:
            pos = getattr(node.meta, "start_pos", 0) or 0
            raise ParseError(f"operators nested more than {MAX_DEPTH} deep", text, pos)
        level.extend((c, depth + 1, ops) for c in node.children if isinstance(c, Tree))


def as_parse_error(exc: BaseException, text: str, node: object) -> ParseError:
    if isinstance(exc, Misread):
        return ParseError(exc.message, text, exc.pos)
    pos = getattr(getattr(node, "meta", None), "start_pos", 0) or 0
    first = str(exc).strip().splitlines()
    return ParseError(f"cannot build this: {first[-1] if first else type(exc).__name__}", text, pos)


# --- rows -> equations ------------------------------------------------------------------------
def assemble(pieces: list[object]) -> list[Equation]:
    """Rows between separators -> equations: '= c' and '+ c' rows continue the row above,
    'a, \\ldots, b' is one enumeration, an &-cell that starts anew is a side condition."""
    rows: list[tuple[Row, str | None, list[object]]] = []  # each row, "COMMA" if commas alone part it, the separators
    seps: list[object] = []
    for p in pieces:
        if isinstance(p, Row):
            rows.append((p, "COMMA" if {str(getattr(t, "type", "")) for t in seps} == {"COMMA"} else None, seps))
            seps = []
        else:
            seps.append(p)
    equations: list[Equation] = []
    n = 0
    while n < len(rows):
        row, before, between = rows[n]
        if is_dots(row) and before == "COMMA" and equations and n + 1 < len(rows) and rows[n + 1][1] == "COMMA":
            equations[-1] = enumerate_to(equations[-1], rows[n + 1][0])
            n += 2
            continue
        links, conditions = split_cells(row)
        n += 1
        if not links:
            continue  # a row of empty &-cells
        eq = equation(links, conditions, row)
        prev = equations[-1] if equations else None
        if prev is not None and links[0].relation is None and runs_on(prev, eq.sides, between):
            equations[-1] = through(prev, eq.sides[0])  # j = 1..K: the periods are a range
        elif prev is not None and links[0].relation is None and is_condition(eq, prev, between):
            equations[-1] = replace(prev, conditions=prev.conditions + (eq,))
        elif equations and (links[0].relation is not None or (len(links) == 1 and isinstance(links[0].side, Signed))):
            equations[-1] = continue_with(equations[-1], eq, links)
        else:
            if links[0].relation is not None:
                raise Misread(f"a row starts with {links[0].relation} but nothing stands before it", links[0].pos)
            equations.append(eq)
    return equations


def is_dots(row: Row) -> bool:
    return len(row.cells) == 1 and len(row.cells[0]) == 1 and row.cells[0][0].side == DOTS


def split_cells(row: Row) -> tuple[list[Link], list[list[Link]]]:
    links: list[Link] = []
    conditions: list[list[Link]] = []
    for cell in (c for c in row.cells if c):
        if cell[0].relation is not None or not links:
            (conditions[-1] if conditions else links).extend(cell)
        else:
            conditions.append(list(cell))
    return links, conditions


def equation(links: list[Link], conditions: list[list[Link]], row: Row) -> Equation:
    return Equation(tuple(value(l.side) for l in links), tuple(l.relation for l in links[1:] if l.relation),
                    row.tag, tuple(equation(c, [], Row((), None, row.pos)) for c in conditions), links[0].pos)


def continue_with(prev: Equation, eq: Equation, links: list[Link]) -> Equation:
    if links[0].relation is not None:
        sides, relations = prev.sides + eq.sides, prev.relations + (links[0].relation,) + eq.relations
    else:
        sides, relations = prev.sides[:-1] + (prev.sides[-1] + eq.sides[0],), prev.relations
    return Equation(sides, relations, eq.tag or prev.tag, prev.conditions + eq.conditions, prev.pos)


def enumerate_to(prev: Equation, last: Row) -> Equation:
    """x = 1, \\ldots, L: the last side of the equation (or its last condition) becomes (1, ..., L)."""
    end = value(last.cells[0][0].side) if last.cells and last.cells[0] else DOTS
    tag = prev.tag or last.tag
    if prev.conditions:
        c = prev.conditions[-1]
        cond = Equation(c.sides[:-1] + (sp.Tuple(c.sides[-1], DOTS, end),), c.relations, c.tag, (), c.pos)
        return Equation(prev.sides, prev.relations, tag, prev.conditions[:-1] + (cond,), prev.pos)
    return Equation(prev.sides[:-1] + (sp.Tuple(prev.sides[-1], DOTS, end),), prev.relations, tag,
                    prev.conditions, prev.pos)
