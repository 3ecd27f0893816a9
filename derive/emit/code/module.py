"""`derive code`: parse the options, render the module, run its check_gradients(), write it atomically.

Nothing is written when the options are invalid, the path names a folder, softmax has one
class, or the rendered module fails its own check_gradients() (imported from a temporary file).
"""
from __future__ import annotations

import keyword
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from derive.backprop.matrix_form import Model
from derive.core.errors import DeriveError
from derive.core.files import file_target, os_error, write_atomic
from derive.core.limits import refuse_too_large, weight_count
from derive.core.options import parse_widths
from derive.emit.code import plan, verify_code

SELF_CHECK_LIMIT = 10_000_000  # weights; a larger network is written without running check_gradients()
SHADOWED = frozenset(sys.stdlib_module_names) | {"numpy", "derive"}  # a file NAME.py hides them
Warn = Callable[[str], None]


def refuse_one_class(m: Model) -> None:
    """Softmax over K = 1 output is the constant 1: E and every gradient vanish identically."""
    if m.spec.output == "softmax" and m.widths[-1] < 2:
        raise DeriveError(f"--loss cross-entropy needs K >= 2 output units (the softmax of one unit is 1, "
                          f"so E and its gradients are 0), but --widths {','.join(map(str, m.widths))} has "
                          f"K = {m.widths[-1]}: give K >= 2 classes, or a regression loss")


def self_check(source: str) -> float:
    """The rendered module's check_gradients(), run from a temporary file; DeriveError if it fails."""
    try:
        module = verify_code.load(source, "derive_self_check")
    except OSError as exc:
        raise os_error(exc, "write a temporary copy of the module to") from None
    try:
        error: float = module.check_gradients()
    except AssertionError as exc:
        raise DeriveError(f"the emitted module failed its own check_gradients(): {exc}; nothing written") from None
    except Exception as exc:  # noqa: BLE001  (a bug in the template: still one line, nothing written)
        raise DeriveError(f"the emitted module's check_gradients() raised {type(exc).__name__}: {exc}; "
                          f"nothing written") from None
    return error


def import_warning(path: str | os.PathLike[str]) -> str | None:
    """Why `import NAME` would not load the written file as the module NAME (None: it would)."""
    target = Path(path)
    name = target.stem
    if target.suffix != ".py":
        return f"{target.name} does not end in .py: `import {name}` will not find it (`python {target}` runs it)"
    if not name.isidentifier() or keyword.iskeyword(name):
        better = re.sub(r"\W", "_", name.encode("ascii", "replace").decode())
        better = better if better.isidentifier() and not keyword.iskeyword(better) else f"mlp_{better}"
        return f"{name!r} is not a valid module name, so {target.name} cannot be imported; " \
               f"use letters, digits and _, e.g. {better}.py"
    if name in SHADOWED:
        also = " (even the module's own `import numpy`)" if name == "numpy" else ""
        return f"{target.name} shadows the module {name}: in its folder `import {name}` gets this file" \
               f"{also}; choose another name, e.g. mlp.py"
    return None


def write_module(widths: str, activation: str, loss: str, dtype: str, out_path: str,
                 warn: Warn | None = None, reduction: str = "sum") -> Path:
    """Parse the `derive code` options, render templates/module.py.j2, self-check it, write it atomically.

    `warn` gets one line for a file name that cannot be imported as a module, and for a network
    too large to self-check here. `reduction`: "sum" (E summed over the batch) or "mean" (divided by N).
    """
    target = file_target(out_path, "mlp.py")
    refuse_too_large(parse_widths(widths))  # before any work: 10^8 weights, or the free memory
    m = plan.model_of(widths, activation, loss, dtype, reduction)
    refuse_one_class(m)
    source = plan.source_of(m, dtype)
    if weight_count(m.widths) <= SELF_CHECK_LIMIT:
        self_check(source)
    elif warn:
        warn(f"not self-checked: {weight_count(m.widths)} weights are more than {SELF_CHECK_LIMIT}; "
             f"run `python {target}` to run check_gradients()")
    written = write_atomic(target, source)
    message = import_warning(written)
    if warn and message:
        warn(message)
    return written
