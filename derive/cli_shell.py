"""The shell around the `derive` commands: one-line errors, option help that lists choices, examples, Config.

Library errors (DeriveError) and any OSError become one line on stderr and exit status 2.
"""
from __future__ import annotations

import errno
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

import click

from derive.core.errors import DeriveError

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """One line, exit status 2: bad input, never a traceback."""

    exit_code = 2


def one_line_errors(fn: F) -> F:
    """DeriveError and OSError (a path that cannot be read or written) as one line, exit 2."""
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DeriveError as exc:
            raise UserError(str(exc)) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # stdout closed (derive verify | head): click exits quietly
            from derive.core.files import os_error
            raise UserError(str(os_error(exc, "read or write"))) from None
    return wrapper  # type: ignore[return-value]


class Listed(click.Option):
    """An option whose help names the valid choices, looked up only when help is shown."""

    def __init__(self, *args: Any, choices: Callable[[], Iterable[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed, self.help_template = choices, self.help or ""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = self.help_template.format(choices=", ".join(self.listed()))
        return super().get_help_record(ctx)


def activation_names() -> list[str]:
    from derive.core import activations
    return activations.names()


def exercise_ids() -> list[str]:
    from derive import exercises
    from derive.emit.code_exercise import ID
    return [*exercises.REGISTRY, *([ID] if ID not in exercises.REGISTRY else [])]


def loss_names() -> list[str]:
    from derive.core import losses
    return losses.names()


ACTIVATION_HELP = ("Hidden activation NAME, or NAME=EXPR typed in plain maths of a (e.g. 'swish=a*sigmoid(a)', "
                   "'lrelu=max(a, 0.01*a)'), or several, comma-separated, one per hidden layer; NAME: {choices}.")
REDUCTION_HELP = "sum (the exercise's E, over the examples) or mean (E / N, N the examples)."


EXAMPLES = """Examples:

\b
  derive verify                                  # every exercise, a to l, vectorised, code
  derive verify --widths 3,4,4,2 --activation tanh,sigmoid --only i,j,k,l
  derive sheet -o output --format tex,md
  derive figure -o output --format pdf,png       # Bishop fig. 5.3 and exercise h)'s histogram
  derive code --widths 784,128,10 --activation tanh --loss cross-entropy -o mlp.py
  python mlp.py                                  # the module's check_gradients()
  derive grade handins/*.ipynb -o grades --blank exercise-1-blank.ipynb"""


class Group(click.Group):
    """The top-level help ends with examples and the names the options take."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text(EXAMPLES)
        formatter.write_paragraph()
        formatter.write_text(f"Activations: {', '.join(activation_names())}. Losses: {', '.join(loss_names())}. "
                             f"Exercises (--only): {', '.join(exercise_ids())}.")


def architecture(widths: str | None, activation: str | None, loss: str | None = None,  # type: ignore[no-untyped-def]
                 reduction: str | None = None):
    """--widths/--activation/--loss/--reduction -> Config (defaults: 2,3,2, tanh, every loss and reduction)."""
    from derive.core import losses
    from derive.core.limits import refuse_too_large
    from derive.core.options import parse_activations, parse_widths
    from derive.exercises.base import Config
    shape = parse_widths(widths) if widths is not None else Config().widths
    refuse_too_large(shape)  # before any work
    names = parse_activations(activation if activation is not None else "tanh", len(shape) - 2)
    if loss is not None:
        loss = losses.get(loss).name
    if reduction is not None:
        losses.check_reduction(reduction)
    return Config(shape, names, loss, reduction)
