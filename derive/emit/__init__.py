"""Emitters: printers (SymPy printer subclasses) and the Jinja environment for templates/."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2


def template_dir() -> Path:
    """templates/ of the source tree, or the package derive.templates of an installed wheel."""
    source = Path(__file__).resolve().parents[2] / "templates"
    if source.is_dir() and (source / "__init__.py").exists():
        return source
    return Path(str(resources.files("derive.templates")))


def environment(**delimiters: Any) -> jinja2.Environment:
    """A logic-light Jinja environment (SymForce's settings); `delimiters` override {{ }} etc."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, autoescape=False, **delimiters)
