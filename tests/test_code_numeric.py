"""Emitted modules tested as code: central differences, PyTorch autograd, extreme inputs.

Every module of the grid is written by `write_module`, imported from its file and checked
against two independent routes: central differences of its readable `loss` (float64,
relative error < 1e-6) and torch.autograd of a network built here from the options alone
(float64, relative error < 1e-10). Mutated modules (h' dropped, the factor 2 of the
exercise's E dropped) must fail both, or the checks prove nothing.
"""
from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from derive.emit.code.plan import module_source  # noqa: E402
from derive.emit.code.module import write_module

ACTIVATIONS = ("tanh", "sigmoid", "relu", "softplus", "identity")
LOSSES = ("sum-of-squares", "gaussian-nll", "cross-entropy")
TORCH_H = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
           "identity": lambda a: a,  # torch's softplus is linear above 20 unless told otherwise:
           "softplus": lambda a: torch.nn.functional.softplus(a, threshold=700.0)}


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"emitted_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def emit(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """emit(widths, activation, loss, dtype) -> the imported module, written once per options."""
    folder, cache = tmp_path_factory.mktemp("emitted"), {}

    def make(widths: str, activation: str, loss: str, dtype: str = "float64") -> ModuleType:
        key = (widths, activation, loss, dtype)
        if key not in cache:
            name = "_".join(k.replace(",", "_").replace("-", "_") for k in key) + ".py"
            cache[key] = load(write_module(widths, activation, loss, dtype, str(folder / name)))
        return cache[key]
    return make


def data(module: ModuleType, N: int = 7, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    D, K = module.WIDTHS[0], module.WIDTHS[-1]
    X = rng.standard_normal((N, D)).astype(module.DTYPE)
    if module.LOSS == "cross-entropy":
        return X, np.eye(K, dtype=module.DTYPE)[rng.integers(0, K, N)]
    return X, rng.standard_normal((N, K)).astype(module.DTYPE)


def central_differences(module: ModuleType, params: dict, X: np.ndarray, T: np.ndarray,
                        eps: float = 1e-6) -> dict[str, np.ndarray]:
    """(E(w + eps) - E(w - eps)) / 2 eps for every parameter, from the readable loss()."""
    grads = {}
    for name, w in params.items():
        g = np.empty(w.size)
        for i in range(w.size):
            old = w.flat[i]
            w.flat[i] = old + eps
            plus = module.loss(params, X, T)
            w.flat[i] = old - eps
            g[i] = (plus - module.loss(params, X, T)) / (2 * eps)
            w.flat[i] = old
        grads[name] = g.reshape(w.shape)
    return grads


def torch_reference(module: ModuleType, params: dict, X: np.ndarray, T: np.ndarray):  # type: ignore[no-untyped-def]
    """E and dE/dw by torch.autograd for the network the module's options describe."""
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z, t, L = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64), len(module.WIDTHS) - 1
    for l in range(1, L + 1):
        a = z @ p[f"W{l}"].T + p[f"b{l}"]
        z = TORCH_H[module.ACTIVATIONS[l - 1]](a) if l < L else a
    if module.LOSS == "cross-entropy":
        E = -(t * torch.log_softmax(z, dim=1)).sum()
    elif module.LOSS == "sum-of-squares":
        E = ((z - t) ** 2).sum()
    else:
        E = 0.5 * ((z - t) ** 2).sum() + z.numel() / 2 * math.log(2 * math.pi)
    E.backward()
    return E.item(), {k: v.grad.numpy() for k, v in p.items()}


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300))


def worst(grads: dict, reference: dict) -> float:
    return max(relative(np.asarray(grads[k], np.float64), reference[k]) for k in reference)


GRID = [("3,2", "tanh", loss) for loss in LOSSES]  # L = 1: no hidden layer
GRID += [("3,4,2", act, loss) for act, loss in itertools.product(ACTIVATIONS, LOSSES)]  # L = 2
GRID += [("2,5,4,3", f"{a},{b}", loss)  # L = 3, each activation in both positions
         for (a, b), loss in zip(itertools.permutations(ACTIVATIONS, 2), itertools.cycle(LOSSES))]
GRID += [("2,3,4,3,2", "tanh,relu,sigmoid", "cross-entropy"), ("2,3,4,3,2", "softplus", "sum-of-squares")]


@pytest.mark.parametrize("widths,activation,loss", GRID)
def test_gradients_match_central_differences_and_torch(emit, widths: str, activation: str, loss: str) -> None:
    module = emit(widths, activation, loss)
    params = module.init_params(seed=3)
    X, T = data(module)
    E, grads = module.gradients(params, X, T)
    assert set(grads) == set(params) and all(grads[k].shape == params[k].shape for k in params)
    assert worst(grads, central_differences(module, params, X, T)) < 1e-6
    E_torch, reference = torch_reference(module, params, X, T)
    assert abs(E - E_torch) <= 1e-12 * max(1.0, abs(E_torch))
    assert abs(module.loss(params, X, T) - E_torch) <= 1e-12 * max(1.0, abs(E_torch))
    assert worst(grads, reference) < 1e-10
    assert module.check_gradients() < 1e-6  # the module's own self-test agrees


@pytest.mark.parametrize("activation,loss", list(itertools.product(ACTIVATIONS, LOSSES)))
def test_float32_modules_agree_with_float64(emit, activation: str, loss: str) -> None:
    single, double = emit("3,4,2", activation, loss, "float32"), emit("3,4,2", activation, loss)
    params = single.init_params(seed=2)
    assert all(w.dtype == np.float32 for w in params.values())
    X, T = data(single)
    E, grads = single.gradients(params, X, T)
    assert all(g.dtype == np.float32 for g in grads.values())
    E64, grads64 = double.gradients({k: v.astype(np.float64) for k, v in params.items()}, X, T)
    assert abs(E - E64) <= 1e-5 * max(1.0, abs(E64))
    assert worst(grads, grads64) < 1e-4
    assert single.check_gradients() < 0.02


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_extreme_logits_stay_finite(emit, dtype: str) -> None:
    module = emit("3,4,4,3", "tanh,sigmoid", "cross-entropy", dtype)
    params = module.init_params()
    params["W3"] *= 300
    params["b3"][:] = [1000.0, -1000.0, 1000.0]
    X, T = data(module)
    A = module._logits(params, X)
    assert np.abs(A).max() > 900
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        E, grads = module.gradients(params, X, T)
        Y = module.forward(params, X)
    assert np.isfinite(E) and np.isfinite(module.loss(params, X, T))
    assert all(np.isfinite(g).all() for g in grads.values())
    assert np.allclose(Y.sum(axis=1), 1.0)
    if dtype == "float64":
        E_torch, reference = torch_reference(module, params, X, T)
        assert abs(E - E_torch) <= 1e-12 * abs(E_torch)
        assert worst(grads, reference) < 1e-10


@pytest.mark.parametrize("activation", ["sigmoid", "softplus"])
def test_hidden_activations_do_not_overflow(emit, activation: str) -> None:
    module = emit("3,4,2", activation, "sum-of-squares")
    params = module.init_params()
    params["W1"] *= 2000.0  # pre-activations of a thousand and more
    X, T = data(module)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        E, grads = module.gradients(params, X, T)
    assert np.isfinite(E) and all(np.isfinite(g).all() for g in grads.values())
    assert worst(grads, torch_reference(module, params, X, T)[1]) < 1e-10


def test_buffers_are_reused_but_results_are_new(emit) -> None:
    module = emit("3,4,4,2", "tanh,relu", "cross-entropy")
    params = module.init_params()
    X, T = data(module, N=9)
    E, grads = module.gradients(params, X, T)
    kept = {k: g.copy() for k, g in grads.items()}
    module.gradients(params, *data(module, N=9, seed=5))  # same N: same work arrays
    module.gradients(params, *data(module, N=4, seed=6))  # another N: new work arrays
    assert all(np.array_equal(grads[k], kept[k]) for k in kept)
    E2, grads2 = module.gradients(params, X, T)
    assert E2 == E and all(np.array_equal(grads2[k], kept[k]) for k in kept)


def test_module_interface(emit) -> None:
    module = emit("784,128,10", "tanh", "cross-entropy")
    params = module.init_params(seed=0)
    assert module.WIDTHS == (784, 128, 10) and module.ACTIVATIONS == ("tanh",)
    assert params["W1"].shape == (128, 784) and params["b1"].shape == (128,)
    assert params["W2"].shape == (10, 128) and params["b2"].shape == (10,)
    assert all(np.array_equal(params[k], module.init_params(seed=0)[k]) for k in params)
    X, T = data(module, N=16)
    Y = module.forward(params, X)
    assert Y.shape == (16, 10) and np.allclose(Y.sum(axis=1), 1.0)
    E, grads = module.gradients(params, X, T)
    smaller = module.loss(module.sgd_step(params, grads, 1e-3), X, T)
    assert smaller < E  # a small step against the gradient lowers E (exercise h)
    assert module.check_gradients() < 1e-6


def mutated(tmp_path: Path, old: str, new: str, *options: str) -> ModuleType:
    source = module_source(*options)
    assert old in source
    path = tmp_path / "mutant.py"
    path.write_text(source.replace(old, new, 1))
    return load(path)


@pytest.mark.parametrize("old,new,options", [
    ("    Delta1 *= Z1\n", "\n", ("3,4,2", "tanh", "gaussian-nll", "float64")),  # h' dropped
    ("np.multiply(R, 2.0, out=R)", "R", ("3,4,2", "tanh", "sum-of-squares", "float64")),  # no 2
    ("Delta2 = np.subtract(Z2, T, out=Delta2)", "Delta2 = Z2", ("3,4,3", "relu", "cross-entropy", "float64")),
])
def test_checks_reject_wrong_code(tmp_path: Path, old: str, new: str, options: tuple[str, ...]) -> None:
    module = mutated(tmp_path, old, new, *options)
    with pytest.raises(AssertionError):
        module.check_gradients()
    params = module.init_params()
    X, T = data(module)
    _, grads = module.gradients(params, X, T)
    assert worst(grads, torch_reference(module, params, X, T)[1]) > 1e-3
    assert worst(grads, central_differences(module, params, X, T)) > 1e-3
