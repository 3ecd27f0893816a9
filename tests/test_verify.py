"""The verification routes themselves: they pass identities and fail non-identities."""
from __future__ import annotations

import time

import pytest
import sympy as sp

from derive.core import notation as nt
from derive.core.checks import Context, time_limit, timed
from derive.core.verify import check_identity
from derive.core.expand import expand_definitions


def test_identity_passes_all_routes() -> None:
    x = sp.Symbol("x")
    checks = check_identity((x + 1) ** 2, x**2 + 2 * x + 1, Context(), real=True)
    assert [c.route for c in checks] == ["symbolic", "exact-rational", "float64"]
    assert all(c.passed for c in checks)


@pytest.mark.parametrize("wrong", ["x**2 + 2*x", "x**2 + x + 1", "(x - 1)**2"])
def test_non_identity_fails_every_route(wrong: str) -> None:
    x = sp.Symbol("x")
    checks = check_identity((x + 1) ** 2, sp.sympify(wrong), Context(), real=True)
    assert not any(c.passed for c in checks)


def test_undefined_function_is_replaced_by_surrogates() -> None:
    """h(a)^2 = h(a) h(a) for every h; h(2a) = 2 h(a) is not."""
    h, a = sp.Function("h"), sp.Symbol("a")
    assert all(c.passed for c in check_identity(h(a) ** 2, h(a) * h(a), Context()))
    assert not any(c.passed for c in check_identity(h(2 * a), 2 * h(a), Context()))


def test_transcendental_values_use_mpmath() -> None:
    a = sp.Symbol("a", positive=True)
    checks = check_identity(sp.log(a**2), 2 * sp.log(a), Context())
    assert checks[1].route == "mpmath-50" and checks[1].passed
    wrong = check_identity(sp.log(a**2), sp.log(a), Context())
    assert not wrong[1].passed


def test_symbolic_sizes_are_instantiated() -> None:
    x, i, n = nt.base("x"), nt.i, nt.N
    lhs = sp.Sum(2 * x[i], (i, 1, n))
    ctx = Context(sizes={n: (2, 3)})
    assert all(c.passed for c in check_identity(lhs, 2 * sp.Sum(x[i], (i, 1, n)), ctx))
    assert not any(c.passed for c in check_identity(lhs, sp.Sum(x[i], (i, 1, n)), ctx))


def test_definitions_expand_to_a_fixed_point() -> None:
    a, z = nt.base("a", 1), nt.base("z", 1)
    defs = {z: lambda j: sp.tanh(a[j]), a: lambda j: 3 * j}
    assert expand_definitions(z[2], defs) == sp.tanh(6)


def test_time_limit_turns_into_a_failed_check() -> None:
    def slow() -> tuple[bool, str]:
        time.sleep(5)
        return True, "never"
    start = time.perf_counter()
    check = timed("symbolic", slow, 0.2)
    assert not check.passed and "TimeoutError" in check.detail
    assert time.perf_counter() - start < 2


def test_an_exception_is_a_failed_check_not_a_crash() -> None:
    check = timed("exact-rational", lambda: (1 / 0, ""), 1)  # type: ignore[func-returns-value]
    assert not check.passed and "ZeroDivisionError" in check.detail


def test_time_limit_restores_the_alarm() -> None:
    with time_limit(0.5):
        pass
    time.sleep(0.6)  # no stray alarm fires


def test_derivative_with_respect_to_a_sampled_quantity() -> None:
    """d/dw E(w)^2 = 2 E(w) E'(w) for every E; a missing factor 2 is caught."""
    E, w = sp.Function("E"), sp.Symbol("w")
    lhs = sp.Derivative(E(w) ** 2, w)
    assert all(c.passed for c in check_identity(lhs, 2 * E(w) * sp.Derivative(E(w), w), Context()))
    assert not any(c.passed for c in check_identity(lhs, E(w) * sp.Derivative(E(w), w), Context()))
