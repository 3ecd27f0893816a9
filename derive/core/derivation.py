"""A derivation: the claim an exercise asks to show, and the ordered steps that reach it.

Every step holds an expression and the named rule that produced it from the previous
one; ``then`` applies the rule, so a step is computed, never typed in. The chain reads
lhs = rhs_0 = rhs_1 = ... = rhs_n, and the claim is rhs_n = target. ``verify`` checks
every link of that chain (see derive.verify) and records the checks on the derivation,
so a derivation that leaves its builder carries its own verdict with it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from derive.core.checks import Check, Context
from derive.core.verify import check_identity


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

    def verify(self) -> Derivation:
        """Check lhs = rhs_0, every rhs_i = rhs_{i+1}, and rhs_n = target."""
        self.checks = []
        previous, label = self.lhs, "lhs"
        for number, step in enumerate(self.steps):
            self.checks += check_identity(previous, step.rhs, self.context,
                                          what=f"{label} = step {number} ({step.rule})")
            previous, label = step.rhs, f"step {number}"
        if self.target is not None:
            self.checks += check_identity(self.result, self.target, self.context,
                                          what="last step = claim", real=True)
        return self

    def step_checks(self, number: int) -> list[Check]:
        """The checks of the link that produced step `number`: lhs = step 0, step i-1 = step i."""
        prefix = "lhs = step 0 (" if number == 0 else f"step {number - 1} = step {number} ("
        return [c for c in self.checks if c.detail.startswith(prefix)]

    def claim_checks(self) -> list[Check]:
        """The checks of the last link: last step = claim."""
        return [c for c in self.checks if c.detail.startswith("last step = claim")]

    @property
    def routes(self) -> list[str]:
        return sorted({c.route for c in self.checks})

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)
