"""Atomic writes: a file appears whole or not at all (temp file in the same folder, then rename)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from derive.core.errors import DeriveError


def os_error(exc: OSError, verb: str, path: str | os.PathLike[str] | None = None) -> DeriveError:
    """An OSError as one line: "cannot VERB PATH: reason" (PATH: the error's own file, else `path`)."""
    where = exc.filename if exc.filename is not None else path
    reason = exc.strerror or str(exc) or type(exc).__name__
    return DeriveError(f"cannot {verb} {os.fsdecode(where)}: {reason}" if where is not None
                       else f"cannot {verb}: {reason}")


def can_make_folder(folder: str | os.PathLike[str]) -> None:
    """DeriveError unless `folder` is, or can be made, a writable folder (its nearest existing
    ancestor is a folder we may write into): checked before work whose result would be lost."""
    if os.fspath(folder) == "":
        raise DeriveError("cannot write into '': the folder name is empty; give a folder such as output")
    folder = Path(folder)
    for existing in (folder, *folder.parents):
        try:
            if not os.path.lexists(existing):
                continue
            if not existing.is_dir():
                raise DeriveError(f"cannot write into {folder}: {existing} is a file, not a folder")
        except OSError as exc:
            raise os_error(exc, "write into", folder) from None
        if not os.access(existing, os.W_OK | os.X_OK):
            raise DeriveError(f"cannot write into {folder}: permission denied for {existing}")
        return


def file_target(path: str | os.PathLike[str], example: str = "") -> Path:
    """`path` as the name of a file to write: DeriveError if it names a folder (or ends in a slash)."""
    text = os.fspath(path)
    hint = f"give a file name such as {example}" if example else "give a file name"
    if text == "":
        raise DeriveError(f"cannot write '': the file name is empty; {hint}")
    if text.endswith(("/", os.sep)):
        raise DeriveError(f"cannot write {text!r}: that names a folder; {hint}")
    target = Path(text)
    try:
        folder = target.is_dir()
    except OSError as exc:
        raise os_error(exc, "write", target) from None
    if folder:
        raise DeriveError(f"cannot write {target}: it is a folder; {hint}")
    try:
        can_make_folder(target.parent)
    except DeriveError as exc:
        raise DeriveError(str(exc).replace(f"cannot write into {target.parent}", f"cannot write {target}", 1)) from None
    return target


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write `data` to `path` via a temporary sibling and os.replace; DeriveError if impossible."""
    target = file_target(path)
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
