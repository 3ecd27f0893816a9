"""A derivation: the claim an exercise asks to show, and the ordered steps that reach it.

Every step holds an expression and the named rule that produced it from the previous
one; ``then`` applies the rule, so a step is computed, never typed in. The chain reads
lhs = rhs_0 = rhs_1 = ... = rhs_n, and the claim is rhs_n = target. ``verify`` checks
every link of that chain (see derive.verify) and records the checks on the derivation,
so a derivation that leaves its builder carries its own verdict with it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sympy as sp

from derive.core.checks import Check, Context
from derive.core.verify import check_identity


PROVEN_ELSEWHERE = {"on": False}


@contextmanager
def proven_elsewhere() -> Iterator[None]:
    """Build derivations without checking them, for a caller that needs only their expressions
    (derive check's references): the same builders, so the same trees `derive verify` proves."""
    before = PROVEN_ELSEWHERE["on"]
    PROVEN_ELSEWHERE["on"] = True
    try:
        yield
    finally:
        PROVEN_ELSEWHERE["on"] = before


@dataclass(frozen=True)
class Step:
    """One line of a derivation: the expression and the rule that produced it."""

    rhs: sp.Expr
    rule: str
    cite: str = ""


@dataclass
class Derivation:
    """lhs = rhs_0 = ... = rhs_n, with each rhs produced by a named rule; claim rhs_n = target."""

    title: str
    lhs: sp.Expr
    context: Context
    steps: list[Step] = field(default_factory=list)
    target: sp.Expr | None = None
    checks: list[Check] = field(default_factory=list)
    note: str = ""

    @classmethod
    def start(cls, title: str, lhs: sp.Expr, rhs: sp.Expr, rule: str, context: Context,
              cite: str = "", note: str = "") -> Derivation:
        """The first line: lhs = rhs by a definition or an assumption (named by `rule`)."""
        return cls(title, lhs, context, [Step(rhs, rule, cite)], note=note)

    def then(self, rule: str, fn: Callable[[sp.Expr], sp.Expr], cite: str = "") -> Derivation:
        """Apply `fn` (the rule named `rule`) to the last expression to make the next step."""
        self.steps.append(Step(fn(self.result), rule, cite))
        return self

    def claim(self, target: sp.Expr) -> Derivation:
        """What the exercise asks to show: the last step must equal `target`."""
        self.target = target
        return self

    @property
    def result(self) -> sp.Expr:
        return self.steps[-1].rhs

    def links(self) -> list[tuple[str, sp.Expr, sp.Expr]]:
        """(label, left, right) of every link: lhs = step 0, step i = step i+1, and the claim.

        When the claim is the last step itself (one tree), comparing the two proves nothing,
        so the claim is checked against the left side directly ("lhs = claim").
        """
        chain = [("lhs", self.lhs)] + [(f"step {n}", step.rhs) for n, step in enumerate(self.steps)]
        out = [(f"{a} = step {n} ({self.steps[n].rule})", x, y)
               for n, ((a, x), (_, y)) in enumerate(zip(chain, chain[1:]))]
        if self.target is not None:
            same = self.result == self.target
            out.append(("lhs = claim" if same else "last step = claim",
                        self.lhs if same else self.result, self.target))
        return out

    def verify(self) -> Derivation:
        """Check every link by every route of derive.core.verify (float64 on the claim); inside
        `proven_elsewhere()` nothing (the derivation's steps and claim only)."""
        if PROVEN_ELSEWHERE["on"]:
            self.checks = []
            return self
        self.checks = self.short()
        for label, left, right in self.links():
            self.checks += check_identity(left, right, self.context, what=label, real="claim" in label)
        return self

    def short(self) -> list[Check]:
        """[] when the last step is the claim up to bound names and expand (no definition, no
        rule); else one failed check: the named rules stop short of what the exercise asks,
        and the sheet would show a claim no step produced."""
        if self.target is None or self.result == self.target:
            return []
        last, claim = self.result.as_dummy(), self.target.as_dummy()
        if last == claim or sp.expand(last - claim) == 0:
            return []
        return [Check("symbolic", False, 0.0, f"last step = claim: the rules stop short, the last step "
                                              f"({self.steps[-1].rule}) is not the claim by algebra alone")]

    def step_checks(self, number: int) -> list[Check]:
        """The checks of the link that produced step `number`: lhs = step 0, step i-1 = step i."""
        prefix = "lhs = step 0 (" if number == 0 else f"step {number - 1} = step {number} ("
        return [c for c in self.checks if c.detail.startswith(prefix)]

    def claim_checks(self) -> list[Check]:
        """The checks of the claim: last step = claim, or lhs = claim where the two are one tree."""
        return [c for c in self.checks if c.detail.startswith(("last step = claim", "lhs = claim"))]

    @property
    def routes(self) -> list[str]:
        return sorted({c.route for c in self.checks})

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def powerless(self) -> list[Check]:
        return [c for c in self.checks if c.powerless]
