"""Bishop fig. 5.3's four fits, trained by the module `derive code --widths 1,3,1` emits.

The data: N = 50 inputs evenly spaced in the open interval (-1, 1), x_n = -1 + (2n - 1)/N for
n = 1..N (the midpoints of N equal cells: neither end is a point and, N being even, no point
is 0), and the targets t_n = f(x_n) for f(x) = x^2, sin(pi x), |x| and the Heaviside step H(x)
(H(0) = 1/2, a value no data point takes). The network is the emitted NumPy module for a 1-3-1
network with tanh hidden units, linear output and the exercise's E = sum_n (y_n - t_n)^2 (no
1/2), rendered by derive.emit.code.plan and imported by derive.emit.code.verify_code.load. It
starts from its own init_params(SEED) and takes STEPS full-batch Adam steps with its own
gradients() and adam_step(): nothing of the training is written here but the loop.

The step size decays exponentially, from LR_START to LR_END over the run (`rate`). With a
constant step Adam keeps hopping about the minimum, a chaotic motion in which a rounding
difference of 1e-16 grows to the size of the loss within a few thousand steps; the decay lets
every run settle, so that another correct implementation (tests/test_figures.py: PyTorch)
follows the same path to about 1e-13 and the comparison can tell a wrong step from rounding.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

import numpy as np

from derive.emit.code.plan import module_source
from derive.emit.code.verify_code import load

WIDTHS, ACTIVATION, LOSS, DTYPE = "1,3,1", "tanh", "sum-of-squares", "float64"
N = 50  # data points
SEED = 0  # init_params(SEED) for every target
STEPS = 5000  # full-batch Adam steps
LR_START, LR_END = 0.1, 0.001  # Adam's step size, first and last (beta1, beta2, eps: the defaults)
HIDDEN = int(WIDTHS.split(",")[1])  # tanh units

Array = Any  # a NumPy array (the emitted module is untyped)


@dataclass(frozen=True)
class Target:
    """A function to fit: its key (file-safe), its formula for captions ($...$ math), f itself."""

    key: str
    formula: str
    f: Callable[[np.ndarray], np.ndarray]


TARGETS = (
    Target("square", "$f(x) = x^2$", lambda x: x ** 2),
    Target("sine", "$f(x) = \\sin(\\pi x)$", lambda x: np.sin(np.pi * x)),
    Target("abs", "$f(x) = |x|$", np.abs),
    Target("step", "$f(x) = H(x)$", lambda x: np.heaviside(x, 0.5)),
)


def inputs(size: int = N) -> np.ndarray:
    """x_n = -1 + (2n - 1)/size, n = 1..size: evenly spaced inside (-1, 1), shape (size,)."""
    return -1.0 + (2.0 * np.arange(1, size + 1) - 1.0) / size


@lru_cache(maxsize=1)
def emitted() -> ModuleType:
    """The module `derive code --widths 1,3,1 --activation tanh --loss sum-of-squares` writes."""
    return load(module_source(WIDTHS, ACTIVATION, LOSS, DTYPE), "mlp_1_3_1")


def rate(k: int, steps: int = STEPS) -> float:
    """The step size of step k = 0..steps-1: LR_START (LR_END/LR_START)^(k/steps)."""
    return LR_START * (LR_END / LR_START) ** (k / steps)


def train(module: ModuleType, X: np.ndarray, T: np.ndarray, params: dict[str, Array],
          steps: int = STEPS) -> list[float]:
    """`steps` full-batch Adam steps on (X, T) by the module's gradients() and adam_step(), in
    place on params; returns E before each step, then the final E (steps + 1 numbers)."""
    state = module.adam_state(params)
    losses = []
    for k in range(steps):
        E, grads = module.gradients(params, X, T)
        losses.append(E)
        module.adam_step(params, grads, state, rate(k, steps))
    losses.append(module.loss(params, X, T))
    return losses


@dataclass(frozen=True)
class Fit:
    """One trained panel: the data, the trained params, E before every step and at the end."""

    target: Target
    x: np.ndarray
    t: np.ndarray
    params: dict[str, Array]
    losses: list[float]

    @property
    def E(self) -> float:
        """The final E = sum_n (y(x_n) - t_n)^2."""
        return self.losses[-1]

    def output(self, x: np.ndarray) -> np.ndarray:
        """y(x) of the trained network, by the module's forward(), shape (len(x),)."""
        return np.asarray(emitted().forward(self.params, x[:, None]))[:, 0]

    def hidden(self, x: np.ndarray) -> np.ndarray:
        """w_1j^(2) z_j(x), j = 1..3, shape (len(x), 3): each hidden unit's share of y(x).

        z_j = tanh(w_j1^(1) x + w_j0^(1)); y(x) = w_10^(2) + sum_j w_1j^(2) z_j(x), which is
        checked against the module's forward() to 1e-12, so the dashed lines add up to the fit.
        """
        p = self.params
        shares = np.tanh(x[:, None] * p["W1"][:, 0] + p["b1"]) * p["W2"][0]
        gap = np.max(np.abs(shares.sum(axis=1) + p["b2"][0] - self.output(x)), initial=0.0)
        if not gap <= 1e-12 * max(1.0, float(np.max(np.abs(shares), initial=0.0))):
            raise AssertionError(f"hidden units and forward() differ by {gap:.2e}")
        return np.asarray(shares)


def fit(target: Target, steps: int = STEPS, seed: int = SEED) -> Fit:
    """Train the emitted module on `target`'s data from init_params(seed)."""
    module = emitted()
    x = inputs()
    t = target.f(x)
    params = module.init_params(seed)
    losses = train(module, x[:, None], t, params, steps)
    return Fit(target, x, t, params, losses)


@lru_cache(maxsize=1)
def fits() -> tuple[Fit, ...]:
    """The four panels of fig. 5.3, trained once per process."""
    return tuple(fit(target) for target in TARGETS)
