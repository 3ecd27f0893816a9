"""What an exercise is (`Exercise`), the architecture it is asked about (`Config`), the registry.

Builders register themselves with ``@exercise("a")``; ``run`` builds and times them in
letter order. `Config` carries the one architecture the user asked about (``--widths``,
``--activation``) for the exercises that hold for any architecture, and the loss and
reduction (``--loss``, ``--reduction``) for exercise "losses" (None: every one).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from derive.core.checks import Check
from derive.core.derivation import Derivation


@dataclass(frozen=True)
class Config:
    """widths = (D, M_1, ..., K); activations: one name per hidden layer; loss, reduction: the one
    loss of derive.core.losses and reduction ("sum", "mean") exercise "losses" derives, None for all."""

    widths: tuple[int, ...] = (2, 3, 2)
    activations: tuple[str, ...] = ("tanh",)
    loss: str | None = None
    reduction: str | None = None

    @property
    def L(self) -> int:
        return len(self.widths) - 1


@dataclass
class Exercise:
    """One exercise: what it asks, the conventions it rests on, its derivations and checks."""

    id: str
    title: str
    statement: str
    conventions: list[str] = field(default_factory=list)
    derivations: list[Derivation] = field(default_factory=list)
    extra_checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def checks(self) -> list[Check]:
        return [c for d in self.derivations for c in d.checks] + self.extra_checks

    @property
    def routes(self) -> list[str]:
        """The routes whose checks count (passed, with a rejected control)."""
        return sorted({c.route for c in self.checks if c.counts})

    @property
    def counted(self) -> list[Check]:
        return [c for c in self.checks if c.counts]

    @property
    def powerless(self) -> list[Check]:
        return [c for c in self.checks if c.powerless]

    @property
    def verified(self) -> bool:
        """Nothing failed, nothing is powerless, and the checks that count cover two routes or more."""
        checks = self.checks
        return bool(checks) and all(c.counts for c in checks) and len(self.routes) >= 2

    @property
    def undecided(self) -> bool:
        """Something ran out of time and nothing failed: neither verified nor failed."""
        checks = self.checks
        return any(c.undecided for c in checks) and not any(c.failed for c in checks)

    @property
    def status(self) -> str:
        return "verified" if self.verified else "undecided" if self.undecided else "failed"

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "status": self.status,
                "seconds": round(self.seconds, 4),
                "counted": len(self.counted), "powerless": len(self.powerless),
                "checks": [c.as_dict() for c in self.checks]}


Builder = Callable[[Config], Exercise]
REGISTRY: dict[str, Builder] = {}


def exercise(letter: str) -> Callable[[Builder], Builder]:
    """Register a builder under its exercise letter (or a name such as 'vectorised')."""
    def register(builder: Builder) -> Builder:
        REGISTRY[letter] = builder
        return builder
    return register


def run(config: Config = Config(), only: Iterable[str] | None = None) -> list[Exercise]:
    """Build (and so verify) each registered exercise, in registry order, timing each.

    A builder that raises gives a failed exercise whose one check says why, so the report is
    always complete.
    """
    wanted = list(only) if only is not None else list(REGISTRY)
    results = []
    for letter in wanted:
        builder = REGISTRY[letter]
        start = time.perf_counter()
        try:
            ex = builder(config)
        except Exception as exc:  # noqa: BLE001 - a builder that raises is a failed exercise
            why = f"builder raised {type(exc).__name__}" + (f": {exc}" if str(exc) else "")
            ex = Exercise(letter, f"exercise {letter} (not built)", why,
                          extra_checks=[Check("builder", False, time.perf_counter() - start, why)])
        ex.seconds = time.perf_counter() - start
        results.append(ex)
    return results

