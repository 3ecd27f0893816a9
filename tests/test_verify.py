"""The verification routes themselves: they pass identities and fail non-identities."""
from __future__ import annotations

import time
from dataclasses import replace

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
    """(h(a) + 1)^2 = h(a)^2 + 2 h(a) + 1 for every h; h(2a) = 2 h(a) is not."""
    h, a = sp.Function("h"), sp.Symbol("a")
    assert all(c.passed for c in check_identity((h(a) + 1) ** 2, h(a) ** 2 + 2 * h(a) + 1, Context()))
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


def test_a_time_out_is_undecided_never_failed() -> None:
    def slow() -> tuple[bool, str]:
        time.sleep(5)
        return True, "never"
    start = time.perf_counter()
    check = timed("symbolic", slow, 0.2)
    assert not check.passed and check.undecided and not check.failed and check.status == "undecided"
    assert "undecided: no answer within 0.2 s" in check.detail
    assert check.as_dict()["status"] == "undecided"
    assert time.perf_counter() - start < 2


def test_timeout_scales_every_limit() -> None:
    from derive.core.checks import SCALE, scale_limits
    try:
        scale_limits(2.0)  # --timeout 2: the default 20 s becomes 2 s, a 0.2 s limit 0.02 s
        check = timed("symbolic", lambda: (time.sleep(1), (True, ""))[1], 0.2)
        assert check.undecided and "0.02 s" in check.detail
    finally:
        SCALE["limits"] = 1.0


def test_an_exercise_with_a_time_out_and_no_failure_is_undecided() -> None:
    from derive.core.checks import Check
    from derive.exercises import Exercise
    ok = Check("symbolic", True, 0.0, "", "rejected")
    late = Check("exact-rational", False, 0.0, "undecided", None, True)
    wrong = Check("float64", False, 0.0, "1 != 2")
    assert Exercise("x", "", "", extra_checks=[ok, late]).status == "undecided"
    assert Exercise("x", "", "", extra_checks=[ok, late, wrong]).status == "failed"
    assert Exercise("x", "", "", extra_checks=[ok, replace(ok, route="float64")]).status == "verified"


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


def test_every_route_has_a_control_that_rejects_a_wrong_claim() -> None:
    """Each route also runs on lhs = rhs + (1 + u^2)/97 and must reject it: the check counts."""
    x, y = sp.symbols("x y")
    checks = check_identity((x + y) ** 2, x**2 + 2 * x * y + y**2, Context(), real=True)
    assert [c.route for c in checks] == ["symbolic", "exact-rational", "float64"]
    assert all(c.passed and c.control == "rejected" and c.counts for c in checks)


def test_a_route_that_cannot_fail_is_powerless() -> None:
    """A route that ignores its claim passes the wrong claim too: powerless, not counted."""
    from derive.core.checks import timed
    blind = timed("blind", lambda: (True, "always"), 1.0, lambda: (True, "always"))
    assert blind.passed and blind.control == "passed" and blind.powerless and not blind.counts
    erring = timed("erring", lambda: (True, "ok"), 1.0, lambda: (1 / 0, "x"))
    assert erring.control == "error" and not erring.counts
    assert timed("none", lambda: (True, "ok"), 1.0).powerless  # no control: not evidence


def test_two_sides_that_are_one_tree_are_not_compared() -> None:
    """X = X proves nothing: such a link fails instead of passing every route."""
    x = sp.Symbol("x")
    checks = check_identity(x + 1, x + 1, Context(), real=True)
    assert len(checks) == 1 and not checks[0].passed and "same expression" in checks[0].detail


def test_a_claim_equal_to_the_last_step_is_checked_against_the_lhs() -> None:
    """lhs = step 0 = claim: the claim link compares lhs with the claim, never step 0 with itself."""
    from derive.core.derivation import Derivation
    x = sp.Symbol("x")
    d = Derivation.start("t", (x + 1) ** 2, x**2 + 2 * x + 1, "expand", Context()).claim(x**2 + 2 * x + 1)
    d.verify()
    assert [label for label, _, _ in d.links()] == ["lhs = step 0 (expand)", "lhs = claim"]
    assert d.verified and all(c.counts for c in d.checks)
    assert "float64" in {c.route for c in d.claim_checks()}
    wrong = Derivation.start("t", (x + 1) ** 2, x**2 + 2 * x + 1, "expand", Context()).claim(x**2 + 2 * x + 1)
    wrong.lhs = (x + 2) ** 2  # the chain's first link and the claim link must both fail now
    wrong.verify()
    assert not any(c.passed for c in wrong.claim_checks())


def test_a_powerless_check_keeps_an_exercise_from_verifying() -> None:
    """A check whose control passed proves nothing: the exercise is not verified with it."""
    from derive.core.checks import Check
    from derive.exercises import Exercise
    good = [Check("symbolic", True, 0.0, "", "rejected"), Check("float64", True, 0.0, "", "rejected")]
    assert Exercise("x", "", "", extra_checks=good).verified
    blind = Check("exact-rational", True, 0.0, "; control passed (powerless)", "passed")
    ex = Exercise("x", "", "", extra_checks=good + [blind])
    assert not ex.verified and ex.powerless == [blind] and ex.status == "failed"


def test_rules_that_stop_short_of_the_claim_fail_the_derivation() -> None:
    """The last step must be the claim up to bound names and expand: a rule that does only
    half its job leaves a true step that is not the claim, and the derivation fails."""
    from derive.core.derivation import Derivation
    x, k, K = sp.Symbol("x"), sp.Symbol("k"), sp.Symbol("K")
    u = sp.IndexedBase("u")
    ctx = Context(sizes={K: (2, 3)})
    done = Derivation.start("done", (x + 1) ** 2, x**2 + 2 * x + 1, "expand", ctx).claim(1 + 2 * x + x**2)
    assert done.short() == []
    m = sp.Symbol("m")
    renamed = Derivation.start("renamed", x, x + sp.Sum(u[k], (k, 1, K)), "a sum", ctx)
    assert renamed.claim(sp.Sum(u[m], (m, 1, K)) + x).short() == []
    short = Derivation.start("short", (x + 1) ** 2, x * (x + 2) + 1, "square", ctx).claim(x**2 + 2 * x + 1)
    assert short.short() == [] and short.verify().verified  # expand closes it: algebra alone
    stops = Derivation.start("stops", sp.Integer(2), sp.Sum(sp.KroneckerDelta(k, 1) * 2, (k, 1, K)), "delta", ctx)
    stops.claim(sp.Integer(2)).verify()
    assert not stops.verified and "stop short" in stops.checks[0].detail
