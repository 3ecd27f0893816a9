"""Writing DIR: grades.csv and .json, feedback/<stem>.md, summary.md and .json, all of it whole or not at all."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path, PurePath

from derive.core.errors import DeriveError
from derive.core.files import write_atomic
from derive.grade.feedback import feedback
from derive.grade.rows import COLUMNS, Row
from derive.grade.run import Graded
from derive.grade.summary import as_json as summary_json
from derive.grade.summary import markdown as summary_md


def stems(notebooks: list[str]) -> dict[str, str]:
    """A feedback file name per notebook: its stem, with as many parent folders as make it unique."""
    parts = {n: [p for p in PurePath(n).with_suffix("").parts if p not in ("/", ".", "..")] or ["notebook"]
             for n in notebooks}
    out: dict[str, str] = {}
    for n in notebooks:
        depth = 1
        while True:
            name = "__".join(parts[n][-depth:])
            rivals = [m for m in notebooks if m != n and "__".join(parts[m][-depth:]) == name]
            if not rivals or depth >= len(parts[n]):
                break
            depth += 1
        out[n] = name if name not in out.values() else f"{name}__{len(out)}"
    return out


def csv_text(rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows(r.csv_row() for r in rows)
    return buf.getvalue()


def files(graded: Graded, blank: bool, reveal: bool) -> dict[str, str]:
    """Every output file's path (relative to DIR) and text."""
    rows = graded.rows
    out = {"grades.csv": csv_text(rows),
           "grades.json": json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2) + "\n",
           "summary.md": summary_md(rows, blank), "summary.json": summary_json(rows, blank)}
    notebooks = list(dict.fromkeys(r.notebook for r in rows))
    names = stems(notebooks)
    for n in notebooks:
        out[f"feedback/{names[n]}.md"] = feedback(n, [r for r in rows if r.notebook == n],
                                                  graded.solutions if reveal else None)
    return out


def write(folder: str | os.PathLike[str], contents: dict[str, str]) -> list[Path]:
    """Write into a temporary folder beside DIR, then move it in: a new DIR by one rename; into an existing DIR
    each file by os.replace and feedback/ whole (its old files gone). Nothing half-written is ever in DIR."""
    target = Path(folder)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp"))
    except OSError as exc:
        raise DeriveError(f"cannot write into {target}: {exc.strerror or exc}") from None
    try:
        for rel, text in contents.items():
            write_atomic(tmp / rel, text)
        os.chmod(tmp, 0o755)
        if not target.exists():
            os.rename(tmp, target)
            return [target / rel for rel in contents]
        if not target.is_dir():
            raise DeriveError(f"cannot write into {target}: it is a file, not a folder")
        old = target / f".feedback.old.{os.getpid()}"
        if (target / "feedback").exists():
            os.rename(target / "feedback", old)
        if (tmp / "feedback").exists():
            os.rename(tmp / "feedback", target / "feedback")
        for rel in contents:
            if not rel.startswith("feedback/"):
                os.replace(tmp / rel, target / rel)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise DeriveError(f"cannot write into {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [target / rel for rel in contents]
