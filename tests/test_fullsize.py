"""The full-size backprop check (derive.backprop.fullsize): dual numbers against <G, V>, mod p and in float64."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from derive.backprop import fullsize as fs
from derive.backprop.matrix_form import Model
from derive.backprop.net import Net, fn_name, sample
from derive.backprop.route1 import route1 as symengine_route1
from derive.backprop.route2 import route2 as scalar_route2
from derive.core.fields import EXACT, MPMATH
from derive.exercises import Config
from derive.exercises.j_hidden_delta import ALL_WEIGHTS, architecture_checks
from derive.exercises.vectorised_form import full_size

SMALL = [Net((3, 4, 2), ("tanh",), "cross-entropy", N=2),
         Net((3, 4, 4, 2), ("relu", "softplus"), "sum-of-squares", "sigmoid", N=2),
         Net((2, 3, 3, 3, 2), ("sigmoid", "tanh", "identity"), "half-sum-of-squares", N=3),
         Net((4, 3), (), "cross-entropy", N=1)]
MEDIUM = [Net((50, 40, 30, 10), ("tanh", "relu"), "cross-entropy", N=4),
          Net((64, 64, 64, 64, 10), ("softplus", "sigmoid", "tanh"), "sum-of-squares", N=2)]
LARGE = Net((784, 256, 256, 10), ("tanh", "tanh"), "sum-of-squares", N=2)


def counts(checks: list) -> bool:  # type: ignore[type-arg]
    return all(c.passed and c.control == "rejected" for c in checks)


# --- agreement, with controls ---------------------------------------------------------------------
@pytest.mark.parametrize("net", SMALL + MEDIUM, ids=lambda n: n.describe())
def test_routes_agree_and_controls_are_rejected(net: Net) -> None:
    checks = fs.checks(net)
    assert [c.route for c in checks] == ["mod-p", "float64"]
    assert counts(checks), [(c.detail, c.control) for c in checks]
    assert all(f"all {sum((a + 1) * b for a, b in zip(net.widths, net.widths[1:]))} weights" in c.detail
               for c in checks)
    assert "bound on a false pass: deg/p per point, (deg/p)^k for k points" in checks[0].detail
    assert f"mod p = {fs.prime_for(net.widths, net.N)}" in checks[0].detail
    assert "tolerance 1e-10" in checks[1].detail


def test_large_network_every_weight() -> None:
    checks = fs.checks(LARGE)
    assert counts(checks) and "all 269322 weights" in checks[0].detail


# --- against the existing small-network routes --------------------------------------------------------
def point_of(net: Net, s, convert, R: fs.Ring, layers) -> fs.Point:  # type: ignore[no-untyped-def]
    """The fullsize Point of a derive.backprop.net Sample (bias in column 0), a random direction V."""
    rng = np.random.default_rng(7)
    dtype = np.int64 if R.p else np.float64
    W = [np.array([[convert(s.w[l, j, i]) for i in range(net.widths[l - 1] + 1)]
                   for j in range(1, net.widths[l] + 1)], dtype=dtype) for l in range(1, net.L + 1)]
    X = np.array([[convert(s.x[n, i]) for i in range(1, net.widths[0] + 1)] for n in range(1, net.N + 1)], dtype=dtype)
    T = np.array([[convert(s.t[n, k]) for k in range(1, net.widths[-1] + 1)] for n in range(1, net.N + 1)], dtype=dtype)
    V = [rng.integers(0, R.p, w.shape, dtype=np.int64) if R.p else rng.standard_normal(w.shape) for w in W]
    return fs.Point(W, X, T, V, layers)


def test_float64_matches_symengine_and_the_scalar_recursion_on_a_tiny_net() -> None:
    net = Net((3, 4, 3), ("tanh",), "cross-entropy", N=2)
    s = sample(net, MPMATH, 2)
    pt = point_of(net, s, float, fs.FLOAT64, fs.real_layers(net))
    with MPMATH.context():
        g1, g2 = symengine_route1(net, s, MPMATH, sorted(s.w)), scalar_route2(net, s, MPMATH)
    G = fs.route2(net, pt, fs.FLOAT64)
    for (l, j, i), v in g1.items():
        assert G[l - 1][j - 1, i] == pytest.approx(float(v), rel=1e-12, abs=1e-14)
        assert float(g2[l, j, i]) == pytest.approx(float(v), rel=1e-12, abs=1e-14)
    directional = sum(float(v) * pt.V[l - 1][j - 1, i] for (l, j, i), v in g1.items())
    assert fs.route1(net, pt, fs.FLOAT64) == pytest.approx(directional, rel=1e-12)


def test_mod_p_matches_symengine_exactly_on_a_tiny_net() -> None:
    """The same rational point and cubics, reduced mod fullsize's prime: every weight's gradient equal."""
    net = Net((3, 4, 4, 2), ("h", "h"), "sum-of-squares", "h", N=2)
    R = fs.Ring(fs.prime_for(net.widths, net.N))

    def residue(q: Fraction) -> int:
        return q.numerator * pow(q.denominator, -1, R.p) % R.p
    s = sample(net, EXACT, 3)
    layers = {l: fs.cubic_layer(R, [residue(c) for c in s.cubics[fn_name(net, l)]]) for l in range(1, net.L + 1)}
    pt = point_of(net, s, residue, R, layers)
    g1, g2 = symengine_route1(net, s, EXACT, sorted(s.w)), scalar_route2(net, s, EXACT)
    G = fs.route2(net, pt, R)
    assert all(G[l - 1][j - 1, i] == residue(v) == residue(g2[l, j, i]) for (l, j, i), v in g1.items())
    directional = sum(residue(v) * int(pt.V[l - 1][j - 1, i]) for (l, j, i), v in g1.items()) % R.p
    assert fs.route1(net, pt, R) == directional == fs.inner(R, G, pt)[0]


# --- wrong rules are caught at full size -------------------------------------------------------------
@pytest.mark.parametrize("mutation", fs.MUTATIONS)
def test_wrong_rules_are_caught_at_full_size(mutation: str) -> None:
    checks = fs.checks(LARGE, mutation=mutation)
    assert all(not c.passed and "directions V: 0 agree;" in c.detail for c in checks), [c.detail for c in checks]
    assert all(c.control is None for c in checks)


@pytest.mark.parametrize("mutation", ["drop-h-prime", "transpose", "wrong-layer", "t-minus-y", "mean"])
def test_wrong_rules_are_caught_with_softmax(mutation: str) -> None:
    net = Net((784, 128, 128, 10), ("relu", "softplus"), "cross-entropy", N=2)
    assert not fs.check(net, fs.FLOAT64, mutation=mutation).passed


def test_unknown_mutation_and_undefined_h_in_float64_fail() -> None:
    assert "unknown mutation" in fs.check(SMALL[0], fs.FLOAT64, mutation="nonsense").detail
    undefined = fs.check(Net((2, 3, 2), ("h",)), fs.FLOAT64)
    assert not undefined.passed and "unknown activation 'h'" in undefined.detail


# --- the prime and the degree ----------------------------------------------------------------------------
@pytest.mark.parametrize("widths,N", [((2, 3, 2), 1), ((784, 128, 10), 2), ((784, 1024, 1024, 10), 2), ((3, 3), 5000)])
def test_prime_is_the_largest_without_overflow(widths: tuple[int, ...], N: int) -> None:
    p, n = fs.prime_for(widths, N), max(max(widths) + 1, N)  # a width with its bias unit, or N
    assert sp.isprime(p) and n * p**2 < 2**63 <= n * sp.nextprime(p) ** 2
    full = np.full((2, n), p - 1, dtype=np.int64)  # the largest residues: the product must not wrap around
    assert int(fs.Ring(p).dot(full, full.T)[0, 0]) == n * (p - 1) ** 2 % p


def test_degree_bound_is_the_degree_of_the_loss() -> None:
    x, t, w0, w1, c0, c1, c2, c3 = sp.symbols("x t w0 w1 c0 c1 c2 c3")
    a = w0 + w1 * x
    E = (c0 + c1 * a + c2 * a**2 + c3 * a**3 - t) ** 2
    assert sp.Poly(sp.expand(E)).total_degree() == fs.degree(1) == 14
    assert (fs.degree(2), fs.degree(3)) == (50, 158)  # 50: sympy's total degree for L = 2 (slow to expand here)


# --- affine networks (exercise d) ------------------------------------------------------------------------
@pytest.mark.parametrize("widths", [(3, 2), (3, 4, 5, 2), (784, 128, 10), (5, 5, 5, 5, 5, 5)])
def test_affine_checks_pass_for_identity(widths: tuple[int, ...]) -> None:
    checks = fs.affine_checks(widths)
    assert len(checks) == 2 and {c.route for c in checks} == {"mod-p"}
    assert counts(checks), [(c.detail, c.control) for c in checks]
    assert all("bound on a false pass" in c.detail for c in checks)


@pytest.mark.parametrize("widths", [(3, 2), (3, 4, 5, 2), (784, 128, 10)])
def test_affine_checks_fail_when_one_layer_bends(widths: tuple[int, ...]) -> None:
    for layer in range(1, len(widths)):
        checks = fs.affine_checks(widths, bend=layer)
        assert not any(c.passed for c in checks), (layer, [c.detail for c in checks])


# --- wired into exercises j and vectorised -------------------------------------------------------------
def test_j_checks_a_large_architecture_at_full_size_only() -> None:
    checks = architecture_checks(Config((784, 128, 10), ("tanh",)))
    assert [c.route for c in checks] == ["mod-p", "float64"] and counts(checks)
    assert all("all 101770 weights" in c.detail for c in checks)


def test_j_keeps_symengine_for_small_architectures() -> None:
    checks = architecture_checks(Config((3, 4, 4, 2), ("tanh", "relu")))
    assert sum((a + 1) * b for a, b in zip((3, 4, 4, 2), (4, 4, 2))) <= ALL_WEIGHTS
    assert [c.route for c in checks] == ["mod-p", "float64", "mpmath-50", "exact-rational"]
    assert all(c.passed for c in checks), [c.detail for c in checks]


def test_vectorised_full_size_agrees_and_rejects_a_wrong_form() -> None:
    model = Model.of((784, 128, 10), ("tanh",), "cross-entropy", N=2)
    check = full_size(model)
    assert check.passed and check.control == "rejected" and "all 101770 weights" in check.detail

    class TminusY(Model):
        def output_delta(self):  # type: ignore[no-untyped-def]
            return self.T - self.Z(self.L)
    assert not full_size(TminusY(model.widths, model.hidden, model.loss, 2)).passed


def test_d_checks_a_large_user_architecture_in_full_mod_p() -> None:
    """Exercise d on 784,128,10: past the symbolic limit the collapse is checked mod p, in full."""
    from derive.exercises import Config
    from derive.exercises.d_linear_collapse import exercise_d
    ex = exercise_d(Config((784, 128, 10), ("tanh",)))
    assert ex.verified and not ex.powerless
    full = [c for c in ex.extra_checks if c.route == "mod-p"]
    assert full and all(c.counts and "784" in c.detail for c in full)


def test_one_output_unit_is_checked_with_the_sum_of_squares_not_a_degenerate_softmax() -> None:
    """K = 1: softmax is 1 and every gradient 0, so nothing could fail; the user's network is
    checked with the sum of squares instead, and nothing is powerless."""
    from derive.exercises import Config, run
    for ex in run(Config((1, 3, 1), ("tanh",)), ["j", "vectorised"]):
        assert ex.verified and not ex.powerless, [c.detail for c in ex.powerless]
