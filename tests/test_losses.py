"""The loss registry: every loss and reduction against PyTorch, overflow-free logits, wrong claims rejected."""
from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import sympy as sp

from derive.backprop.checks import exact_net, network_check
from derive.backprop.matrix_form import Model
from derive.backprop.net import Net
from derive.core import losses
from derive.core.errors import DeriveError
from derive.core.fields import EXACT, MPMATH
from derive.core.verify import check_identity
from derive.emit.code import verify_code
from derive.emit.code.module import write_module
from derive.emit.code.plan import model_of, module_source
from derive.exercises import Config, run
from derive.exercises import output_deltas as od
from derive.exercises.output_layer import j, t, y

torch = pytest.importorskip("torch")
F = torch.nn.functional

PAIRS = list(itertools.product(losses.names(), losses.REDUCTIONS))
IDS = [f"{name}-{reduction}" for name, reduction in PAIRS]
WIDTHS, N, K = "3,4,2", 5, 2


def module(name: str, reduction: str, dtype: str = "float64") -> ModuleType:
    return verify_code.load(module_source(WIDTHS, "tanh", name, dtype, reduction), "emitted_test_losses")


def targets(name: str, rng: np.random.Generator) -> np.ndarray:
    if losses.get(name).simplex:  # soft targets on the simplex: torch's class probabilities
        return rng.dirichlet(np.ones(K), N)
    if losses.get(name).output == "sigmoid":
        return rng.uniform(0.0, 1.0, (N, K))
    return rng.standard_normal((N, K))


def torch_loss(name: str, reduction: str, A: Any, T: Any) -> Any:
    """The documented E from torch.nn.functional: "mean" divides the sum by N, the number of examples."""
    if name == "sum-of-squares":
        E = F.mse_loss(A, T, reduction="sum")
    elif name == "half-sum-of-squares":
        E = F.mse_loss(A, T, reduction="sum") / 2
    elif name == "gaussian-nll":  # var = 1, full=True: the 1/2 log 2 pi per element included
        E = F.gaussian_nll_loss(A, T, torch.ones_like(A), full=True, reduction="sum")
    elif name == "cross-entropy":  # class-probability targets; torch's "mean" divides by N here too
        return F.cross_entropy(A, T, reduction=reduction)
    else:
        E = F.binary_cross_entropy_with_logits(A, T, reduction="sum")
    return E if reduction == "sum" else E / A.shape[0]


def against_torch(mod: ModuleType, name: str, reduction: str, params: dict[str, np.ndarray],
                  X: np.ndarray, T: np.ndarray) -> tuple[float, dict[str, np.ndarray], Any, dict[str, Any]]:
    E, grads = mod.gradients(params, X, T)
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    Z1 = torch.tanh(torch.tensor(X) @ w["W1"].T + w["b1"])
    reference = torch_loss(name, reduction, Z1 @ w["W2"].T + w["b2"], torch.tensor(T))
    reference.backward()
    return E, grads, reference, w


def relative(u: Any, v: Any) -> float:
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    return float(np.abs(u - v).max() / max(np.abs(v).max(), 1e-300))


@pytest.mark.parametrize("name,reduction", PAIRS, ids=IDS)
def test_the_emitted_loss_and_gradients_agree_with_torch(name: str, reduction: str) -> None:
    mod, rng = module(name, reduction), np.random.default_rng(7)
    params, X, T = mod.init_params(3), rng.standard_normal((N, 3)), targets(name, rng)
    E, grads, reference, w = against_torch(mod, name, reduction, params, X, T)
    assert relative(E, reference.item()) < 1e-10
    assert relative(mod.loss(params, X, T), reference.item()) < 1e-10
    for key, g in grads.items():
        assert relative(g, w[key].grad.numpy()) < 1e-10, key
    assert mod.check_gradients() < 1e-6


def test_torch_means_over_elements_are_not_ours() -> None:
    """torch's MSELoss and gaussian_nll_loss 'mean' divide by N K; the registry's mean divides by N."""
    mod, rng = module("sum-of-squares", "mean"), np.random.default_rng(1)
    params, X, T = mod.init_params(0), rng.standard_normal((N, 3)), rng.standard_normal((N, K))
    Y = torch.tensor(mod.forward(params, X))
    assert relative(mod.loss(params, X, T), K * F.mse_loss(Y, torch.tensor(T), reduction="mean").item()) < 1e-12


@pytest.mark.parametrize("name,reduction", PAIRS, ids=IDS)
def test_logits_of_size_1000_give_finite_loss_and_gradients(name: str, reduction: str) -> None:
    mod, rng = module(name, reduction), np.random.default_rng(2)
    params = mod.init_params(0)
    params["W2"][:] = 0.0
    params["b2"][:] = [1000.0, -1000.0]  # a^(L) = (1000, -1000) for every example
    X, T = rng.standard_normal((N, 3)), targets(name, rng)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        E, grads, reference, w = against_torch(mod, name, reduction, params, X, T)
        value = mod.loss(params, X, T)
        Y = mod.forward(params, X)
    assert np.isfinite(E) and np.isfinite(value) and np.isfinite(Y).all()
    assert all(np.isfinite(g).all() for g in grads.values())
    assert relative(E, reference.item()) < 1e-10 and relative(value, reference.item()) < 1e-10
    for key, g in grads.items():
        assert relative(g, w[key].grad.numpy()) < 1e-10 or np.abs(g - w[key].grad.numpy()).max() < 1e-12, key


def test_the_module_states_its_loss_and_reduction(tmp_path: Path) -> None:
    mean = module_source(WIDTHS, "tanh", "binary-cross-entropy", "float64", "mean")
    first = mean.splitlines()[0]
    assert "binary-cross-entropy loss, mean reduction" in first
    assert 'REDUCTION = "mean"' in mean and "--reduction mean" in mean and "divided by N" in mean
    plain = module_source(WIDTHS, "tanh", "binary-cross-entropy", "float64")
    assert module_source(WIDTHS, "tanh", "binary-cross-entropy", "float64", "sum") == plain
    assert "REDUCTION" not in plain and "E is the sum over the batch" in plain
    path = write_module(WIDTHS, "tanh", "gaussian-nll", "float32", str(tmp_path / "mlp.py"), reduction="mean")
    assert verify_code.load(path.read_text()).check_gradients() < 0.02


# --- the derivations: a wrong claim fails --------------------------------------------------------------
def claim_checks(name: str, reduction: str, claim: sp.Expr) -> list[Any]:
    """What `verify` checks of the claim: the rules reach it, and last step = claim by every route."""
    d = od.delta_chain(name, reduction).claim(claim)
    label, left, right = d.links()[-1]  # last step = claim, or lhs = claim where the two are one tree
    return d.short() + check_identity(left, right, d.context, what=label, real=True)


@pytest.mark.parametrize("name,reduction", PAIRS, ids=IDS)
def test_a_wrong_delta_claim_fails(name: str, reduction: str) -> None:
    loss = losses.get(name)
    right = loss.delta(y[od.n, j], t[od.n, j], reduction)
    assert all(c.counts for c in claim_checks(name, reduction, right))
    wrong_c = replace(loss, scale=1 if loss.scale == 2 else 2).delta(y[od.n, j], t[od.n, j], reduction)
    assert not any(c.passed for c in claim_checks(name, reduction, wrong_c))
    other = "mean" if reduction == "sum" else "sum"  # mean without 1/N, or a sum with it
    assert not any(c.passed for c in claim_checks(name, reduction, loss.delta(y[od.n, j], t[od.n, j], other)))


def test_the_exercise_honours_the_configured_loss_and_reduction() -> None:
    ex = run(Config(loss="binary-cross-entropy", reduction="mean"), ["losses"])[0]
    assert ex.verified and len(ex.derivations) == 1, [c.detail for c in ex.checks if not c.counts]
    assert "binary-cross-entropy, mean" in ex.derivations[0].title
    assert sp.expand(ex.derivations[0].result - (y[od.n, j] - t[od.n, j]) / od.N) == 0
    failed = run(Config(loss="hinge"), ["losses"])[0]
    assert failed.status == "failed" and "unknown loss 'hinge'" in failed.checks[0].detail


def test_a_wrong_gaussian_constant_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(c.counts for c in od.likelihood_checks("gaussian-nll"))
    loss = losses.get("gaussian-nll")
    monkeypatch.setitem(losses.LOSSES, "gaussian-nll",
                        replace(loss, term=lambda u, v: (u - v) ** 2 / 2 + sp.log(sp.pi) / 2))
    assert not any(c.passed for c in od.likelihood_checks("gaussian-nll"))


# --- the backprop routes ------------------------------------------------------------------------------
@pytest.mark.parametrize("name,reduction", PAIRS, ids=IDS)
def test_the_backprop_routes_agree_and_see_a_forgotten_mean(name: str, reduction: str) -> None:
    canonical = losses.get(name).canonical
    net = exact_net((2, 3, 2), name, "identity" if canonical else "h", N=3, reduction=reduction)
    field = MPMATH if losses.get(name).output != "identity" else EXACT
    assert network_check(net, field).counts
    if reduction == "mean":
        assert not network_check(net, field, mutation="sum-for-mean").passed
    if name == "sum-of-squares":
        assert not network_check(net, field, mutation="no-factor-2").passed
    assert not network_check(net, field, mutation="t-minus-y").passed


def test_an_exact_field_refuses_the_sigmoid_output() -> None:
    check = network_check(exact_net((2, 3, 2), "binary-cross-entropy", N=2), EXACT)
    assert not check.passed and "leaves the rationals" in check.detail


# --- the registry ---------------------------------------------------------------------------------------
def test_an_unknown_loss_or_reduction_raises_with_the_choices() -> None:
    with pytest.raises(DeriveError, match="unknown loss 'hinge'; choose from: sum-of-squares, "
                                          "half-sum-of-squares, gaussian-nll, cross-entropy, binary-cross-entropy"):
        losses.get("hinge")
    with pytest.raises(DeriveError, match="unknown reduction 'median'; choose from: sum, mean"):
        losses.check_reduction("median")
    for make in (lambda: Net((2, 2), (), "hinge"), lambda: Model.of((2, 2), (), "hinge"),
                 lambda: model_of("2,2", "tanh", "hinge", "float64"),
                 lambda: model_of("2,2", "tanh", "cross-entropy", "float64", "median"),
                 lambda: Net((2, 2), (), "cross-entropy", reduction="median")):
        with pytest.raises(DeriveError, match="choose from"):
            make()


def test_every_entry_is_complete() -> None:
    for name in losses.names():
        loss = losses.get(name)
        assert loss.name == name and "Bishop" in loss.description and loss.latex.startswith("E_n =")
        assert loss.targets and loss.output in ("identity", "softmax", "sigmoid")
        assert isinstance(loss.example(y.__getitem__, t.__getitem__), sp.Sum)
