"""A small real network for the numeric checks of e), f) and h).

Built by the engine: derive.core.network's closed form y_k(x; w) with tanh hidden units and
linear outputs, its per-example error E_n = sum_k (y_k(x_n) - t_nk)^2 differentiated by
SymPy in every weight, and both lambdified for NumPy. Weights are one flat vector in the
order of Network.weights(1), ..., Network.weights(L) (bias column i = 0 included).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from derive.core.activations import identity, tanh
from derive.core.expand import expand_definitions
from derive.core.network import Network
from derive.rules import network as rules


class ToyNetwork:
    """widths (D, M, ..., K): forward(w, X) of shape (N, K), gradients(w, X, T) of shape (N, P)."""

    def __init__(self, widths: tuple[int, ...]) -> None:
        self.widths = widths
        self.forward_fn, self.gradient_fn, self.size = compiled(widths)

    def random_weights(self, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(size=self.size)

    def forward(self, w: np.ndarray, X: np.ndarray) -> np.ndarray:
        out = self.forward_fn(*w, *X.T)
        return np.stack([np.broadcast_to(v, X.shape[:1]) for v in out], axis=1)

    def gradients(self, w: np.ndarray, X: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Row n is the gradient of E_n = ||y(x_n) - t_n||^2 in all weights."""
        out = self.gradient_fn(*w, *X.T, *T.T)
        return np.stack([np.broadcast_to(v, X.shape[:1]) for v in out], axis=1)


@lru_cache(maxsize=4)
def compiled(widths: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """Lambdified forward pass and per-example gradient; built once per architecture."""
    net = Network(widths, (tanh,) * (len(widths) - 2) + (identity,))
    weights = [w for l in range(1, net.L + 1) for w in net.weights(l)]
    xs = [net.x[i] for i in range(1, widths[0] + 1)]
    ts = [sp.Symbol(f"t_{k}") for k in range(1, widths[-1] + 1)]
    ys = [expand_definitions(rules.closed_form(net, k), net.definitions())
          for k in range(1, widths[-1] + 1)]
    error = sum((y - t) ** 2 for y, t in zip(ys, ts))  # E_n, no 1/2 as in the exercise
    grad = [sp.diff(error, w) for w in weights]
    forward = sp.lambdify(weights + xs, ys, "numpy")
    gradient = sp.lambdify(weights + xs + ts, grad, "numpy")
    return forward, gradient, len(weights)
