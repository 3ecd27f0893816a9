"""The activation registry against its independent implementations, and what that buys the routes.

Every test shows the checker accepting the right thing and rejecting a wrong one.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
import sympy as sp

from derive.backprop import matrix_check as vc
from derive.backprop.compare import compare
from derive.backprop.matrix_form import Model
from derive.backprop.net import Net, registry_fn
from derive.core import activations
from derive.core.activations import NUMERIC, REGISTRY, a, z
from derive.core.errors import DeriveError
from derive.core.fields import EXACT, MODULAR, MPMATH

OFF = (1 + a**2) / 97  # a wrong formula: the right one plus this
WRONG_SOFTPLUS = sp.log(2 + sp.exp(a))
RELU_NET = Net((2, 4, 3), ("relu",), "sum-of-squares", "identity")
SOFTPLUS_NET = Net((2, 3, 2), ("softplus",), "sum-of-squares", "identity")


def wrong_relu_prime(u: object) -> int:
    return 1 if u < 0 else 0  # type: ignore[operator]


# --- (a) every registered activation agrees with its independent implementation ------------------
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registered_activation_agrees_with_independent_one(name: str) -> None:
    act = REGISTRY[name]
    activations.check(act)  # the right formulas pass
    for wrong, what in [(replace(act, h=act.h + OFF), "h of"), (replace(act, dh=act.dh + OFF), "h' of")]:
        with pytest.raises(DeriveError, match=what):
            activations.check(wrong)
    g = act.dh_from_z  # found and proven by derive.core.zform, then checked against NUMERIC
    if g is not None:
        activations.check_z_form(act, g)
        with pytest.raises(DeriveError, match="h' of"):
            activations.check_z_form(act, g + (1 + z**2) / 97)


@pytest.mark.parametrize("name", sorted(NUMERIC))
def test_independent_h_prime_is_checked_by_differences(name: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    num = NUMERIC[name]
    activations.check(REGISTRY[name])
    monkeypatch.setitem(NUMERIC, name, replace(num, dh=lambda u: num.dh(u) + Fraction(1, 97)))
    with pytest.raises(DeriveError, match="central difference|one-sided"):
        activations.check(REGISTRY[name])


def test_no_independent_implementation_no_registration(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(activations, "REGISTRY", dict(REGISTRY))
    with pytest.raises(DeriveError, match="no independent implementation"):
        activations.register("swoosh", a / (1 + sp.exp(-a)))
    assert "swoosh" not in activations.REGISTRY
    activations.register("h_undefined", sp.Function("h")(a))  # an explicitly undefined h has no values
    assert "h_undefined" in activations.REGISTRY


# --- (b) a wrong SymPy h: the registration check and the two routes both see it --------------------
def test_wrong_softplus_formula_fails_registration() -> None:
    activations.check(REGISTRY["softplus"])
    with pytest.raises(DeriveError, match=r"^h of softplus is log\(exp\(a\) \+ 2\)"):
        activations.register("softplus", WRONG_SOFTPLUS)
    assert REGISTRY["softplus"] is activations.softplus  # nothing got in
    with pytest.raises(DeriveError) as info:
        activations.check(replace(activations.softplus, h=WRONG_SOFTPLUS, dh=sp.diff(WRONG_SOFTPLUS, a)))
    assert "\n" not in str(info.value)


def test_wrong_softplus_formula_is_a_mismatch_between_the_routes(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    right = compare(SOFTPLUS_NET, MPMATH, seed=1)
    assert right.passed, right.detail
    wrong = replace(activations.softplus, h=WRONG_SOFTPLUS, dh=sp.diff(WRONG_SOFTPLUS, a))
    monkeypatch.setitem(REGISTRY, "softplus", wrong)  # what route 1 differentiates
    comparison = compare(SOFTPLUS_NET, MPMATH, seed=1)
    assert not comparison.passed and "differ" in comparison.detail, comparison.detail


def test_route_2_does_not_read_the_sympy_formula(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import mpmath
    h, dh = registry_fn("softplus", MPMATH)
    monkeypatch.setitem(REGISTRY, "softplus", replace(activations.softplus, h=WRONG_SOFTPLUS))
    h2, dh2 = registry_fn("softplus", MPMATH)
    u = mpmath.mpf(1) / 3
    assert h2(u) == h(u) == mpmath.log1p(mpmath.exp(u)) and dh2(u) == dh(u)


# --- (c) a wrong relu' in the independent table: the comparison on a relu network sees it ----------
@pytest.mark.parametrize("field", [EXACT, MPMATH])
def test_wrong_independent_relu_prime_fails_the_routes(field, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    right = compare(RELU_NET, field, seed=2)
    assert right.passed, right.detail
    monkeypatch.setitem(NUMERIC, "relu", replace(NUMERIC["relu"], dh=wrong_relu_prime))
    wrong = compare(RELU_NET, field, seed=2)
    assert not wrong.passed and "differ" in wrong.detail, wrong.detail
    with pytest.raises(DeriveError, match="relu"):
        activations.check(REGISTRY["relu"])


def test_wrong_independent_relu_prime_is_caught_by_the_matrix_form(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The matrix form has its own Heaviside: against route 2 it fails, against route 1 not."""
    model = Model.of((3, 4, 4, 2), ("relu", "identity"), "sum-of-squares", N=2)
    assert vc.against_recursion(model)[0] and vc.against_differentiation(model)[0]
    monkeypatch.setitem(NUMERIC, "relu", replace(NUMERIC["relu"], dh=wrong_relu_prime))
    assert not vc.against_recursion(model)[0]
    assert vc.against_differentiation(model)[0]


def test_relu_networks_are_in_exercise_j_sweep() -> None:
    from derive.exercises import Config, run
    ex, = run(Config((3, 4, 4, 2), ("tanh", "tanh")), ["j"])
    relu = [c for c in ex.checks if "relu" in c.detail.split(", out")[0]]
    assert any(c.route == EXACT.name for c in relu) and any(c.route == MPMATH.name for c in relu)
    assert all(c.passed for c in relu), [c.detail for c in relu if not c.passed]


# --- (d) relu'(0) = 0, and the checks refuse a pre-activation at 0 --------------------------------
def test_relu_prime_at_zero_is_zero(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    relu = NUMERIC["relu"]
    assert relu.dh(0) == 0 and relu.dh(Fraction(1, 3)) == 1 and relu.dh(Fraction(-1, 3)) == 0
    activations.check(REGISTRY["relu"])  # 0 is a one-sided slope at the kink
    for convention in (Fraction(1, 2), 2):  # SymPy's Heaviside(0), and a non-subgradient: no one-sided slope
        dh = lambda u, c=convention: c if u == 0 else int(u > 0)
        monkeypatch.setitem(NUMERIC, "relu", replace(relu, dh=dh))
        with pytest.raises(DeriveError, match="kink"):
            activations.check(REGISTRY["relu"])


def test_relu_prime_at_zero_is_pytorchs() -> None:
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.relu(x).sum().backward()
    assert NUMERIC["relu"].dh(0) == x.grad.item() == 0


def test_a_pre_activation_at_zero_is_refused() -> None:
    _, dh = registry_fn("relu", EXACT)
    assert dh(Fraction(1, 3)) == 1
    with pytest.raises(DeriveError, match="pre-activation is 0"):
        dh(Fraction(0))
    with pytest.raises(DeriveError, match="mod p"):
        registry_fn("relu", MODULAR)
    deep = Net((2, 4, 3, 4, 3), ("relu",) * 3)  # at seed 1, a_4^(1) = 0 exactly
    assert compare(deep, EXACT, seed=2).passed
    with pytest.raises(DeriveError, match="pre-activation is 0"):
        compare(deep, EXACT, seed=1)
