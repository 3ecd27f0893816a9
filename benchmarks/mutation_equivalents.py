"""Surviving mutants explained as equivalent: (module, operator, original line, mutated line) -> why."""
from __future__ import annotations

EQUIVALENT: dict[tuple[str, str, str, str], str] = {
}
