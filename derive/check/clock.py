"""Time limits that nest (a route's inside an answer's) and a bounded wait for work in another thread.

`within(s)` raises TimeoutError after s seconds of wall time (SIGALRM, main thread only; elsewhere
no limit). Nested, the earliest deadline fires first and an inner one, left, re-arms the outer's
remainder: derive.core.checks.time_limit, by contrast, cancels whatever timer was set before it.
Who catches a TimeoutError inside an enclosing limit asks `overdue()` whether it was the outer one.
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
REPEAT = 0.05
DEADLINES: list[float] = []  # monotonic instants, innermost last (a timer found set counts as one)


def _expired(signum: int, frame: object) -> None:
    raise TimeoutError("time limit reached")


def _arm(deadlines: list[float]) -> None:
    """The earliest deadline, then again every REPEAT s: an alarm swallowed (one raised in a gc callback is
    only printed) is raised once more."""
    left = min(deadlines) - time.monotonic() if deadlines else 0.0
    signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6) if deadlines else 0.0, REPEAT if deadlines else 0.0)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Raise TimeoutError when `seconds` have passed, or when an enclosing limit runs out first."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    now, depth = time.monotonic(), len(DEADLINES)
    running = signal.getitimer(signal.ITIMER_REAL)[0]  # a timer set by someone else (core.checks.time_limit)
    found = [now + running] if running > 0 and not DEADLINES else []
    previous = signal.signal(signal.SIGALRM, _expired)
    try:  # armed inside: a limit that fires at once still leaves everything as it found it
        DEADLINES.extend(found + [now + max(seconds, 1e-6)])
        _arm(DEADLINES)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        outer = DEADLINES[:depth] + found
        del DEADLINES[depth:]
        signal.signal(signal.SIGALRM, previous)
        _arm(outer)


def overdue() -> bool:
    """Whether an enclosing limit has run out: a TimeoutError caught inside it must be raised on."""
    return bool(DEADLINES) and min(DEADLINES) <= time.monotonic()


class Background(Generic[T]):
    """A function run once in a daemon thread; `wait(s)` gives its result, or None while it still runs."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self.result: list[T] = []
        self.error: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn: Callable[[], T]) -> None:
        try:
            self.result.append(fn())
        except BaseException as e:  # noqa: BLE001 - re-raised in the waiting thread
            self.error.append(e)

    def wait(self, seconds: float) -> T | None:
        self.thread.join(max(seconds, 0.0))
        if self.error:
            raise self.error[0]
        return self.result[0] if self.result else None
