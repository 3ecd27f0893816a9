"""The `derive` command: a thin shell over the library (verify, sheet, code, check, grade).

Library errors (DeriveError) and any OSError become one line on stderr and exit status 2.
"""
from __future__ import annotations

import errno
import sys
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
    from derive.backprop.matrix_form import LOSSES
    return list(LOSSES)


EXAMPLES = """Examples:

\b
  derive verify                                  # every exercise, a to l, vectorised, code
  derive verify --widths 3,4,4,2 --activation tanh,sigmoid --only i,j,k,l
  derive sheet -o output --format tex,md
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


def architecture(widths: str | None, activation: str | None):  # type: ignore[no-untyped-def]
    """--widths/--activation -> Config (defaults: 2,3,2 and tanh)."""
    from derive.core.limits import refuse_too_large
    from derive.core.options import parse_activations, parse_widths
    from derive.exercises.base import Config
    shape = parse_widths(widths) if widths is not None else Config().widths
    refuse_too_large(shape)  # before any work
    names = parse_activations(activation if activation is not None else "tanh", len(shape) - 2)
    return Config(shape, names)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "-V", "--version", package_name="derive", prog_name="derive")
def cli() -> None:
    """derive: DTU 02456 Exercise 1 (feed-forward networks, Bishop ch. 5) derived and verified."""


@cli.command()
@click.option("--json", "json_path", type=click.Path(), help="Also write the report as JSON.")
@click.option("--widths", help="Architecture D,M1,...,K for the exercises that hold for any network.")
@click.option("--activation", cls=Listed, choices=activation_names,
              help="Hidden activation NAME, or NAME,NAME,... one per hidden layer; NAME: {choices}.")
@click.option("--only", cls=Listed, choices=exercise_ids,
              help="Comma-separated exercise ids to run (default: all): {choices}.")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="Time limit of a route (default 20 s); every other limit scales with it. "
                   "A route out of time is undecided, never failed.")
@one_line_errors
def verify(json_path: str | None, widths: str | None, activation: str | None, only: str | None,
           timeout: float | None) -> None:
    """Verify every derivation by two independent routes and print a table.

    Exits 0 if every exercise verified, 1 if a check failed, 3 if a check ran out of time
    (undecided) and none failed.

    Example: derive verify --widths 3,4,4,2 --activation tanh,sigmoid --json report.json
    """
    from derive import exercises
    from derive.core.checks import scale_limits
    from derive.core.files import file_target, write_atomic
    from derive.emit import report
    from derive.emit.code_exercise import registered
    if timeout is not None:
        if not timeout > 0 or timeout != timeout or timeout == float("inf"):
            raise DeriveError(f"--timeout {timeout}: give a positive number of seconds")
        scale_limits(timeout)
    config = architecture(widths, activation)
    if json_path is not None:
        file_target(json_path, "report.json")  # a folder: say so before the run, not after
    ids = [s.strip() for s in only.split(",")] if only is not None else None
    with registered():  # exercise "code", the emitted module run, after a..l and vectorised
        if ids is not None:
            if any(i == "" for i in ids):
                raise DeriveError(f"malformed --only {only!r}: expected comma-separated exercise ids such as i,j,k")
            unknown = [i for i in ids if i not in exercises.REGISTRY]
            if unknown:
                raise DeriveError(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(exercises.REGISTRY)}")
        results = exercises.run(config, ids)
    click.echo(report.table(results), nl=False)
    for line in report.failures(results):
        click.echo(f"FAILED {line}", err=True)
    for line in report.undecided(results):
        click.echo(f"UNDECIDED {line}", err=True)
    for line in report.powerless(results):
        click.echo(f"POWERLESS {line}", err=True)
    if json_path:
        write_atomic(json_path, report.as_json(results))
    sys.exit(report.exit_status(results))


@cli.command()
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(), help="Folder to write solutions.* into.")
@click.option("--format", "formats", default=None,
              help="Comma-separated subset of pdf, tex, md, ipynb [default: all four; "
                   "without TeX Live all but pdf, with a warning].")
@click.option("--timings", is_flag=True,
              help="Add each exercise's seconds to the summary table (the output then varies per run).")
@one_line_errors
def sheet(out_dir: str, formats: str | None, timings: bool) -> None:
    """Write the verified solution sheet: solutions.pdf, .tex, .md and .ipynb.

    Nothing is written unless every derivation verified; the PDF needs TeX Live.

    Example: derive sheet -o output --format tex,md
    """
    from derive.emit.sheet import default_formats, write_sheet  # owned by the sheet emitter
    if formats is None:
        formats, warning = default_formats()
        if warning:
            click.echo(f"warning: {warning}", err=True)
    for path in write_sheet(out_dir, formats, timings=timings):
        click.echo(str(path))


@cli.command()
@click.option("--widths", required=True, help="Architecture D,M1,...,K.")
@click.option("--activation", default="tanh", show_default=True, cls=Listed, choices=activation_names,
              help="Hidden activation NAME, or NAME,NAME,... one per hidden layer; NAME: {choices}.")
@click.option("--loss", default="sum-of-squares", show_default=True, cls=Listed, choices=loss_names,
              help="{choices} (cross-entropy: softmax output, K >= 2).")
@click.option("--dtype", default="float64", show_default=True, help="float64 | float32.")
@click.option("-o", "--output", "out_path", required=True, type=click.Path(),
              help="The Python file to write (written whole or not at all).")
@one_line_errors
def code(widths: str, activation: str, loss: str, dtype: str, out_path: str) -> None:
    """Write a standalone NumPy module: forward, loss, gradients, sgd_step, check_gradients.

    The module's check_gradients() runs before it is written; nothing is written if it fails.

    Example: derive code --widths 784,128,10 --activation tanh --loss cross-entropy -o mlp.py
    """
    from derive.emit.code.module import write_module

    def warn(line: str) -> None:
        click.echo(f"warning: {line}", err=True)
    click.echo(str(write_module(widths, activation, loss, dtype, out_path, warn=warn)))


@cli.command()
@click.argument("exercise")
@click.argument("answer", required=False)
@click.option("--file", "answer_file", type=click.Path(), help="Read the answer from this file.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--timeout", default=5.0, show_default=True, type=float,
              help="Seconds to judge the answer, then undecided (building the references, once, has 120 s of its own).")
def check(exercise: str, answer: str | None, answer_file: str | None, as_json: bool, timeout: float) -> None:
    """Judge a LaTeX answer to exercise i, j, k or l (ANSWER '-' reads stdin).

    Exit 0 correct or convention, 1 wrong or incomplete, 2 unreadable or bad usage, 3 undecided.

    Example: derive check j "\\delta_j^{(l)} = h_l'(a_j^{(l)}) \\sum_k w_{kj}^{(l+1)} \\delta_k^{(l+1)}"
    """
    from derive.check import report
    from derive.check.judge import check_within as judge  # --timeout bounds the references' building too
    from derive.check.targets import BUILDERS
    if exercise not in BUILDERS:
        words = " (a proof in words: derive checks formulas)" if exercise == "d" else ""
        raise UserError(f"derive check knows exercises {', '.join(sorted(BUILDERS))}, not {exercise!r}{words}")
    if (answer is None) == (answer_file is None):
        raise UserError("give the answer as ANSWER ('-' for stdin) or --file F, one of them")
    try:
        text = click.open_file(answer_file, encoding="utf-8").read() if answer_file else \
            (sys.stdin.read() if answer == "-" else str(answer))
    except OSError as exc:
        raise UserError(f"cannot read {answer_file}: {exc.strerror}") from None
    verdict = judge(exercise, text, timeout)
    click.echo(report.as_json(verdict) if as_json else report.text(verdict))
    sys.exit(report.EXIT[verdict.verdict])


@cli.command()
@click.argument("handins", nargs=-1, type=click.Path())
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(),
              help="Folder for grades.csv, grades.json, feedback/, summary.md, summary.json (written whole).")
@click.option("--jobs", type=int, default=None, help="Worker processes [default: the CPU count].")
@click.option("--exercises", default=None, help="Comma-separated exercises to grade [default: a to l].")
@click.option("--blank", type=click.Path(), default=None,
              help="The blank notebook: text unchanged from it is never taken for an answer.")
@click.option("--reveal", is_flag=True, help="Put the verified answers into the feedback files.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.option("--timeout", default=5.0, show_default=True, type=float, help="Seconds per answer, then undecided.")
@one_line_errors
def grade(handins: tuple[str, ...], out_dir: str, jobs: int | None, exercises: str | None, blank: str | None,
          reveal: bool, quiet: bool, timeout: float) -> None:
    """Grade a class's hand-in notebooks (files, or folders of .ipynb): grades, feedback, summary.

    Exit 0 when every notebook was processed, whatever the verdicts; 2 for bad usage.

    Example: derive grade handins/*.ipynb -o grades --blank exercise-1-blank.ipynb
    """
    from derive.grade.command import run
    run(handins, out_dir, jobs, exercises, blank, reveal, quiet, timeout)


def main() -> None:
    cli(prog_name="derive")
