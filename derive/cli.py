"""The `derive` command: a thin shell over the library (verify, sheet, code, check, grade).

Library errors (DeriveError) and any OSError become one line on stderr and exit status 2.
"""
from __future__ import annotations

import sys

import click

from derive.cli_shell import (
    ACTIVATION_HELP,
    REDUCTION_HELP,
    Group,
    Listed,
    UserError,
    activation_names,
    architecture,
    exercise_ids,
    loss_names,
    one_line_errors,
)
from derive.core.errors import DeriveError


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "-V", "--version", package_name="derive", prog_name="derive")
def cli() -> None:
    """derive: DTU 02456 Exercise 1 (feed-forward networks, Bishop ch. 5) derived and verified."""


@cli.command()
@click.option("--json", "json_path", type=click.Path(), help="Also write the report as JSON.")
@click.option("--widths", help="Architecture D,M1,...,K for the exercises that hold for any network.")
@click.option("--activation", cls=Listed, choices=activation_names, help=ACTIVATION_HELP)
@click.option("--loss", cls=Listed, choices=loss_names,
              help="The output layer's loss for exercises losses and code [default: every one]: {choices}.")
@click.option("--reduction", default=None, help=REDUCTION_HELP + " [default: both]")
@click.option("--only", cls=Listed, choices=exercise_ids,
              help="Comma-separated exercise ids to run (default: all): {choices}.")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="Time limit of a route (default 20 s); every other limit scales with it. "
                   "A route out of time is undecided, never failed.")
@one_line_errors
def verify(json_path: str | None, widths: str | None, activation: str | None, loss: str | None,
           reduction: str | None, only: str | None, timeout: float | None) -> None:
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
    config = architecture(widths, activation, loss, reduction)
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
@click.option("--widths", help="A sheet for your network D,M1,...,K (with the options below) instead of the exercise's.")
@click.option("--activation", cls=Listed, choices=activation_names, help=ACTIVATION_HELP)
@click.option("--loss", cls=Listed, choices=loss_names, help="Its loss [default: every one]: {choices}.")
@click.option("--reduction", default=None, help=REDUCTION_HELP + " [default: both]")
@click.option("--only", cls=Listed, choices=exercise_ids,
              help="Comma-separated exercises on the sheet [default: a to l and vectorised; for a network "
                   "activation, d, j, k, l, losses, vectorised, code]: {choices}.")
@one_line_errors
def sheet(out_dir: str, formats: str | None, timings: bool, widths: str | None, activation: str | None,
          loss: str | None, reduction: str | None, only: str | None) -> None:
    """Write the verified solution sheet: solutions.pdf, .tex, .md and .ipynb.

    Nothing is written unless every derivation verified; the PDF needs TeX Live. With --widths,
    --activation, --loss or --reduction, the sheet for that network.

    Example: derive sheet --widths 784,128,10 --activation 'swish=a*sigmoid(a)' --loss cross-entropy -o mine
    """
    from derive.emit.sheet import default_formats, write_sheet  # owned by the sheet emitter
    mine = any(v is not None for v in (widths, activation, loss, reduction))
    config = architecture(widths, activation, loss, reduction) if mine else None
    ids = [i.strip() for i in only.split(",")] if only is not None else None
    if formats is None:
        formats, warning = default_formats()
        if warning:
            click.echo(f"warning: {warning}", err=True)
    for path in write_sheet(out_dir, formats, timings=timings, config=config, only=ids):
        click.echo(str(path))


@cli.command()
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(), help="Folder to write the figures into.")
@click.option("--format", "formats", default="pdf,png", show_default=True, help="Comma-separated subset of pdf, png.")
@one_line_errors
def figure(out_dir: str, formats: str) -> None:
    """Write Bishop's fig. 5.3 (bishop-5-3.*) and exercise h)'s histogram (minibatch-gradients.*).

    Example: derive figure -o output --format pdf,png
    """
    from derive.emit.figures import output, render
    for path in output.write_figures(out_dir, render.parse_formats(formats)):
        click.echo(str(path))


@cli.command()
@click.option("--widths", required=True, help="Architecture D,M1,...,K.")
@click.option("--activation", default="tanh", show_default=True, cls=Listed, choices=activation_names,
              help=ACTIVATION_HELP)
@click.option("--loss", default="sum-of-squares", show_default=True, cls=Listed, choices=loss_names,
              help="{choices} (cross-entropy: softmax output, K >= 2; binary-cross-entropy: sigmoid outputs).")
@click.option("--reduction", default="sum", show_default=True, help=REDUCTION_HELP)
@click.option("--dtype", default="float64", show_default=True, help="float64 | float32.")
@click.option("-o", "--output", "out_path", required=True, type=click.Path(),
              help="The Python file to write (written whole or not at all).")
@one_line_errors
def code(widths: str, activation: str, loss: str, reduction: str, dtype: str, out_path: str) -> None:
    """Write a standalone NumPy module: forward, loss, gradients, sgd_step, check_gradients.

    The module's check_gradients() runs before it is written; nothing is written if it fails.

    Example: derive code --widths 784,128,10 --activation tanh --loss cross-entropy -o mlp.py
    """
    from derive.emit.code.module import write_module

    def warn(line: str) -> None:
        click.echo(f"warning: {line}", err=True)
    click.echo(str(write_module(widths, activation, loss, dtype, out_path, warn=warn, reduction=reduction)))


@cli.command()
@click.argument("exercise")
@click.argument("answer", required=False)
@click.option("--file", "answer_file", type=click.Path(), help="Read the answer from this file.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--timeout", default=5.0, show_default=True, type=float,
              help="Seconds to judge the answer, then undecided (building the references, once, has 120 s of its own).")
@click.option("--activation", default=None,
              help="The network's hidden activation, NAME or NAME=EXPR (e.g. elu, 'swish=a*sigmoid(a)'): "
                   "answers may then use its h' written out [default: h undefined].")
def check(exercise: str, answer: str | None, answer_file: str | None, as_json: bool, timeout: float,
          activation: str | None) -> None:
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
    name = ""
    if activation is not None:
        from derive.core.options import parse_activations
        try:
            (name,) = set(parse_activations(activation, 1))
        except DeriveError as exc:
            raise UserError(str(exc)) from None
    verdict = judge(exercise, text, timeout, name)
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
