"""Property tests: option parsing and the random-point route on random polynomials."""
from __future__ import annotations

import sympy as sp
from hypothesis import given, settings, strategies as st

from derive.core.errors import DeriveError
from derive.core.options import parse_activations, parse_widths
from derive.core.checks import Context
from derive.core.verify import check_identity

widths = st.lists(st.integers(1, 50), min_size=2, max_size=9)


@given(widths)
def test_widths_round_trip(ws: list[int]) -> None:
    assert parse_widths(",".join(map(str, ws))) == tuple(ws)


@given(widths, st.integers(0, 8), st.integers(-5, 0))
def test_a_non_positive_width_is_refused(ws: list[int], at: int, bad: int) -> None:
    ws = list(ws)
    ws[at % len(ws)] = bad
    try:
        parse_widths(",".join(map(str, ws)))
    except DeriveError as exc:
        assert "positive integer" in str(exc)
    else:
        raise AssertionError("accepted a non-positive width")


@given(st.integers(0, 6))
def test_one_name_applies_to_every_hidden_layer(hidden: int) -> None:
    assert parse_activations("sigmoid", hidden) == ("sigmoid",) * hidden


coefficients = st.lists(st.integers(-9, 9), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None)
@given(coefficients, coefficients)
def test_random_point_route_agrees_with_algebra(p: list[int], q: list[int]) -> None:
    """p(x) q(x) = expand(p q) always; p q + 1 = expand(p q) never."""
    x = sp.Symbol("x")
    P = sum(c * x**i for i, c in enumerate(p))
    Q = sum(c * x**i for i, c in enumerate(q))
    good = check_identity(P * Q, sp.expand(P * Q), Context(seeds=(1,)))
    bad = check_identity(P * Q + 1, sp.expand(P * Q), Context(seeds=(1,)))
    if P * Q == sp.expand(P * Q):  # one tree: nothing to compare, and the check says so
        assert [c.passed for c in good] == [False] and "same expression" in good[0].detail
    else:
        assert all(c.passed and c.counts for c in good)
    assert not any(c.passed for c in bad)
