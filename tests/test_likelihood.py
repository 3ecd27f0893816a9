"""Exercises e-h: they verify, and every wrong claim the issue lists is rejected."""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli import cli
from derive.exercises import REGISTRY, run
from derive.exercises import e_gaussian_likelihood as lk
from derive.exercises import f_noise_variance as va
from derive.exercises import g_cross_entropy as ce
from derive.exercises import h_minibatch as mb
from derive.exercises.toy_network import ToyNetwork
from derive.rules import likelihood as lr

NUMERIC = {"exact-rational", "mpmath-50", "float64"}


def failed_routes(checks):  # type: ignore[no-untyped-def]
    return {c.route for c in checks if not c.passed}


@pytest.fixture(scope="module")
def exercises():  # type: ignore[no-untyped-def]
    return {ex.id: ex for ex in run(only="efgh")}


# --- they verify ---------------------------------------------------------------------------------
@pytest.mark.parametrize("letter", "efgh")
def test_exercise_verified_by_symbolic_and_numeric_routes(exercises, letter: str) -> None:  # type: ignore[no-untyped-def]
    ex = exercises[letter]
    assert ex.verified, [c.detail for c in ex.checks if not c.passed]
    assert "symbolic" in ex.routes and NUMERIC & set(ex.routes)
    assert ex.statement and ex.conventions
    assert not set("\\_^") & set(ex.title)  # plain prose outside $...$


def prose_outside_math(text: str) -> str:
    return "".join(part for i, part in enumerate(text.split("$")) if i % 2 == 0)


@pytest.mark.parametrize("letter", "efgh")
def test_prose_is_plain_outside_math(exercises, letter: str) -> None:  # type: ignore[no-untyped-def]
    ex = exercises[letter]
    texts = [ex.title, ex.statement, *ex.conventions]
    for d in ex.derivations:
        texts += [d.title, d.note, *(s.rule for s in d.steps), *(s.cite for s in d.steps)]
    for text in texts:
        assert text.count("$") % 2 == 0, text
        assert not set("\\_^") & set(prose_outside_math(text)), text


def test_registered_in_letter_order() -> None:
    order = [key for key in REGISTRY if key in "efgh"]
    assert order == ["e", "f", "g", "h"]


@pytest.mark.parametrize("letter,sizes", [("e", "N, D"), ("g", "N, K"), ("h", "N, B")])
def test_links_proved_for_symbolic_sizes(exercises, letter: str, sizes: str) -> None:  # type: ignore[no-untyped-def]
    every_size = [c for c in exercises[letter].checks if f"symbolic {sizes}" in c.detail]
    assert every_size and all(c.passed for c in every_size)


def test_e_reaches_the_exercise_form() -> None:
    d = lk.negative_log_likelihood()
    E = lk.sum_of_squares()
    assert d.result == lk.N * lk.D / 2 * sp.log(2 * sp.pi * lk.sigma**2) + E / (2 * lk.sigma**2)


def test_f_optimum_is_computed_not_typed() -> None:
    assert va.stationary_point(va.derivative_in_variance().result) == va.E / (va.N * va.D)
    assert va.curvature_at(va.E / (va.N * va.D)).result.is_positive


def test_cli_json_reports_e_to_h(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eh.json"
    result = CliRunner().invoke(cli, ["verify", "--only", "e,f,g,h", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [e["id"] for e in report["exercises"]] == list("efgh")
    for e in report["exercises"]:
        assert e["status"] == "verified" and len({c["route"] for c in e["checks"]}) >= 2


# --- wrong claims are rejected ---------------------------------------------------------------------
E = lk.sum_of_squares()


@pytest.mark.parametrize("wrong", [
    {"log_arg": 2 * sp.pi * lk.sigma},      # log 2 pi sigma instead of log 2 pi sigma^2
    {"scale": lk.N / 2},                    # N/2 instead of ND/2
    {"weight": 1 / lk.sigma**2},            # 1/sigma^2 instead of 1/(2 sigma^2)
], ids=["log-2-pi-sigma", "N-over-2", "one-over-sigma2"])
def test_e_wrong_claims_rejected_by_every_route(wrong: dict) -> None:  # type: ignore[type-arg]
    d = lk.negative_log_likelihood(lk.gaussian_loss(E, **wrong))
    assert not d.verified
    assert failed_routes(d.claim_checks()) == {"symbolic", "mpmath-50", "float64"}
    assert all(c.passed for c in d.checks if not c.detail.startswith("last step = claim"))


def test_e_claim_at_one_size_is_caught_only_symbolically() -> None:
    """D = 2 typed in for D: the random points (D in 2, 3) may miss it, symbolic N, D does not."""
    d = lk.negative_log_likelihood(lk.gaussian_loss(E, scale=lk.N))
    every_size = [c for c in d.claim_checks() if "symbolic N, D" in c.detail]
    assert every_size and not every_size[0].passed and not d.verified


def test_e_without_times_minus_one_the_maximiser_is_lost() -> None:
    loss = lk.negative_log_likelihood().result
    assert lk.argmax_is_argmin(loss)[0]
    assert not lk.argmax_is_argmin(-loss)[0]


def test_f_wrong_gradient_factor_rejected() -> None:
    d = va.gradient_in_w(1 / va.v)  # 1/sigma^2 instead of 1/(2 sigma^2)
    assert failed_routes(d.claim_checks()) == {"symbolic", "exact-rational", "float64"}
    assert not va.positive_multiple(-sp.Derivative(va.E_of_w, va.w) / (2 * va.v))[0]


def test_f_sigma2_equal_E_over_N_rejected() -> None:
    wrong = va.E / va.N
    d = va.vanishes_at(wrong)
    assert failed_routes(d.claim_checks()) == {"symbolic", "exact-rational", "float64"}
    slope = va.derivative_in_variance().result
    checks = va.minimum_checks(slope, wrong)
    assert failed_routes(checks) == {"symbolic", "float64"}


def test_g_sign_slip_rejected() -> None:
    d = ce.categorical_nll(ce.cross_entropy(sign=+1))
    assert failed_routes(d.claim_checks()) == {"symbolic", "mpmath-50", "float64"}


def test_g_claim_true_only_for_one_hot_targets_rejected() -> None:
    """-sum t^2 log y equals the cross-entropy for t in {0, 1} only: the points draw general t."""
    claim = -lr.KeptSum(ce.t[ce.n, ce.k] ** 2 * sp.log(ce.y[ce.n, ce.k]), (ce.k, 1, ce.K), (ce.n, 1, ce.N))
    d = ce.categorical_nll(claim)
    assert {"mpmath-50", "float64"} <= failed_routes(d.claim_checks())
    assert not ce.one_hot_selects(lambda ys, c: ys[c] ** 2)[0] and ce.one_hot_selects()[0]


@pytest.mark.parametrize("letter", "efgh")
def test_every_extra_check_can_fail(exercises, letter: str) -> None:  # type: ignore[no-untyped-def]
    """Each check beyond the derivations ran its control (a wrong claim) and rejected it."""
    ex = exercises[letter]
    assert ex.extra_checks and all(c.control == "rejected" for c in ex.extra_checks), \
        [c.detail for c in ex.extra_checks if c.control != "rejected"]
    assert not ex.powerless, [c.detail for c in ex.powerless]


def test_f_optimum_checked_by_substitution_not_solve() -> None:
    slope = va.derivative_in_variance().result
    right = va.E / (va.N * va.D)
    assert va.is_minimum(slope, right)[0]
    assert not va.is_minimum(slope, right * sp.Rational(98, 97))[0]


def test_h_factor_one_for_the_sum_rejected() -> None:
    d = mb.expected_gradient("sum", sp.Integer(1))
    assert failed_routes(d.claim_checks()) == {"symbolic", "exact-rational", "float64"}
    assert not mb.enumerate_claim(sp.Integer(1), "sum")[0]
    assert not mb.sampled_gradients(sp.Integer(1), "sum")[0]


def test_h_factor_B_over_N_for_the_mean_rejected() -> None:
    d = mb.expected_gradient("mean", mb.B / mb.N)
    assert not d.verified
    assert not mb.enumerate_claim(mb.B / mb.N, "mean")[0]
    assert not mb.sampled_gradients(mb.B / mb.N, "mean")[0]


def test_h_unknown_convention_named() -> None:
    with pytest.raises(ValueError, match="sum, mean"):
        mb.expected_gradient("median")


# --- the pieces -------------------------------------------------------------------------------------
def test_log_of_product_refuses_without_positivity() -> None:
    t, n, N = sp.IndexedBase("t"), lk.n, lk.N
    expr = sp.log(sp.Product(t[n], (n, 1, N)))
    assert lr.log_of_product()(expr) == expr
    y = sp.IndexedBase("y", positive=True)
    assert lr.log_of_product()(sp.log(sp.Product(y[n], (n, 1, N)))) == lr.KeptSum(sp.log(y[n]), (n, 1, N))


def test_kept_sum_evaluates_only_concrete_ranges() -> None:
    y, n, N = sp.IndexedBase("y"), lk.n, lk.N
    s = lr.KeptSum(y[n] ** 2, (n, 1, N))
    assert s.doit() == s
    assert s.subs(N, 2).doit() == y[1] ** 2 + y[2] ** 2


def test_sum_linearity_pulls_constants_and_counts() -> None:
    y, n, N, c = sp.IndexedBase("y"), lk.n, lk.N, sp.Symbol("c")
    out = lr.sum_linearity()(lr.KeptSum(c * y[n] + c, (n, 1, N)))
    assert out == c * lr.KeptSum(y[n], (n, 1, N)) + N * c


def test_named_prints_its_name_and_unfolds() -> None:
    assert sp.latex(E) == "E(w)" and sp.sstr(E) == "E(w)"
    assert E.doit() == E.definition.doit()
    assert sp.latex(lk.gaussian_loss(E)).count("E(w)") == 1


def test_subset_mean_enumerates() -> None:
    g, n = mb.g, mb.n
    value = mb.SubsetMean(g[n], n, 4, 2).doit()
    assert sp.expand(value - sp.Rational(1, 2) * sum(g[i] for i in range(1, 5))) == 0
    assert mb.SubsetMean(g[n], n, mb.N, mb.B).doit() == mb.SubsetMean(g[n], n, mb.N, mb.B)


def test_counting_lemma() -> None:
    assert mb.double_counting()[0] and mb.enumerate_counts()[0]


def test_one_hot_targets_select_their_class() -> None:
    assert ce.one_hot_selects()[0]


def test_toy_network_gradient_matches_central_differences() -> None:
    net = ToyNetwork((2, 3, 2))
    rng = np.random.default_rng(0)
    w, X, T = net.random_weights(rng), rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    error = lambda v: np.sum((net.forward(v, X) - T) ** 2)  # noqa: E731
    step = 1e-6
    fd = [(error(w + step * e) - error(w - step * e)) / (2 * step) for e in np.eye(w.size)]
    assert np.allclose(net.gradients(w, X, T).sum(axis=0), fd, atol=1e-6)


def test_statistical_check_is_deterministic() -> None:
    assert mb.sampled_gradients(mb.B / mb.N, "sum") == mb.sampled_gradients(mb.B / mb.N, "sum")
