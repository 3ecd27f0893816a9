"""Judge a student's LaTeX answer against the verified result: a Verdict, its equations, the mistakes named.

Each equation is identified by its left side; every side is compared with the verified right
side at random exact points (derive.check.numeric) and, where that is cheap, symbolically
(derive.check.symbolic): `routes` names those that decided. A wrong one is compared with the mutants
of derive.check.mistakes. `Checker` keeps the references, points and their values between answers.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from itertools import pairwise

import sympy as sp

from derive.check import mistakes as mk
from derive.check import symbolic as sy
from derive.check.answer import Answer, Equation, ParseError
from derive.check.clock import Background, within
from derive.check.definitions import defined, named, restates
from derive.check.names import DOTS
from derive.check.numeric import Point, canonical, ratio, same, value
from derive.check.parse import parse
from derive.check.readback import equation_text, readback
from derive.check.reference import Reference, Target, key_of, lhs_indices
from derive.check.targets import target_reference
from derive.core import activations
from derive.core import notation as nt

VERDICTS = ("correct", "convention", "incomplete", "wrong", "unreadable", "undecided")
SEEDS = (0, 1, 2, 3)
KINKED_SEEDS = tuple(range(16))  # an activation with kinks: each piece must be met, a side missed with p <= 2^-15
POINTS = "exact-points"  # the route names a verdict records (Verdict.routes)


@dataclass(frozen=True)
class EquationVerdict:
    """One equation of the answer: its left side, verdict, mistakes, read-back, first false link."""

    lhs: str
    verdict: str
    mistakes: tuple[str, ...] = ()
    read_as: str = ""
    failing_link: int | None = None
    message: str = ""
    convention: str | None = None
    routes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """What derive concluded about one answer to one exercise."""

    exercise: str
    verdict: str
    convention: str | None = None
    mistakes: tuple[str, ...] = ()
    equations: tuple[EquationVerdict, ...] = ()
    message: str = ""
    seconds: float = 0.0
    read_as: str = ""
    routes: tuple[str, ...] = ()  # those that decided every equation: exact-points, symbolic

    def _repr_markdown_(self) -> str:
        """How a notebook shows a Verdict: in words, with the read-back as maths (derive.check.report)."""
        from derive.check.report import markdown
        return markdown(self)


@dataclass
class Checker:
    """Judges many answers to one exercise: the reference, its points and values are prepared once."""

    exercise: str
    activation: str = ""  # a registered activation for every hidden h (its h' with it), "" for h undefined
    ref: Reference = field(init=False)
    points: list[Point] = field(init=False)
    seeds: tuple[int, ...] = field(init=False)
    cache: dict[tuple[object, ...], sp.Expr] = field(default_factory=dict)
    written: dict[tuple[object, ...], sp.Basic | None] = field(default_factory=dict)  # for the symbolic route
    links: int = 0

    def __post_init__(self) -> None:
        self.ref = target_reference(self.exercise)
        hidden = activations.get(self.activation).lambda_h if self.activation else None
        kinked = bool(self.activation) and bool(activations.get(self.activation).kinks)
        self.seeds = KINKED_SEEDS if kinked else SEEDS
        self.points = [Point(self.ref.space, seed, activation=hidden) for seed in self.seeds]
        self.cheapest = sorted(range(len(self.seeds)), key=lambda n: (sp.prod(self.points[n].sizes.values()), n))
        self.forms = {t.key: [(None, canonical(t.rhs))] + [(c, canonical(e)) for c, e in t.conventions]
                      for t in self.ref.targets}
        self.mutants = {t.key: [(c, m) for c, e in self.forms[t.key] for m in mk.mutants(e, t.mistakes)] for t in self.ref.targets}

    def known(self, key: tuple[object, ...], expr: sp.Basic, p: Point) -> sp.Expr:
        if key not in self.cache:
            self.cache[key] = value(expr, p)
        return self.cache[key]

    def check(self, latex: str, timeout: float = 5.0) -> Verdict:
        start = time.perf_counter()
        try:
            answer = parse(latex)
        except ParseError as e:
            return Verdict(self.exercise, "unreadable", message=f"{e}\n{e.caret()}",
                           seconds=time.perf_counter() - start)
        try:
            with within(timeout):
                verdict = self.judge(answer)
        except TimeoutError:
            verdict = Verdict(self.exercise, "undecided", message=f"no verdict within {timeout:g} s")
        except (RecursionError, ValueError, TypeError, ZeroDivisionError) as e:
            verdict = Verdict(self.exercise, "undecided", message=f"derive could not evaluate this: {e}")
        return replace(verdict, seconds=time.perf_counter() - start, read_as=readback(answer))

    def judge(self, answer: Answer) -> Verdict:
        targets = {t.key: t for t in self.ref.targets}
        matched: list[tuple[Equation, Target]] = []
        for eq in answer.equations:
            key = key_of(named(eq.lhs))  # dE/da_j^(L) is delta_j^(L) by definition
            if len(eq.sides) == 1:
                matched.append((eq, self.ref.targets[0]))
            elif key in targets:
                matched.append((eq, targets[str(key)]))
            else:
                stem = [t for t in self.ref.targets if (key or "?").split("__")[0] == t.key.split("__")[0]]
                if len(stem) == 1:
                    matched.append((eq, stem[0]))
        if not matched:
            first = answer.equations[0]
            return Verdict(self.exercise, "wrong", equations=(EquationVerdict(mk.text(first.lhs), "wrong"),),
                           message=f"{mk.text(first.lhs)} is none of the results exercise {self.exercise} asks for")
        results = tuple(self.equation(eq, t) for eq, t in matched)
        return combine(self.exercise, results, {t.key for _, t in matched} != set(targets))

    def equation(self, eq: Equation, target: Target) -> EquationVerdict:
        one_sided = len(eq.sides) == 1
        lhs = target.lhs if one_sided else named(eq.lhs)
        shown = mk.text(lhs if one_sided else eq.lhs)
        read = equation_text(eq)
        sides = [canonical(defined(s, self.ref.space.partials)) for s in (eq.sides if one_sided else eq.sides[1:])]
        if restates(lhs, sides):
            return EquationVerdict(shown, "incomplete", read_as=read, message=f"it restates the definition of "
                                   f"{mk.text(lhs)}: it gives no result")
        if lhs == nt.sigma and target.lhs == nt.sigma**2:  # sigma = s read as sigma^2 = s^2
            sides = [s**2 for s in sides]
        if any(s.has(DOTS) for s in sides):
            return EquationVerdict(shown, "incomplete", read_as=read, message="the answer stops at …")
        alias = dict(zip(lhs_indices(lhs), lhs_indices(target.lhs)))
        extra = None if one_sided else mk.free_index(set(lhs_indices(lhs)) | mk.free_indices(lhs), sides[-1])
        structural = [("free-index", extra)] if extra else []
        structural += [("reused-index", m) for m in {mk.reused_index(s) for s in sides} if m]
        values = [[value(s, p, alias) for p in self.points] for s in sides]
        truth = [self.known((target.key, seed), target.rhs, p) for seed, p in zip(self.seeds, self.points)]
        chain = [truth] + values
        links = [all(same(u, v) for u, v in zip(a, b)) for a, b in pairwise(chain)]
        failing = None if one_sided or all(links) else links.index(False)
        self.links = len(links)
        wrong = next((n for n, v in enumerate(values) if not all(same(u, w) for u, w in zip(v, truth))), None)
        if wrong is None:
            routes = self.routes(sides, (target.key, None), target.rhs, alias, True, 0)
            if routes is None:
                return disagree(shown, read)
            if not structural:
                return EquationVerdict(shown, "correct", read_as=read, routes=routes)
            return replace(self.wrong(shown, read, failing, structural), routes=routes)
        student = values[wrong]
        for convention, form in self.forms[target.key][1:]:
            rhs = [self.known((target.key, convention, s), form, p) for s, p in zip(self.seeds, self.points)]
            if all(same(u, v) for u, v in zip(student, rhs)) and failing in (None, len(links) - 1):
                routes = self.routes([sides[wrong]], (target.key, convention), form, alias, True, 0)
                if routes is None:
                    return disagree(shown, read)
                return EquationVerdict(shown, "convention", read_as=read, convention=convention, routes=routes,
                                       message=f"correct with the {convention} convention (the exercise's own E differs)")
        at = next(n for n, (u, w) in enumerate(zip(student, truth)) if not same(u, w))  # a point that tells them apart
        routes = self.routes([sides[wrong]], (target.key, None), target.rhs, alias, False, at)
        if routes is None:
            return disagree(shown, read)
        verdict = self.wrong(shown, read, failing, structural + self.diagnose(target, student, truth))
        return replace(verdict, routes=routes)

    def routes(self, sides: list[sp.Basic], key: tuple[object, ...], truth: sp.Basic,
               alias: dict[sp.Symbol, sp.Symbol], equal: bool, at: int) -> tuple[str, ...] | None:
        """The routes behind what the points found (equal or not, at point `at`): the points, and the symbolic
        route at that point's sizes where it is cheap and decides the same; None where it decides otherwise
        at the same sizes (the routes disagree)."""
        if self.activation:  # the symbolic route keeps h undefined: the points decide alone
            return (POINTS,)
        if (*key, at) not in self.written:
            self.written[(*key, at)] = sy.written_truth(truth, self.points[at])
        written = self.written[(*key, at)]
        found = [sy.decide(s, written, self.points[at], alias) for s in sides]
        if any(f is (not equal) for f in found):
            return None
        return (POINTS, sy.ROUTE) if all(f is equal for f in found) else (POINTS,)

    def diagnose(self, target: Target, student: list[sp.Expr], truth: list[sp.Expr]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        survivors = list(enumerate(self.mutants[target.key]))
        for at in self.cheapest:  # every mutant is valued at the first point only: the one with the smallest sizes
            seed, p, v = self.seeds[at], self.points[at], student[at]
            survivors = [(n, cm) for n, cm in survivors if same(v, self.known((target.key, "m", n, seed), cm[1].expr, p))]
        for _, (_, m) in survivors:
            if m.id not in [f for f, _ in found]:
                found.append((m.id, m.message))
        ratios = [ratio(u, v) for u, v in zip(student, truth)]
        if not found and ratios[0] is not None and ratios[0] not in (0, 1, -1) and all(r == ratios[0] for r in ratios):
            found.append(("factor", mk.factor_message(ratios[0])))
        return found

    def wrong(self, shown: str, read: str, failing: int | None, found: list[tuple[str, str]]) -> EquationVerdict:
        ids = tuple(dict.fromkeys(i for i, _ in found))
        message = "; ".join(dict.fromkeys(m for _, m in found)) or "not the verified result"
        if failing is not None and self.links > 1:
            message += f" (the first false step is link {failing}: side {failing} = side {failing + 1})"
        return EquationVerdict(shown, "wrong", ids, read, failing, message)


def disagree(shown: str, read: str) -> EquationVerdict:
    return EquationVerdict(shown, "undecided", read_as=read, message="the exact points and the symbolic route disagree")


def combine(exercise: str, results: tuple[EquationVerdict, ...], missing: bool) -> Verdict:
    """The answer's verdict from its equations': any wrong is wrong, a result left out is incomplete; the
    routes are those that decided every equation."""
    verdict = combined(exercise, results, missing)
    routes = tuple(r for r in (POINTS, sy.ROUTE) if all(r in e.routes for e in results))
    return replace(verdict, routes=routes if verdict.verdict != "undecided" else ())


def combined(exercise: str, results: tuple[EquationVerdict, ...], missing: bool) -> Verdict:
    mistakes = tuple(dict.fromkeys(m for r in results for m in r.mistakes))
    conventions = [r.convention for r in results if r.convention]
    for kind in ("wrong", "undecided", "incomplete"):
        bad = [r for r in results if r.verdict == kind]
        if bad:
            said = [r.message if len(results) == 1 else f"{r.lhs}: {r.message}" for r in bad]
            return Verdict(exercise, kind, None, mistakes, results, "; ".join(said))
    if missing:
        return Verdict(exercise, "incomplete", None, (), results, "a result the exercise asks for is missing")
    if conventions:
        return Verdict(exercise, "convention", conventions[0], (), results, results[0].message)
    return Verdict(exercise, "correct", None, (), results, "equals the verified result")


CHECKERS: dict[str, Checker] = {}


def check(exercise: str, latex: str, timeout: float = 5.0, activation: str = "") -> Verdict:
    """One answer to one exercise; the exercise's references are prepared on first use. `activation`:
    a registered name (derive.core.activations), every hidden h is it, so its own h' is correct too."""
    key = f"{exercise}|{activation}" if activation else exercise
    if key not in CHECKERS:
        CHECKERS[key] = Checker(exercise, activation)
    return CHECKERS[key].check(latex, timeout)


BUILDING: dict[str, Background[Checker]] = {}


BUILD_LIMIT = 120.0  # seconds for building one exercise's references (cold: about a second)


def check_within(exercise: str, latex: str, timeout: float = 5.0, activation: str = "") -> Verdict:
    """One answer judged in `timeout` seconds (the CLI's). The exercise's verified references are built
    first, once, in a daemon thread with a limit of their own (BUILD_LIMIT; about a second cold): a build
    that outlasts it is `undecided`, never a hang."""
    start = time.perf_counter()
    key = f"{exercise}|{activation}" if activation else exercise
    if key not in CHECKERS:
        try:
            answer = parse(latex)  # bounded by its own limits; the first builds the parser (startup)
        except ParseError as e:
            return Verdict(exercise, "unreadable", message=f"{e}\n{e.caret()}", seconds=time.perf_counter() - start)
        limit = max(BUILD_LIMIT, timeout)
        if key not in BUILDING:
            BUILDING[key] = Background(lambda: Checker(exercise, activation))
        built = BUILDING[key].wait(limit)
        if built is None:
            return Verdict(exercise, "undecided", message=f"no verdict: the verified references were not built "
                           f"within {limit:g} s", seconds=time.perf_counter() - start, read_as=readback(answer))
        CHECKERS[key] = built
    start = time.perf_counter()
    left = timeout
    return replace(check(exercise, latex, left, activation), seconds=time.perf_counter() - start)
