"""derive check's points draw what the exercise says: g's y a softmax output in (0, 1) summing to 1 over k."""
from __future__ import annotations

from dataclasses import replace

import pytest

from derive.check.judge import Checker
from derive.check.names import concept
from derive.check.numeric import Point, value
from derive.check.targets import target_reference

LOG_INVERSE = r"E = \sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log \frac{1}{y_{nk}}"
y, t = concept("y", None), concept("t", None)


@pytest.mark.parametrize("seed", range(4))
def test_g_draws_y_in_the_open_unit_interval_summing_to_one(seed: int) -> None:
    p = Point(target_reference("g").space, seed)
    K, N = (next(v for s, v in p.sizes.items() if s.name == name) for name in ("K", "N"))
    for n in range(1, N + 1):
        row = [value(y[n, k], p) for k in range(1, K + 1)]
        assert all(0 < v < 1 for v in row) and sum(row) == 1, row


def test_i_still_draws_a_one_hot_sum() -> None:
    p = Point(target_reference("i").space, 0)
    K = next(v for s, v in p.sizes.items() if s.name == "K")
    assert sum(value(t[k], p) for k in range(1, K + 1)) == 1


def test_log_of_the_inverse_needs_the_positive_y() -> None:
    """The constraint is what accepts log(1/y) = -log y: drawn anywhere (a negative y), the same answer is rejected."""
    assert Checker("g").check(LOG_INVERSE).verdict == "correct"
    c = Checker("g")
    c.ref = replace(c.ref, space=replace(c.ref.space, simplex=None))
    c.points = [Point(c.ref.space, seed) for seed in range(4)]
    c.cache.clear()
    c.written.clear()
    assert c.check(LOG_INVERSE).verdict in ("wrong", "undecided")


def test_the_sum_to_one_is_used() -> None:
    """y normalised by its own sum is y only because the y of a point sums to 1; a y not normalised is wrong."""
    c = Checker("g")
    normalised = r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log \frac{y_{nk}}{\sum_{m=1}^{K} y_{nm}}"
    assert c.check(normalised).verdict == "correct"
    assert c.check(normalised.replace(r"\sum_{m=1}^{K} y_{nm}", r"\sum_{m=1}^{K} t_{nm}")).verdict == "wrong"
