"""Exercises i-l and the vectorised form: the checks pass, and every wrong claim is rejected."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sympy as sp
from click.testing import CliRunner

from derive.backprop import matrix_check as vc
from derive.backprop.compare import chosen, compare
from derive.backprop.matrix_form import Model
from derive.backprop.net import Net, sample
from derive.backprop.route2 import route2
from derive.cli import cli
from derive.core.errors import DeriveError
from derive.core.fields import EXACT, MODULAR, MPMATH, Mod, P
from derive.exercises import Config, run
from derive.exercises import i_softmax_delta as i_ex
from derive.exercises import j_hidden_delta as induction
from derive.exercises import k_regression_delta as k_ex
from derive.exercises import l_dataset_gradient as l_ex
from derive.exercises import output_layer as out

j, y, t, sigma = out.j, out.y, out.t, out.sigma


def failed(d) -> bool:  # type: ignore[no-untyped-def]
    return not d.verified and any(not c.passed for c in d.checks)


# --- route 1 against route 2 ---------------------------------------------------------------------
SWEEP = [(3, 2), (2, 4, 3), (3, 2, 4, 2), (2, 4, 3, 4, 3), (4, 3, 4, 2, 4, 3)]  # L = 1..5, widths <= 4


@pytest.mark.parametrize("widths", SWEEP)
@pytest.mark.parametrize("h", ["tanh", "sigmoid", "softplus", "h"])
def test_routes_agree_every_depth_and_activation(widths: tuple[int, ...], h: str) -> None:
    hidden = (h,) * (len(widths) - 2)
    if h == "h":  # undefined h: exactly, at random rational cubics, every weight
        for output in ("h", "identity"):
            comparison = compare(Net(widths, hidden, "sum-of-squares", output), EXACT, seed=1)
            assert comparison.passed and "exactly" in comparison.detail
        return
    for loss in ("cross-entropy", "sum-of-squares"):
        comparison = compare(Net(widths, hidden, loss, "sigmoid"), MPMATH, seed=len(widths))
        assert comparison.passed, comparison.detail


def test_every_weight_is_compared_for_small_networks() -> None:
    net = Net((4, 4, 4, 4, 4, 4), ("h",) * 4)
    assert "100 of 100 weights" in compare(net, EXACT, 2).detail


@pytest.mark.parametrize("mutation", ["drop-h-prime", "transpose", "wrong-layer", "t-minus-y", "no-factor-2"])
@pytest.mark.parametrize("field", [EXACT, MODULAR, MPMATH])
def test_wrong_recursions_are_rejected(mutation: str, field) -> None:  # type: ignore[no-untyped-def]
    hidden = ("h", "h") if field is not MPMATH else ("tanh", "sigmoid")
    net = Net((3, 3, 3, 3), hidden, "sum-of-squares", "h" if field is not MPMATH else "identity")
    assert compare(net, field, 3).passed
    comparison = compare(net, field, 3, mutation=mutation)
    assert not comparison.passed and "differ" in comparison.detail


def test_t_minus_y_rejected_under_softmax() -> None:
    net = Net((3, 3, 3), ("tanh",), "cross-entropy")
    assert compare(net, MPMATH, 1).passed
    assert not compare(net, MPMATH, 1, mutation="t-minus-y").passed


def test_a_mean_in_place_of_the_sum_is_rejected_for_several_examples() -> None:
    for N in (2, 3, 4):
        net = Net((2, 3, 2), ("h",), "sum-of-squares", "identity", N)
        assert compare(net, EXACT, N).passed
        assert not compare(net, EXACT, N, mutation="mean").passed


def test_unknown_mutation_and_loss_are_one_line_errors() -> None:
    with pytest.raises(DeriveError, match="choose from"):
        route2(Net((2, 2), ()), sample(Net((2, 2), ()), EXACT, 1), EXACT, "typo")
    with pytest.raises(DeriveError, match="choose from"):
        Net((2, 2), (), loss="hinge")


def test_transcendental_activation_refused_in_exact_fields() -> None:
    with pytest.raises(DeriveError, match="mpmath-50"):
        sample(Net((2, 3, 2), ("tanh",)), EXACT, 1)


def test_deep_wide_network_exact_mod_p_and_sampled_weights() -> None:
    net = Net((5,) * 8, ("h",) * 6)
    comparison = compare(net, MODULAR, 1, per_layer=3)
    assert comparison.passed and "21 of" in comparison.detail
    assert not compare(net, MODULAR, 1, per_layer=3, mutation="drop-h-prime").passed


def test_integers_mod_p() -> None:
    from fractions import Fraction
    half = Mod.of(Fraction(1, 2))
    assert half * 2 == 1 and (half - half) == 0 and half**-1 == 2 and (1 - half) == half
    assert Mod(P + 3) == 3 and -Mod(1) == P - 1


# --- exercise i --------------------------------------------------------------------------------------
def test_i_derivations_verify_with_two_routes() -> None:
    logits, hint = i_ex.hint_logits(), i_ex.hint_softmax()
    delta = i_ex.classification_delta(logits, hint)
    for d in (logits, hint, delta):
        assert d.verified and {"symbolic", "mpmath-50"} <= set(d.routes), d.title
    assert any("one-hot" in s.rule for s in logits.steps)
    assert delta.target == y[j] - t[j]


def test_i_without_one_hot_the_step_is_rejected() -> None:
    d = i_ex.hint_logits(one_hot=False)
    rejected = [c for c in d.checks if not c.passed]
    assert rejected and all("one-hot" in c.detail for c in rejected)
    assert {c.route for c in rejected} == {"symbolic", "mpmath-50"}


def test_i_without_the_constraint_the_delta_keeps_the_sum_of_targets() -> None:
    d = i_ex.classification_delta_unconstrained()
    assert d.verified and d.target == y[j] * sp.Sum(t[out.k], (out.k, 1, out.K)) - t[j]
    assert failed(replace(d, checks=[]).claim(y[j] - t[j]).verify())


def test_i_t_minus_y_rejected() -> None:
    logits, hint = i_ex.hint_logits(), i_ex.hint_softmax()
    assert failed(i_ex.classification_delta(logits, hint, t[j] - y[j]))


# --- exercise k --------------------------------------------------------------------------------------
def test_k_three_conventions() -> None:
    h1 = k_ex.h_L_prime(j)
    assert k_ex.regression_delta("exercise", "h", 2 * (y[j] - t[j]) * h1).verified
    assert k_ex.regression_delta("exercise", "identity", 2 * (y[j] - t[j])).verified
    assert k_ex.regression_delta("bishop", "identity", y[j] - t[j]).verified
    assert k_ex.regression_delta("gaussian", "h", (y[j] - t[j]) * h1 / sigma**2).verified


@pytest.mark.parametrize("loss,output,wrong", [
    ("exercise", "h", (y[j] - t[j]) * k_ex.h_L_prime(j)),  # missing factor 2
    ("exercise", "identity", y[j] - t[j]),  # missing factor 2, identity output
    ("exercise", "h", 2 * (y[j] - t[j])),  # dropped h_L'
    ("exercise", "h", 2 * (t[j] - y[j]) * k_ex.h_L_prime(j)),  # t - y
    ("gaussian", "h", (y[j] - t[j]) * k_ex.h_L_prime(j)),  # missing 1/sigma^2
    ("bishop", "identity", 2 * (y[j] - t[j])),  # a factor 2 the 1/2 removes
])
def test_k_wrong_claims_rejected(loss: str, output: str, wrong: sp.Expr) -> None:
    assert failed(k_ex.regression_delta(loss, output, wrong))


# --- exercise j: the induction step with symbolic widths -----------------------------------------
def test_j_eq9_and_eq8_verify_in_worlds() -> None:
    for d in (induction.derivation_eq9(), induction.derivation_eq8()):
        assert d.verified and d.routes == ["exact-rational", "symbolic"], d.title


@pytest.mark.parametrize("wrong", [
    induction.h_prime(induction.a[j]) * sp.Sum(induction.w_next[induction.j, induction.k]
                                                * induction.delta_next[induction.k], (induction.k, 1, induction.M_next)),  # w_jk
    induction.h_prime(induction.a[j]) * sp.Sum(induction.w[induction.k, induction.j]
                                                * induction.delta_next[induction.k], (induction.k, 1, induction.M_next)),  # w^(l)
    sp.Sum(induction.w_next[induction.k, induction.j] * induction.delta_next[induction.k],
           (induction.k, 1, induction.M_next)),  # dropped h'
    induction.h_prime(induction.a[j]) * sp.Sum(induction.w_next[induction.k, induction.j]
                                                * induction.delta_next[induction.k], (induction.k, 0, induction.M_next)),  # bias unit
])
def test_j_wrong_recursions_rejected(wrong: sp.Expr) -> None:
    d = induction.derivation_eq9(wrong)
    assert not d.verified
    claim = [c for c in d.checks if c.detail.startswith("last step = claim")]
    assert claim and not any(c.passed for c in claim)


def test_j_exercise_runs_on_the_users_architecture() -> None:
    ex, = run(Config((3, 4, 4, 2), ("tanh", "relu")), ["j"])
    assert ex.verified
    assert any("widths 3,4,4,2, h tanh,relu" in c.detail for c in ex.checks)


# --- exercise l ----------------------------------------------------------------------------------------
def test_l_one_over_n_rejected() -> None:
    d = l_ex.derivation_examples()
    assert d.verified and "N=4" in d.checks[-1].detail
    wrong = l_ex.derivation_examples(d.target / induction.N)
    assert not wrong.verified


# --- the vectorised form -------------------------------------------------------------------------------
def test_vectorised_shapes_verify_by_two_routes() -> None:
    from derive.exercises.vectorised_form import shapes
    for model in shapes(Config()):
        checks = vc.checks(model)
        assert all(c.passed for c in checks) and len({c.route for c in checks}) == 2, [c.detail for c in checks]


class TminusY(Model):
    def output_delta(self):  # type: ignore[no-untyped-def]
        return self.T - self.Z(self.L)


class NoSlope(Model):
    def h_prime(self, l):  # type: ignore[no-untyped-def]
        return sp.OneMatrix(*self.A(l).shape)


class NoTwo(Model):
    def output_delta(self):  # type: ignore[no-untyped-def]
        return self.Z(self.L) - self.T


class TransposedW(Model):
    def backward(self):  # type: ignore[no-untyped-def]
        steps = super().backward()
        return [replace(s, value=s.value.xreplace({self.W(l): self.W(l).T for l in range(2, self.L + 1)}))
                for s in steps]


@pytest.mark.parametrize("wrong,loss,hidden", [
    (TminusY, "cross-entropy", ("tanh", "tanh")), (NoSlope, "sum-of-squares", ("relu", "sigmoid")),
    (NoTwo, "sum-of-squares", ("relu", "relu")), (TransposedW, "cross-entropy", ("sigmoid", "tanh")),
])
def test_vectorised_wrong_forms_rejected(wrong: type, loss: str, hidden: tuple[str, ...]) -> None:
    from derive.core import activations
    model = wrong((3, 3, 3, 3), tuple(activations.get(h) for h in hidden), loss, 2)
    checks = vc.checks(model)
    assert checks and not any(c.passed for c in checks), [c.detail for c in checks]


# --- the report --------------------------------------------------------------------------------------
def test_verify_json_reports_i_to_l_and_vectorised(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["verify", "--only", "i,j,k,l,vectorised", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [e["id"] for e in report["exercises"]] == ["i", "j", "k", "l", "vectorised"]
    for e in report["exercises"]:
        assert e["status"] == "verified" and len({c["route"] for c in e["checks"]}) >= 2


def test_i_a_claim_true_at_one_size_only_is_rejected_by_every_route() -> None:
    """(y_j - t_j)(K - 2) equals y_j - t_j at K = 3 only: the sizes must vary across points."""
    logits, hint = i_ex.hint_logits(), i_ex.hint_softmax()
    d = i_ex.classification_delta(logits, hint, (y[j] - t[j]) * (out.K - 2))
    claim = d.claim_checks()
    assert claim and not any(c.passed for c in claim), [c.detail for c in claim]


def test_route_1_does_not_share_relu_prime_with_route_2() -> None:
    """A wrong relu' given to both routes must not cancel: route 1 reads relu' off relu."""
    from derive.backprop.route1 import route1
    net = Net((2, 4, 3), ("relu",), "sum-of-squares", "identity")
    s = sample(net, EXACT, 1)
    keys = chosen(net, None, 1)
    assert all(v1 == v2 for v1, v2 in zip(route1(net, s, EXACT, keys).values(),
                                          (route2(net, s, EXACT)[k] for k in keys)))
    s.fns["relu"] = (lambda u: u if u > 0 else 0 * u, lambda u: 7)  # relu' wrong everywhere
    g1, g2 = route1(net, s, EXACT, keys), route2(net, s, EXACT)
    assert not all(g1[k] == g2[k] for k in keys)
