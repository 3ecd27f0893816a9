"""Prose for the sheet: plain text with inline $...$ math, as rule names and statements are.

``prose`` turns such a string into LaTeX text: the math kept, everything else escaped, so
a rule name never breaks the document (``y_j`` outside math prints as y_j, not a subscript).
``md_prose`` does the same for Markdown: outside math, the characters Markdown would read
as markup (``*``, ``_`` that can delimit, `` ` ``, ``<``, ``~``, ...) are backslash-escaped;
inside math, ``\\{ \\}`` and ``\\|`` become ``\\lbrace \\rbrace`` and ``\\lVert \\rVert``, which
survive GitHub's Markdown-before-math rendering. ``readable`` turns a check's detail into
a clause: True/False in words, Python-like formulas (``sigma^2 = E/(D*N)``) as $...$ math.
"""
from __future__ import annotations

import re

TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "$": r"\$"}
UNICODE_MATH = {"σ": r"\sigma", "η": r"\eta", "δ": r"\delta", "Δ": r"\Delta", "∑": r"\sum",
                "≥": r"\geq", "≤": r"\leq", "→": r"\to", "×": r"\times", "·": r"\cdot",
                "∂": r"\partial", "∇": r"\nabla", "≠": r"\neq", "≈": r"\approx", "∈": r"\in"}
MD_ACTIVE = set("\\`*<~&$")  # [ ] are left alone: \[ would open display math in Jupyter
MD_LINE_START = re.compile(r"[#>+-]|\d+[.)](?=\s|$)")


def split_math(text: str) -> list[tuple[bool, str]]:
    """[(is_math, piece), ...]: the $...$ spans of a prose string and the text between them."""
    pieces = text.split("$")
    if len(pieces) % 2 == 0:  # an unpaired $: treat the whole string as text
        return [(False, text)]
    return [(n % 2 == 1, p) for n, p in enumerate(pieces) if p]


def escape_text(text: str) -> str:
    out = []
    for ch in text:
        if ch in TEX_SPECIALS:
            out.append(TEX_SPECIALS[ch])
        elif ch in UNICODE_MATH:
            out.append(f"${UNICODE_MATH[ch]}$")
        else:
            out.append(ch)
    return "".join(out)


def prose(text: str) -> str:
    """LaTeX for a prose string: $...$ kept as math, the rest escaped (no _ ^ & % # leak)."""
    return "".join(f"${p}$" if is_math else escape_text(p) for is_math, p in split_math(text))


# --- Markdown --------------------------------------------------------------------------------
def escape_markdown(text: str, at_line_start: bool = False) -> str:
    """`text` with every character Markdown could read as markup backslash-escaped."""
    out = []
    for n, ch in enumerate(text):
        inner = 0 < n < len(text) - 1 and text[n - 1].isalnum() and text[n + 1].isalnum()
        out.append(f"\\{ch}" if ch in MD_ACTIVE or (ch == "_" and not inner) else ch)
    escaped = "".join(out)
    start = MD_LINE_START.match(escaped) if at_line_start else None
    if start:  # a heading, quote, list item or numbered item if it began a line
        cut = start.end() - 1
        escaped = f"{escaped[:cut]}\\{escaped[cut:]}"
    return escaped


BRACE = re.compile(r"(?<!\\)((?:\\\\)*)\\([{}|])")


def portable_math(tex: str) -> str:
    """\\{ \\} \\| as \\lbrace \\rbrace \\lVert/\\rVert (alternating, or after \\left/\\right)."""
    bars = 0

    def name(match: re.Match[str]) -> str:
        nonlocal bars
        ch, before = match[2], tex[:match.start()]
        if ch == "|":
            opening = before.endswith("\\left") or (not before.endswith("\\right") and bars % 2 == 0)
            bars += 1
            word = "lVert" if opening else "rVert"
        else:
            word = "lbrace" if ch == "{" else "rbrace"
        after = tex[match.end():match.end() + 1]
        return f"{match[1]}\\{word}" + (" " if after.isalnum() else "")
    return BRACE.sub(name, tex)


def md_prose(text: str) -> str:
    """Markdown for a prose string: $...$ kept (made portable), the rest escaped."""
    return "".join(f"${portable_math(p)}$" if is_math else escape_markdown(p, at_line_start=n == 0)
                   for n, (is_math, p) in enumerate(split_math(text)))


# --- a check's detail as a clause --------------------------------------------------------------
WORDS = [(re.compile(r"\bis True\b"), "holds"), (re.compile(r"\bis False\b"), "fails"),
         (re.compile(r": True\b"), ": yes"), (re.compile(r": False\b"), ": no"),
         (re.compile(r"\bTrue\b"), "true"), (re.compile(r"\bFalse\b"), "false")]
GREEK = "alpha|beta|gamma|delta|epsilon|eta|theta|lambda|mu|pi|rho|sigma|tau|phi|omega"
FUNCS = {"log": r"\log", "exp": r"\exp", "max": r"\max", "min": r"\min",
         "argmax": r"\operatorname{argmax}", "argmin": r"\operatorname{argmin}"}
RELS = {"<=": r"\leq", ">=": r"\geq", "!=": r"\neq", "==": "=", "=": "=", "<": "<", ">": ">"}
TOKEN = re.compile(rf"""(?P<ws>[ ]+)|(?P<deriv>\bd/d[A-Za-z]\b)|(?P<big>\b(?:sum|prod)_[A-Za-z]\b)
    |(?P<func>\b(?:{'|'.join(FUNCS)})\b)|(?P<sym>\b(?:{GREEK}|[A-Za-z])(?:_[A-Za-z0-9]{{1,3}})?\b)
    |(?P<num>(?<![\w.])\d+(?:\.\d+)?\b)|(?P<rel><=|>=|!=|==|=|<|>)|(?P<op>\*\*|[-+*/^()])
    |(?P<other>.)""", re.VERBOSE | re.DOTALL)
ATTACHED = set(",;:()[]")  # what may touch a formula without a space between
BINARY = {"*", "**", "^", "/", "+"}


def readable(detail: str) -> str:
    """A check's detail as a clause: True/False in words, formulas in $...$ where safe."""
    out = []
    for is_math, piece in split_math(detail):
        if is_math:
            out.append(f"${piece}$")
            continue
        for pattern, word in WORDS:
            piece = pattern.sub(word, piece)
        out.append(formulas(piece))
    return "".join(out)


def formulas(text: str) -> str:
    """Each run of formula tokens that holds a relation or * ^ ** put in $...$ (if it is safe)."""
    out, run, start = [], [], 0
    for m in [*TOKEN.finditer(text), None]:
        if m is not None and m.lastgroup != "other":
            run.append((m.lastgroup or "", m.group()))
            continue
        end = m.start() if m is not None else len(text)
        out.append(as_math(run, text[:start], text[end:]))
        out.append(m.group() if m is not None else "")
        run, start = [], (m.end() if m is not None else len(text))
    return "".join(out)


def as_math(run: list[tuple[str, str]], before: str, after: str) -> str:
    """The run as text, its formula (if any) in $...$; `before`/`after`: the text around it."""
    i, j = 0, len(run)  # the formula is run[i:j]
    while i < j and (run[i][0] in ("ws", "rel") or run[i][1] == "(" and not balanced(run[i:j])):
        i += 1  # "loss = ...": a relation without its left side stays text, as does an open "("
    while j > i and (run[j - 1][0] == "ws" or run[j - 1][1] == ")" and not balanced(run[i:j])):
        j -= 1
    head, core, tail = ("".join(t for _, t in part) for part in (run[:i], run[i:j], run[j:]))
    formula = run[i:j]
    before, after = (head or before)[-1:], (tail or after)[:2]
    marks = {t for k, t in formula if k in ("rel", "op")} & (set(RELS) | {"*", "**", "^"})
    if not (formula and marks and balanced(formula) and proper(formula) and clear(before, after)):
        return head + core + tail
    return f"{head}${latex_of(formula)}${tail}"


def clear(before: str, after: str) -> bool:
    """Is a formula between these characters a formula of its own (not part of a word)?"""
    end = after[:1] in ATTACHED | {"", " "} or after[:1] == "." and after[1:2] in ("", " ")
    return before in ATTACHED | {"", " "} and end


def balanced(run: list[tuple[str, str]]) -> bool:
    depth = 0
    for _, t in run:
        depth += (t == "(") - (t == ")")
        if depth < 0:
            return False
    return depth == 0


def proper(run: list[tuple[str, str]]) -> bool:
    """No relation or binary operator at an end, after another, after "(" or before ")"."""
    seq = ["infix" if k == "rel" or t in BINARY else t for k, t in run if k != "ws"]
    pairs = list(zip(seq, seq[1:]))
    return (seq[0] != "infix" and seq[-1] not in ("infix", "-", "(")
            and not any(a == "infix" and b in ("infix", ")") or a == "(" and b == "infix" for a, b in pairs))


def latex_of(run: list[tuple[str, str]]) -> str:
    """LaTeX for a formula run: names, powers in braces, * as juxtaposition (a dot before a number)."""
    out: list[str] = []
    n = 0
    while n < len(run):
        kind, tok = run[n]
        if tok in ("^", "**"):
            n, exponent = power(run, n + 1)
            out.append(f"^{{{exponent}}}")
            continue
        if tok == "*":
            right = run[n + 1][0] if n + 1 < len(run) else ""
            out.append(r" \cdot " if right == "num" else " ")  # 2*3, x*2; D*N reads D N
        else:
            out.append(atom(kind, tok))
        n += 1
    return " ".join("".join(out).split())


def power(run: list[tuple[str, str]], n: int) -> tuple[int, str]:
    """(index after the exponent, its LaTeX): one value, or a bracketed group without its brackets."""
    while n < len(run) and run[n][0] == "ws":
        n += 1
    if run[n][1] != "(":
        return n + 1, atom(*run[n])
    depth, end = 0, n
    for end in range(n, len(run)):
        depth += (run[end][1] == "(") - (run[end][1] == ")")
        if depth == 0:
            break
    return end + 1, latex_of(run[n + 1:end])


def atom(kind: str, tok: str) -> str:
    if kind == "sym":
        name, _, sub = tok.partition("_")
        name = f"\\{name}" if len(name) > 1 else name
        return f"{name}_{{{sub}}}" if sub else name
    if kind == "func":
        return FUNCS[tok] + " "
    if kind == "deriv":
        return rf"\frac{{d}}{{{tok[2:]}}} "
    if kind == "big":
        return rf"\{tok[:-2]}_{{{tok[-1]}}} "
    if kind == "rel":
        return f" {RELS[tok]} "
    return tok
