"""`derive code`: parse the options, render the module template, write the file atomically."""
from __future__ import annotations

from pathlib import Path

from derive.core.errors import DeriveError
from derive.core.files import write_atomic
from derive.emit.code.plan import module_source


def write_module(widths: str, activation: str, loss: str, dtype: str, out_path: str) -> Path:
    """Parse the `derive code` options, render templates/module.py.j2, write it atomically."""
    if Path(out_path).is_dir():
        raise DeriveError(f"cannot write {out_path}: it is a folder; give a file name such as mlp.py")
    return write_atomic(out_path, module_source(widths, activation, loss, dtype))
