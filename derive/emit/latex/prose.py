"""Prose for the sheet: plain text with inline $...$ math, as rule names and statements are.

``prose`` turns such a string into LaTeX text: the math kept, everything else escaped, so
a rule name never breaks the document (``y_j`` outside math prints as y_j, not a subscript).
"""
from __future__ import annotations

TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "$": r"\$"}
UNICODE_MATH = {"σ": r"\sigma", "η": r"\eta", "δ": r"\delta", "Δ": r"\Delta", "∑": r"\sum",
                "≥": r"\geq", "≤": r"\leq", "→": r"\to", "×": r"\times", "·": r"\cdot",
                "∂": r"\partial", "∇": r"\nabla", "≠": r"\neq", "≈": r"\approx", "∈": r"\in"}


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
