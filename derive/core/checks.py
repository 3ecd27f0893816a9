"""A check's outcome (`Check`), what a check needs to know (`Context`), time limits."""
from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

Definitions = dict[Any, Any]  # IndexedBase -> Callable[..., Expr], or Symbol -> Expr
Point = dict[sp.Expr, sp.Expr]


Outcome = tuple[bool, str]  # (passed, detail) of one route on one claim
CONTROL_P = 97  # wrong claims differ from the true ones by about 1/97


@dataclass(frozen=True)
class Check:
    """The outcome of one route on one claim, and of its control.

    control: "rejected" when the same route, run on a deliberately wrong claim (the right
    side perturbed, see `wrong_claim`), rejected it: the check can fail, and it counts.
    "passed" when the route accepted the wrong claim too, "error" when the control raised
    or timed out: the check is powerless and does not count. None when no control ran
    (the check itself failed, or it has none: also powerless).
    """

    route: str
    passed: bool
    seconds: float
    detail: str
    control: str | None = None
    undecided: bool = False  # the route ran out of time: neither passed nor failed

    @property
    def status(self) -> str:
        """passed, failed, or undecided (a time-out is never a failure)."""
        return "passed" if self.passed else "undecided" if self.undecided else "failed"

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def counts(self) -> bool:
        """Evidence: the claim passed and a wrong claim was rejected by the same route."""
        return self.passed and self.control == "rejected"

    @property
    def powerless(self) -> bool:
        return self.passed and self.control != "rejected"

    def as_dict(self) -> dict[str, object]:
        return {"route": self.route, "status": self.status, "passed": self.passed, "control": self.control,
                "seconds": round(self.seconds, 4), "detail": self.detail}


@dataclass
class Context:
    """What a check needs to know beyond the two expressions.

    definitions: each defined quantity (a, z, y, ...) as a function of its indices.
    sizes: candidate values for symbolic sizes (N, D, K, M, ...) at numeric points.
    positive: names of IndexedBases/Symbols that must be sampled positive (y in log y).
    constraints: hooks that adjust a sampled point (one-hot targets: sum_k t_k = 1).
    indices: free unit indices and their upper bound (j runs over 1..K), picked at random.
    real: an activation name for the float64 route to use in place of an undefined h.
    relations: the constraints in symbolic form, for the symbolic route: each maps
        (lhs - rhs, sizes) to the same with the constraint used (one-hot targets at K = 3:
        t_3 = 1 - t_1 - t_2); sizes is empty at symbolic sizes.
    """

    definitions: Definitions = field(default_factory=dict)
    sizes: dict[sp.Symbol, tuple[int, ...]] = field(default_factory=dict)
    positive: frozenset[str] = frozenset()
    constraints: tuple[Callable[[Point, dict[sp.Symbol, int], random.Random], None], ...] = ()
    indices: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    real: str = "tanh"
    seeds: tuple[int, ...] = (1, 2, 3)
    time_limit: float = 20.0
    cache: dict[object, sp.Expr] = field(default_factory=dict, repr=False, compare=False)
    relations: tuple[Callable[[sp.Expr, dict[sp.Symbol, int]], sp.Expr], ...] = ()


# --- time limits ----------------------------------------------------------------------
@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError after `seconds` (SIGALRM, main thread only; elsewhere no limit)."""
    def _raise(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds:g} s")
    try:
        previous = signal.signal(signal.SIGALRM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


SCALE = {"limits": 1.0}  # every time limit is multiplied by this (`derive verify --timeout`)
DEFAULT_LIMIT = 20.0  # seconds per route, before scaling


def scale_limits(seconds: float) -> None:
    """`--timeout SECONDS`: the default route limit becomes SECONDS, every other limit in proportion."""
    SCALE["limits"] = seconds / DEFAULT_LIMIT


def run_route(fn: Callable[[], Outcome], limit: float) -> tuple[bool, str, str | None]:
    """One route under a (scaled) time limit: (passed, detail, trouble), trouble None,
    "timeout" or "error". An exception is a failure with its reason, never a crash; a
    time-out is neither a pass nor a failure."""
    seconds = limit * SCALE["limits"]
    try:
        with time_limit(seconds):
            passed, detail = fn()
            return passed, detail, None
    except TimeoutError:
        return False, f"undecided: no answer within {seconds:g} s", "timeout"
    except Exception as exc:  # noqa: BLE001 - a route that errs has not verified
        return False, f"{type(exc).__name__}: {exc}", "error"


def timed(route: str, fn: Callable[[], Outcome], limit: float,
          control: Callable[[], Outcome] | None = None) -> Check:
    """Run one route under a time limit, then (if it passed) its control.

    `control` runs the same route on a deliberately wrong claim; it must return passed =
    False. If it passes (or errs), the check is powerless: reported, and not counted.
    """
    start = time.perf_counter()
    passed, detail, trouble = run_route(fn, limit)
    verdict = None
    if passed and control is not None:
        wrong, why, erred = run_route(control, limit)
        verdict = "error" if erred else "passed" if wrong else "rejected"
        if verdict != "rejected":
            detail += f"; control {verdict} (powerless): {why[:160]}"
    return Check(route, passed, time.perf_counter() - start, detail, verdict, trouble == "timeout")


@dataclass(frozen=True)
class Wrong:
    """How a claim is made deliberately wrong: its right side times `scale`, plus `offset`."""

    offset: sp.Expr = sp.Integer(0)
    scale: sp.Expr = sp.Integer(1)

    def apply(self, rhs: sp.Expr, offset: sp.Expr | None = None) -> sp.Expr:
        """The wrong right side; `offset` replaces self.offset (the same, made concrete)."""
        shift = self.offset if offset is None else offset
        return self.scale * rhs if shift == 0 else self.scale * rhs + shift


def perturbation(rhs: sp.Expr, lhs: sp.Expr | None = None) -> Wrong:
    """The perturbation of a claim's right side by about 1/97 of something sampled.

    rhs + (1 + u^2)/97 with u a quantity of the claim (never zero for real u, and it
    varies with the point, so no route can subtract it off as a constant); a matrix
    right side is scaled by 98/97 instead.
    """
    matrices = isinstance(rhs, (sp.MatrixBase, sp.MatrixExpr)) or getattr(rhs, "is_Matrix", False)
    if matrices or rhs.atoms(sp.MatrixSymbol):
        return Wrong(scale=sp.Rational(CONTROL_P + 1, CONTROL_P))
    claim = rhs if lhs is None else sp.Tuple(lhs, rhs)
    bound = {v for s in claim.atoms(sp.Sum, sp.Product) for v in s.variables}
    quantities: list[sp.Expr] = sorted((e for e in claim.atoms(sp.Indexed) if not e.free_symbols & bound),
                                       key=sp.default_sort_key)
    quantities += sorted((s for s in claim.free_symbols - bound if isinstance(s, sp.Symbol)), key=str)
    u = quantities[0] if quantities else sp.Integer(1)
    return Wrong(offset=(1 + u**2) / CONTROL_P)


def wrong_claim(rhs: sp.Expr, lhs: sp.Expr | None = None) -> sp.Expr:
    """The right side of a claim made deliberately wrong (see `perturbation`)."""
    return perturbation(rhs, lhs).apply(rhs)
