"""Exercises a-d: the verifiers accept the right claims and reject wrong ones."""
from __future__ import annotations

import sympy as sp
import pytest

from derive.core import notation as nt
from derive.rules import network as rules
from derive.core.derivation import Derivation
from derive.exercises import Config
from derive.exercises import a_b_closed_form as ab
from derive.exercises import c_recursion as c_ex
from derive.exercises import d_linear_collapse as d_ex
from derive.core.network import Network


def failed_routes(d: Derivation) -> set[str]:
    return {c.route for c in d.checks if not c.passed}


@pytest.fixture(scope="module")
def one_hidden() -> Network:
    return Network.generic(2)


def test_a_verifies_by_two_routes() -> None:
    ex = ab.exercise_a(Config())
    assert ex.verified and {"symbolic", "exact-rational"} <= set(ex.routes)


def swap_indices(expr: sp.Expr, layer: int) -> sp.Expr:
    """w_kj in place of w_jk in one layer."""
    w = nt.base("w", layer)
    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == w,
                        lambda e: w[e.indices[1], e.indices[0]])


@pytest.mark.parametrize("L, layer", [(2, 1), (2, 2), (3, 2)])
def test_swapped_weight_indices_are_rejected(L: int, layer: int) -> None:
    d = ab.eliminate(Network.generic(L), "y_j", "h")
    wrong = swap_indices(d.result, layer)
    d.claim(wrong).verify()
    assert {"symbolic", "exact-rational"} <= failed_routes(d)


def test_exchanged_activations_are_rejected(one_hidden: Network) -> None:
    d = ab.eliminate(one_hidden, "a", "h")
    h1, h2 = nt.h(1), nt.h(2)
    f = sp.Function("f")
    wrong = d.result.replace(h1, f).replace(h2, h1).replace(f, h2)
    d.claim(wrong).verify()
    assert {"symbolic", "exact-rational"} <= failed_routes(d)


def test_bias_counted_twice_is_rejected(one_hidden: Network) -> None:
    """A rule that splits off w_j0 but keeps the sum from 0 counts the bias twice."""
    net, j = one_hidden, nt.j
    d = Derivation.start("a", net.y[j], net.h(2, net.a(2)[j]), "eq. (4)-(5)", ab.network_context(net))
    d.then("substitute a^(2)", rules.substitute_a(net, 2))
    d.then("bias twice", lambda e: e.replace(
        lambda s: isinstance(s, sp.Sum), lambda s: net.w(2)[j, 0] + s))
    d.verify()
    assert {"symbolic", "exact-rational"} <= failed_routes(d)


def test_wrong_substitution_rule_is_rejected(one_hidden: Network) -> None:
    """A step whose rule transposes w^(1) fails at that step, whatever the claim."""
    net, j = one_hidden, nt.j
    d = ab.eliminate(net, "a", "h")
    d.steps[-1] = type(d.steps[-1])(swap_indices(d.steps[-1].rhs, 1), d.steps[-1].rule)
    d.claim(d.result).verify()
    bad = [c for c in d.checks if not c.passed]
    # the transposing step fails, and so does the claim (it is that step), checked against lhs
    assert any(c.detail.startswith(f"step {len(d.steps) - 2} = step") for c in bad)
    assert all("step" in c.detail or c.detail.startswith("lhs = claim") for c in bad)


def test_c_unrolls_to_a_and_b() -> None:
    ex = c_ex.exercise_c(Config())
    assert ex.verified
    assert len(ex.derivations) == 2


def test_d_collapse_and_induction() -> None:
    ex = d_ex.exercise_d(Config(widths=(2, 2, 2), activations=("tanh",)))
    assert ex.verified and {"symbolic", "exact-rational"} <= set(ex.routes)
    assert ex.extra_checks and all(c.control == "rejected" for c in ex.extra_checks)


def test_d_controls_are_maps_that_are_not_affine() -> None:
    """The three collapse checks, fed y + (1 + x_1^2)/97 by hand, each reject it."""
    net = Network((2, 3, 2), (d_ex.identity,) * 2)
    y = d_ex.layerwise_output(net, {})
    A, c, x = d_ex.affine_matrices(net)
    xs = list(x)
    bent = y + sp.ones(*y.shape) * (1 + xs[0] ** 2) / 97
    assert d_ex.hessian_vanishes(y, xs, "")[0] and not d_ex.hessian_vanishes(bent, xs, "")[0]
    assert d_ex.second_difference_vanishes(y, xs, "", 3)[0]
    assert not d_ex.second_difference_vanishes(bent, xs, "", 3)[0]
    assert d_ex.is_product_form(y, A * x + c, "")[0] and not d_ex.is_product_form(bent, A * x + c, "")[0]


def test_d_wrong_matrix_order_is_rejected() -> None:
    d = d_ex.induction()
    W, A = (m for m in sorted(d.result.atoms(sp.MatrixSymbol), key=str) if m.name in ("W__lp1", "A"))
    x = sp.MatrixSymbol("x", nt.D, 1)
    # A W x is not even well-shaped in general; claim the offset without the propagated c.
    b = next(m for m in d.result.atoms(sp.MatrixSymbol) if m.name == "b__lp1")
    d.claim(sp.MatMul(sp.MatMul(W, A), x) + b).verify()
    assert {"symbolic", "exact-rational"} <= failed_routes(d)


def test_d_checks_fail_with_a_nonlinearity() -> None:
    """The collapse checks see a tanh: its Hessian in x is not zero."""
    from derive.core.activations import tanh
    net = Network((2, 2, 1), (tanh, d_ex.identity))
    checks = d_ex.collapse_checks_for(net)
    assert not all(c.passed for c in checks)


def test_d_sampled_weights_still_catch_a_nonlinearity() -> None:
    """Above the symbolic size the weights are random rationals: a tanh is still caught."""
    from derive.core.activations import identity, tanh
    net = Network((2, 4, 4, 1), (identity, tanh, identity))
    checks = d_ex.collapse_checks_for(net, symbolic_paths=1)
    assert all("random rationals" in c.detail for c in checks)
    assert not any(c.passed for c in checks[:2])
    linear = Network((2, 4, 4, 1), (identity,) * 3)
    assert all(c.passed for c in d_ex.collapse_checks_for(linear, symbolic_paths=1))


def test_a_claim_true_at_one_size_only_is_rejected() -> None:
    """The input sum stopped at 2 instead of D: right at D = 2 only."""
    net = Network.generic(2)
    d = ab.eliminate(net, "a", "h")
    wrong = d.result.replace(lambda e: isinstance(e, sp.Sum) and e.limits[0][2] == nt.D,
                             lambda e: sp.Sum(e.function, (e.limits[0][0], 0, 2)))
    assert wrong != d.result
    d.claim(wrong).verify()
    assert {"symbolic", "exact-rational"} <= failed_routes(d)


def test_a_claim_for_unit_1_only_is_rejected() -> None:
    """y_1's formula claimed for every output unit j."""
    d = ab.eliminate(Network.generic(2), "a", "h")
    d.claim(d.result.xreplace({nt.j: 1})).verify()
    assert {"symbolic", "exact-rational"} <= failed_routes(d)


def test_b_float64_route_sees_a_missing_output_bias() -> None:
    """Small float64 points: tanh does not saturate, so dropping w_j0^(3) shows."""
    net = Network.generic(3)
    d = ab.eliminate(net, "b", "h")
    d.claim(d.result.xreplace({net.w(3)[nt.j, 0]: 0})).verify()
    assert "float64" in failed_routes(d)
