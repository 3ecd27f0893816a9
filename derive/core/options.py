"""Parsing of the architecture options shared by `verify`, `code` and the library."""
from __future__ import annotations

import re

from derive.core import activations
from derive.core.errors import DeriveError

INTEGER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: int() would take "\uff12" and "1_0"


def parse_widths(text: str) -> tuple[int, ...]:
    """'D,M1,...,K' -> (D, M1, ..., K); every width a positive integer, at least one layer."""
    parts = [p.strip() for p in text.split(",")]
    if any(p == "" for p in parts):
        raise DeriveError(f"malformed --widths {text!r}: expected comma-separated integers D,M1,...,K")
    if not all(INTEGER.fullmatch(p) for p in parts):
        raise DeriveError(f"malformed --widths {text!r}: expected comma-separated integers D,M1,...,K "
                          f"(ASCII digits 0-9)")
    huge = [p for p in parts if len(p.lstrip("+-").lstrip("0")) > 9]
    if huge:  # and int() refuses more than 4300 digits
        raise DeriveError(f"--widths: width {huge[0][:20]}{'...' if len(huge[0]) > 20 else ''} is too large")
    widths = tuple(int(p) for p in parts)
    if len(widths) < 2:
        raise DeriveError(f"--widths {text!r} has no layers: give at least D,K (inputs and outputs)")
    bad = [w for w in widths if w <= 0]
    if bad:
        raise DeriveError(f"--widths {text!r}: every width must be a positive integer, got {bad[0]}")
    return widths


def split_top(text: str) -> list[str]:
    """Split at the commas outside brackets: 'tanh,lrelu=max(a, a/100)' -> ['tanh', 'lrelu=max(a, a/100)']."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [p.strip() for p in [*parts, text[start:]]]


def parse_activations(text: str, hidden_layers: int) -> tuple[str, ...]:
    """One activation for every hidden layer, or one per hidden layer; each a registered NAME,
    or NAME=EXPR typed in plain maths of a (parsed by a grammar and registered under NAME)."""
    names = split_top(text)
    if any(n == "" for n in names):
        raise DeriveError(f"malformed --activation {text!r}: expected NAME, NAME=EXPR, or several, comma-separated")
    names = [activations.register_typed(n) if "=" in n else activations.get(n).name for n in names]
    if len(names) == 1:
        return tuple(names) * hidden_layers
    if len(names) != hidden_layers:
        layers = f"{hidden_layers} hidden layer{'' if hidden_layers == 1 else 's'}"
        raise DeriveError(f"--activation lists {len(names)} names but the network has {layers}: "
                          f"give one name, or one per hidden layer")
    return tuple(names)
