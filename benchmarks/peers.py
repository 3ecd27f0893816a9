"""The contestants of benchmarks/run.py: one loss-and-gradients evaluation each, same maths.

Every peer computes E(w) (the sum over the batch) and dE/dw for the same network, from the
same parameters and data: tanh hidden layers, identity output with the exercise's sum of
squares, or softmax output with cross-entropy. `make(name, spec, params, X, T)` returns a
function of no arguments that runs one evaluation and returns E as a float, so run.py can
check that all peers agree before it times them.
"""
from __future__ import annotations

import importlib.util
import math
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Step = Callable[[], float]


@dataclass(frozen=True)
class Spec:
    """One row of the table: widths, loss, batch size N, dtype."""

    name: str
    widths: tuple[int, ...]
    loss: str
    N: int
    dtype: str

    @property
    def L(self) -> int:
        return len(self.widths) - 1


def emitted_module(spec: Spec):  # type: ignore[no-untyped-def]
    """Write the module with `derive code` (the library call) and import it."""
    from derive.emit.code.module import write_module
    folder = Path(tempfile.mkdtemp(prefix="derive-bench-"))
    name = f"mlp_{'_'.join(map(str, spec.widths))}_{spec.dtype}"
    path = write_module(",".join(map(str, spec.widths)), "tanh", spec.loss, spec.dtype, str(folder / f"{name}.py"))
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def derive_numpy(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray) -> Step:
    gradients = emitted_module(spec).gradients
    return lambda: gradients(params, X, T)[0]


def hand_numpy(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray) -> Step:
    """The reference (= 1.00): plain vectorised NumPy as one writes it by hand."""
    L, softmax = spec.L, spec.loss == "cross-entropy"

    def step() -> float:
        Z = [X]
        for l in range(1, L + 1):
            A = Z[-1] @ params[f"W{l}"].T + params[f"b{l}"]
            Z.append(np.tanh(A) if l < L else A)
        if softmax:
            A = Z[-1] - Z[-1].max(axis=1, keepdims=True)
            log_y = A - np.log(np.exp(A).sum(axis=1, keepdims=True))
            E, delta = -np.sum(T * log_y), np.exp(log_y) - T
        else:
            R = Z[-1] - T
            E, delta = np.sum(R * R), 2 * R
        grads = {}
        for l in range(L, 0, -1):
            grads[f"W{l}"], grads[f"b{l}"] = delta.T @ Z[l - 1], delta.sum(axis=0)
            if l > 1:
                delta = (delta @ params[f"W{l}"]) * (1 - Z[l - 1] ** 2)
        return float(E)
    return step


def gemm_only(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray) -> Step:
    """Only the matrix products of the emitted gradients(), same shapes and transposes."""
    rng = np.random.default_rng(0)
    A = {l: rng.standard_normal((spec.N, spec.widths[l])).astype(spec.dtype) for l in range(1, spec.L + 1)}
    D = {l: rng.standard_normal((spec.N, spec.widths[l])).astype(spec.dtype) for l in range(1, spec.L + 1)}
    Z = {0: X, **A}

    def step() -> float:
        for l in range(1, spec.L + 1):  # A<l> = Z<l-1> W<l>^T
            np.matmul(Z[l - 1], params[f"W{l}"].T, out=A[l])
        for l in range(spec.L, 0, -1):  # dW<l> = Delta<l>^T Z<l-1>; Delta<l-1> = Delta<l> W<l>
            D[l].T @ Z[l - 1]
            if l > 1:
                np.matmul(D[l], params[f"W{l}"], out=D[l - 1])
        return 0.0
    return step


def torch_loss(spec: Spec):  # type: ignore[no-untyped-def]
    import torch
    import torch.nn.functional as F

    def loss(p: dict, X, T):  # type: ignore[no-untyped-def]
        z = X
        for l in range(1, spec.L + 1):
            a = F.linear(z, p[f"W{l}"], p[f"b{l}"])
            z = torch.tanh(a) if l < spec.L else a
        if spec.loss == "cross-entropy":
            return -(T * torch.log_softmax(z, dim=1)).sum()
        return ((z - T) ** 2).sum()
    return loss


def _torch(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray, compiled: bool) -> Step:
    import torch
    p = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params.items()}
    tX, tT = torch.from_numpy(X), torch.from_numpy(T)
    loss = torch_loss(spec)
    if compiled:
        loss = torch.compile(loss)

    def step() -> float:
        for v in p.values():
            v.grad = None
        E = loss(p, tX, tT)
        E.backward()
        return float(E.detach())
    return step


def torch_eager(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray) -> Step:
    return _torch(spec, params, X, T, compiled=False)


def torch_compile(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray) -> Step:
    return _torch(spec, params, X, T, compiled=True)


def _loss_with(xp, spec: Spec):  # type: ignore[no-untyped-def]
    """The loss written against a NumPy-like module (autograd.numpy, jax.numpy)."""
    def loss(p: dict, X, T):  # type: ignore[no-untyped-def]
        z = X
        for l in range(1, spec.L + 1):
            a = z @ p[f"W{l}"].T + p[f"b{l}"]
            z = xp.tanh(a) if l < spec.L else a
        if spec.loss == "cross-entropy":
            a = z - xp.max(z, axis=1, keepdims=True)
            return -xp.sum(T * (a - xp.log(xp.sum(xp.exp(a), axis=1, keepdims=True))))
        return xp.sum((z - T) ** 2)
    return loss


def hips_autograd(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray) -> Step:
    import autograd.numpy as anp
    from autograd import value_and_grad
    value_and_grad_fn = value_and_grad(_loss_with(anp, spec))
    return lambda: float(value_and_grad_fn(params, X, T)[0])


def jax_jit(spec: Spec, params: dict, X: np.ndarray, T: np.ndarray) -> Step:
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)  # float64 rows stay float64; float32 rows stay float32
    fn = jax.jit(jax.value_and_grad(_loss_with(jnp, spec)))
    jp = {k: jax.device_put(v) for k, v in params.items()}
    jX, jT = jax.device_put(X), jax.device_put(T)

    def step() -> float:
        E, grads = fn(jp, jX, jT)
        jax.block_until_ready(grads)
        return float(E)
    return step


PEERS: dict[str, Callable[[Spec, dict, np.ndarray, np.ndarray], Step]] = {
    "hand NumPy": hand_numpy,
    "derive": derive_numpy,
    "torch eager": torch_eager,
    "torch.compile": torch_compile,
    "autograd": hips_autograd,
    "JAX jit": jax_jit,
}


def problem(spec: Spec, seed: int = 0) -> tuple[dict, np.ndarray, np.ndarray]:
    """Parameters (as torch.nn.Linear draws them), inputs and targets of one row."""
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, spec.L + 1):
        bound = 1 / math.sqrt(spec.widths[l - 1])
        params[f"W{l}"] = rng.uniform(-bound, bound, (spec.widths[l], spec.widths[l - 1])).astype(spec.dtype)
        params[f"b{l}"] = rng.uniform(-bound, bound, spec.widths[l]).astype(spec.dtype)
    X = rng.standard_normal((spec.N, spec.widths[0])).astype(spec.dtype)
    K = spec.widths[-1]
    if spec.loss == "cross-entropy":
        T = np.eye(K, dtype=spec.dtype)[rng.integers(0, K, spec.N)]
    else:
        T = rng.standard_normal((spec.N, K)).astype(spec.dtype)
    return params, X, T
