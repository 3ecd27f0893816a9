"""The verifier's definitions are built apart from the rules the steps apply.

Each test makes the rule's side of one definition wrong (the expression a step substitutes
or folds into a name) and sees the link where that step acts fail; with the right one the
same link passes. Had the verifier read its definitions from the rule itself, the wrong
definition would cancel at that link (the first test shows that for a).
"""
from __future__ import annotations

import pytest
import sympy as sp

from derive.core.checks import Check, Context
from derive.core.derivation import Derivation
from derive.core.network import Network
from derive.core.verify import check_identity
from derive.exercises import a_b_closed_form as ab
from derive.exercises import e_gaussian_likelihood as lk
from derive.exercises import g_cross_entropy as ce
from derive.exercises import h_minibatch as mb
from derive.exercises import i_softmax_delta as sm
from derive.exercises import k_regression_delta as rd
from derive.exercises.output_layer import K, a, h_L, k, k2, t
from derive.rules import deltas


def link_checks(d: Derivation, says: str) -> list[Check]:
    """The derivation's own checks of its link whose label mentions `says`, by check_identity."""
    [(label, left, right)] = [link for link in d.links() if says in link[0]]
    return check_identity(left, right, d.context, what=label)


def no_bias(net: Network, l: int, j_: sp.Expr) -> sp.Expr:
    """Eq. (6) with the bias unit left out: the sum from 1."""
    i = net.unit_index(l - 1)
    return sp.Sum(net.w(l)[j_, i] * net.z(l - 1)[i], (i, 1, net.widths[l - 1]))


SUBSTITUTE_A2 = "step 0 = step 1 (substitute $a^{(2)}$"


def test_a_without_the_bias_fails_where_it_is_substituted(monkeypatch: pytest.MonkeyPatch) -> None:
    net = Network.generic(2)
    assert all(c.passed for c in link_checks(ab.eliminate_chain(net, "a", "h"), SUBSTITUTE_A2))
    monkeypatch.setattr(Network, "a_def", no_bias)
    wrong = ab.eliminate_chain(net, "a", "h")
    assert not any(c.passed for c in link_checks(wrong, SUBSTITUTE_A2))
    # The rule's own definitions as the verifier's: the wrong a_def cancels at that link.
    wrong.context = Context(definitions=net.definitions(), sizes=wrong.context.sizes,
                               indices=wrong.context.indices)
    assert all(c.passed for c in link_checks(wrong, SUBSTITUTE_A2))


def doubled_softmax(index: sp.Expr) -> sp.Expr:
    return sp.exp(2 * a[index]) / sp.Sum(sp.exp(a[k2]), (k2, 1, K))


def test_softmax_with_exp_2a_fails_where_it_is_substituted(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(c.passed for c in link_checks(sm.hint_logits_chain(), "lhs = step 0"))
    monkeypatch.setattr(sm, "softmax", doubled_softmax)
    assert not any(c.passed for c in link_checks(sm.hint_logits_chain(), "lhs = step 0"))


def test_wrong_output_fails_where_it_is_substituted(monkeypatch: pytest.MonkeyPatch) -> None:
    right = rd.regression_chain("bishop", "identity")
    assert all(c.passed for c in link_checks(right, "lhs = step 0"))
    monkeypatch.setattr(rd, "step_output", lambda output: (lambda u: h_L(a[u]) + a[u]))
    assert not any(c.passed for c in link_checks(rd.regression_chain("bishop", "identity"), "lhs = step 0"))


def unnormalised(n_: sp.Expr) -> sp.Expr:
    """Hint 1 without its factor (2 pi sigma^2)^(-D/2)."""
    return sp.exp(-lk.squared_residuals(n_) / (2 * lk.sigma**2))


def test_gaussian_without_its_normaliser_fails_at_the_first_link(monkeypatch: pytest.MonkeyPatch) -> None:
    right = lk.nll_chain(lk.sum_of_squares())
    assert all(c.passed for c in link_checks(right, "lhs = step 0"))
    assert lk.first_link_every_size(right, "N, D").passed
    monkeypatch.setattr(lk, "gaussian", unnormalised)
    wrong = lk.nll_chain(lk.sum_of_squares())
    assert not any(c.passed for c in link_checks(wrong, "lhs = step 0"))
    assert not lk.first_link_every_size(wrong, "N, D").passed


def test_wrong_sum_of_squares_fails_where_it_is_named() -> None:
    """Bishop's 1/2 in E(w)'s definition: the chain's sum is renamed, and that link fails."""
    right = lk.sum_of_squares()
    half = lk.lr.Named("E(w)", "E(w)", right.definition / 2)
    assert all(c.passed for c in link_checks(lk.nll_chain(right), "definition of $E(w)$"))
    assert not any(c.passed for c in link_checks(lk.nll_chain(half), "definition of $E(w)$"))


def test_categorical_likelihood_with_doubled_powers_fails_at_the_first_link(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(c.passed for c in link_checks(ce.nll_chain(), "lhs = step 0"))
    monkeypatch.setattr(ce, "powers", lambda: sp.Product(ce.y[ce.n, k] ** (2 * ce.t[ce.n, k]),
                                                         (k, 1, ce.K), (ce.n, 1, ce.N)))
    wrong = ce.nll_chain()
    assert not any(c.passed for c in link_checks(wrong, "lhs = step 0"))
    assert not lk.first_link_every_size(wrong, "N, K").passed


def test_mean_gradient_without_its_1_over_N_fails_where_it_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_mean(convention: str) -> mb.lr.Named:
        return mb.lr.Named("grad E(w)/N", "\\nabla \\frac{E(w)}{N}", mb.lr.KeptSum(mb.g[mb.n], (mb.n, 1, mb.N)))
    assert all(c.passed for c in link_checks(mb.gradient_chain("mean"), "definition of the full gradient"))
    monkeypatch.setattr(mb, "full_gradient", no_mean)
    assert not any(c.passed for c in link_checks(mb.gradient_chain("mean"), "definition of the full gradient"))


def eager_sum_is_one(t_: sp.IndexedBase, K_: sp.Symbol):  # type: ignore[no-untyped-def]
    """A wrong one-hot rule: every sum over 1..K becomes 1, sum_k t_k a_k too."""
    return lambda expr: expr.replace(lambda e: isinstance(e, sp.Sum) and e.limits[0][1:] == (1, K_),
                                     lambda e: sp.Integer(1))


def test_one_hot_relation_does_not_follow_a_wrong_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The symbolic route's relation is i's own: an over-eager sum_is_one fails its link."""
    assert sm.one_hot_relation(t[3] * a[1] + t[1], {K: 3}) == (1 - t[1] - t[2]) * a[1] + t[1]
    assert sm.one_hot_relation(sp.Sum(t[k], (k, 1, K)), {}) == sp.Sum(t[k], (k, 1, K))  # corners do it
    monkeypatch.setattr(deltas, "sum_is_one", eager_sum_is_one)
    checks = link_checks(sm.hint_logits_chain(), "one-hot")
    assert not [c for c in checks if c.route == "symbolic"][0].passed


def test_k_gaussian_loss_with_a_wrong_constant_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The delta cannot see the constant of the Gaussian NLL; its own claim can."""
    import sympy as sp

    from derive.exercises import k_regression_delta as k_ex
    from derive.exercises.output_layer import K, sigma
    assert all(c.counts for c in k_ex.gaussian_loss_checks())
    E, says = k_ex.LOSSES["gaussian"]
    wrong = E.subs(sp.log(2 * sp.pi * sigma**2), sp.log(2 * sp.pi * sigma))
    assert wrong != E
    monkeypatch.setitem(k_ex.LOSSES, "gaussian", (wrong, says))
    assert not any(c.passed for c in k_ex.gaussian_loss_checks())
    monkeypatch.setitem(k_ex.LOSSES, "gaussian", (E + K / 97, says))
    assert not any(c.passed for c in k_ex.gaussian_loss_checks())
