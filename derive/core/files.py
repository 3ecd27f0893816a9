"""Atomic writes: a file appears whole or not at all (temp file in the same folder, then rename)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from derive.core.errors import DeriveError


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write `data` to `path` via a temporary sibling and os.replace; DeriveError if impossible."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise DeriveError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        if isinstance(data, bytes):
            with os.fdopen(fd, "wb") as raw:
                raw.write(data)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as text:
                text.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DeriveError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
