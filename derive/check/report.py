"""Printers of a Verdict: the verdict line with the read-back (text) and one JSON object."""
from __future__ import annotations

import json

from derive.check.judge import Verdict

EXIT = {"correct": 0, "convention": 0, "wrong": 1, "incomplete": 1, "unreadable": 2, "undecided": 3}


def line(v: Verdict) -> str:
    """correct | convention (half-sum-of-squares): ... | wrong (id, id): message."""
    tag = v.convention or ", ".join(v.mistakes)
    head = v.verdict + (f" ({tag})" if tag else "")
    return head + (f": {v.message}" if v.message else "")


def text(v: Verdict) -> str:
    """The verdict line, then what derive read."""
    return line(v) + (f"\nread as: {v.read_as}" if v.read_as else "")


def as_dict(v: Verdict) -> dict[str, object]:
    return {"exercise": v.exercise, "verdict": v.verdict, "convention": v.convention, "mistakes": list(v.mistakes),
            "equations": [{"lhs": e.lhs, "verdict": e.verdict, "mistakes": list(e.mistakes), "read_as": e.read_as,
                           "failing_link": e.failing_link} for e in v.equations],
            "message": v.message, "seconds": round(v.seconds, 4)}


def as_json(v: Verdict) -> str:
    return json.dumps(as_dict(v), ensure_ascii=False)
