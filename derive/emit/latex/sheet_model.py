"""What the solution sheet shows, prepared in Python so the templates only lay it out.

For every exercise: the statement, the conventions, each derivation as a chain of lines
lhs = rhs_0 = rhs_1 = ... (each line with the rule that produced it, its cite and the
routes that verified that link), the boxed result with the routes that verified the
claim, and the checks that belong to no derivation. Equation tags (a.1, a.2, ...) are
computed here, so the PDF, the Markdown and the notebook number lines alike.

Prose goes through `text` (derive.emit.latex.prose: prose for LaTeX, md_prose for Markdown);
expressions through derive.emit.latex.latex. Nothing here is wall-clock dependent unless
`timings` is asked for.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from derive.core.checks import Check
from derive.core.derivation import Derivation
from derive.core.errors import DeriveError
from derive.emit.latex.printer import latex
from derive.emit.latex.prose import readable
from derive.exercises.base import Exercise

Text = Callable[[str], str]


@dataclass(frozen=True)
class Line:
    """One line of a chain: [lhs] = rhs  (tag), produced by `rule` and checked by `routes`."""

    tag: str
    lhs: str
    rel: str  # "=", or "" for a chain that starts at its first line
    rhs: str
    rule: str
    cite: str
    routes: str
    boxed: bool = False


@dataclass(frozen=True)
class Block:
    """One derivation, laid out."""

    title: str
    note: str
    lhs: str  # the left side every line of the chain is aligned after
    lines: list[Line]
    claim_routes: str
    result: str  # "lhs = result" in LaTeX, for the answer cell of the notebook


@dataclass(frozen=True)
class CheckRow:
    """A check beside the derivations; the sheet prints it as "Checked by <route>: <detail>"."""

    route: str
    detail: str  # a clause in words, its formulas as maths, ending in a full stop


def check_row(check: Check, text: Text) -> CheckRow:
    """The check's detail made readable (derive.emit.latex.prose.readable), then `text`."""
    detail = readable(check.detail).strip()
    return CheckRow(check.route, text(detail if detail.endswith(".") else f"{detail}."))


@dataclass(frozen=True)
class Figure:
    """A figure at the end of a section: its heading, the file beside the sheet, its caption."""

    title: str
    src: str  # bishop-5-3.pdf for LaTeX, bishop-5-3.png for Markdown
    alt: str  # the title in plain words, for the Markdown image
    caption: str


@dataclass(frozen=True)
class Section:
    """One exercise, laid out."""

    id: str
    tag: str
    heading: str
    anchor: str
    title: str
    statement: str
    conventions: list[str]
    blocks: list[Block]
    checks: list[CheckRow]
    routes: str
    n_checks: int
    status: str
    seconds: str = ""
    fragments: list[str] = field(default_factory=list, repr=False)
    figures: list[Figure] = field(default_factory=list)  # placed by derive.emit.sheet

    @property
    def short(self) -> str:
        """The part's name in the summary table: 'a)', 'Vectorised'."""
        return self.heading.rstrip(":")

    @property
    def title_cell(self) -> str:
        """The title inside a Markdown table row."""
        return self.title.replace("|", "\\|")


def tag_of(ex: Exercise) -> str:
    """Equation tags per exercise: 'a' for a), the capital initial for a named one ('V')."""
    return ex.id if len(ex.id) <= 2 else ex.id[0].upper()


def heading_of(ex: Exercise) -> str:
    """'a)' for an exercise letter, 'Vectorised:' for a named part."""
    return f"{ex.id})" if len(ex.id) <= 2 else f"{ex.id.capitalize()}:"


ROUTE_ORDER = ("symbolic", "exact-rational", "mpmath-50", "float64")


def route_list(routes: Sequence[str]) -> str:
    """The routes in the order of derive.core.verify (proof first), then any others by name."""
    rank = {r: n for n, r in enumerate(ROUTE_ORDER)}
    return ", ".join(sorted(set(routes), key=lambda r: (rank.get(r, len(rank)), r)))


def routes_of(checks: Sequence[Check]) -> str:
    """The routes of the checks that count: passed, and their control rejected a wrong claim."""
    return route_list([c.route for c in checks if c.counts])


def refuse_unverified(exercises: Sequence[Exercise]) -> None:
    """DeriveError naming the first exercise, derivation and link that did not verify."""
    for ex in exercises:
        for d in ex.derivations:
            for number, step in enumerate(d.steps):
                failed = [c for c in d.step_checks(number) if not c.passed]
                if not any(c.counts for c in d.step_checks(number)) or failed:
                    why = f"{failed[0].route}: {failed[0].detail}" if failed else "no check that can fail"
                    raise failure(ex, f"derivation {d.title!r}, step {number} ({step.rule})", why)
            bad = [c for c in d.checks if not c.passed]
            if bad or not d.verified:
                raise failure(ex, f"derivation {d.title!r}",
                              f"{bad[0].route}: {bad[0].detail}" if bad else "not verified")
        bad = [c for c in ex.extra_checks if not c.passed]
        if bad or not ex.verified:
            raise failure(ex, "check", f"{bad[0].route}: {bad[0].detail}" if bad
                          else f"fewer than two routes ({', '.join(ex.routes) or 'none'})")


def failure(ex: Exercise, where: str, why: str) -> DeriveError:
    line = " ".join(f"exercise {ex.id}: {where} failed ({why})".split())
    return DeriveError(f"not writing the sheet: {line[:300]}")


def chain(d: Derivation, tag: str, first: int, text: Text) -> list[Line]:
    """lhs = rhs_0 = ... = rhs_n, boxed at the claim (an extra line when the claim differs)."""
    lines = []
    for number, step in enumerate(d.steps):
        lhs, rel, rhs = "", "=", latex(step.rhs)
        if number == 0:
            # A derivation whose lhs is its first line (d: the hypothesis) starts at that line.
            lhs, rel, rhs = (rhs, "", "") if d.lhs == step.rhs else (latex(d.lhs), rel, rhs)
        lines.append(Line(f"{tag}.{first + number}", lhs, rel, rhs, text(step.rule),
                          text(step.cite), routes_of(d.step_checks(number))))
    if d.target is None or d.target == d.result or latex(d.target) == latex(d.result):
        lines[-1] = replace(lines[-1], boxed=True)  # the claim as printed is the last line: no repeat
    else:
        lines.append(Line(f"{tag}.{first + len(d.steps)}", "", "=", latex(d.target),
                          text("which is the claimed form"), "", routes_of(d.claim_checks()), True))
    return lines


def block(d: Derivation, tag: str, first: int, text: Text) -> Block:
    lines = chain(d, tag, first, text)
    answer = d.target if d.target is not None else d.result
    return Block(text(d.title), text(d.note), lines[0].lhs, lines, routes_of(d.claim_checks()),
                 f"{latex(d.lhs)} = {latex(answer)}")


def section(ex: Exercise, text: Text, timings: bool = False) -> Section:
    tag, blocks, first = tag_of(ex), [], 1
    for d in ex.derivations:
        blocks.append(block(d, tag, first, text))
        first += len(blocks[-1].lines)
    checks = [check_row(c, text) for c in ex.extra_checks if c.counts]
    fragments = [x for b in blocks for line in b.lines for x in (line.lhs, line.rhs) if x]
    fragments += [b.result for b in blocks]
    return Section(ex.id, tag, heading_of(ex), f"ex-{ex.id}", text(ex.title), text(ex.statement),
                   [text(c) for c in ex.conventions], blocks, checks, route_list(ex.routes),
                   len(ex.counted), ex.status, f"{ex.seconds:.1f}" if timings else "", fragments)


def sections(exercises: Sequence[Exercise], text: Text, timings: bool = False) -> list[Section]:
    """The sheet's content; refuses (DeriveError) unless every derivation verified."""
    refuse_unverified(exercises)
    return [section(ex, text, timings) for ex in exercises]


def fragments(exercises: Sequence[Exercise]) -> list[str]:
    """Every LaTeX fragment the printer makes for the sheet (for the compile test)."""
    return [f for s in sections(exercises, str) for f in s.fragments]
