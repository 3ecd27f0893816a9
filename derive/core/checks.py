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


@dataclass(frozen=True)
class Check:
    """The outcome of one route on one claim."""

    route: str
    passed: bool
    seconds: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"route": self.route, "passed": self.passed,
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


def timed(route: str, fn: Callable[[], tuple[bool, str]], limit: float) -> Check:
    """Run one route under a time limit; any exception is a failed check, not a crash."""
    start = time.perf_counter()
    try:
        with time_limit(limit):
            passed, detail = fn()
    except Exception as exc:  # noqa: BLE001 - a route that errs has not verified
        passed, detail = False, f"{type(exc).__name__}: {exc}"
    return Check(route, passed, time.perf_counter() - start, detail)
