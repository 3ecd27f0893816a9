"""A formula as equation lines: environments and comments taken off, split at \\\\, a chain's "&= ..." lines joined."""
from __future__ import annotations

import re

ENVS = r"align|aligned|alignat|alignedat|gather|gathered|equation|split|multline|eqnarray|flalign|displaymath|math"
ENV = re.compile(r"\\(?:begin|end)\s*\{\s*(?:" + ENVS + r")\*?\s*\}(?:\{\d+\})?")
COMMENT = re.compile(r"(?<!\\)%[^\n]*")
SPACING = re.compile(r"^\s*\[[^\]]*\]")  # \\[2pt]
CONTINUES = re.compile(r"^(?:&\s*)?(?:=|\\approx|\\equiv|\\propto|\\simeq|\\Leftrightarrow|\\iff)(?![A-Za-z])")
MAX_LINES = 200


def split_rows(text: str) -> list[str]:
    """Split at \\\\ outside braces and outside any environment left (cases, matrices)."""
    rows, start, depth, env = [], 0, 0, 0
    n = 0
    while n < len(text):
        c = text[n]
        if c == "\\" and text.startswith("\\\\", n):
            if depth == 0 and env == 0:
                rows.append(text[start:n])
                start = n + 2
            n += 2
            continue
        if c == "\\" and text.startswith("\\begin", n):
            env += 1
        elif c == "\\" and text.startswith("\\end", n):
            env = max(env - 1, 0)
        elif c == "\\" and n + 1 < len(text):
            n += 2  # an escaped character: \{ \} \%
            continue
        elif c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        n += 1
    rows.append(text[start:])
    return rows


def lines(latex: str) -> list[str]:
    """The equation lines of one formula, in order; a line that starts with a relation continues the chain above."""
    text = ENV.sub(" ", COMMENT.sub("", latex))
    out: list[str] = []
    for row in split_rows(text)[:MAX_LINES]:
        row = SPACING.sub("", row).strip()
        if not row or row == "&":
            continue
        if out and CONTINUES.match(row):
            out[-1] = out[-1] + " " + row.lstrip("&").strip()
        else:
            out.append(row)
    return out
