"""The emitted module run as code: its loss, gradients() and sgd_step() against route 2 and FD.

For the architecture in use and each loss, the source `derive code` would write is imported
from a temporary file and evaluated in float64 at a random point (params from its
init_params, X (N, D) and T drawn here). Route 2 (the delta recursion, derive/backprop/route2)
computes the gradients at the same point in mpmath at 50 digits with the real activation;
the loss is written out independently (the textbook formula, -log N(t | y, 1) for the
Gaussian, log of the softmax for cross-entropy) on route 2's forward pass. The second route
is central differences of the module's own loss() along random unit directions. Each
comparison has a control: the same comparison against a reference made wrong by 98/97.
"""
from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import mpmath
import numpy as np

from derive.backprop import fullsize
from derive.backprop.net import Key, Net, Sample, fn_name, layers_with_h, registry_fn
from derive.backprop.route2 import forward as route2_forward
from derive.backprop.route2 import route2
from derive.core import losses
from derive.core.checks import CONTROL_P, Check, Outcome, timed
from derive.core.fields import MPMATH
from derive.emit.code import plan

LOSSES = tuple(losses.names())  # derive.core.losses: every loss the emitter writes
ROUTE2, FD = "emitted-vs-route2", "emitted-vs-fd"
N = 3  # examples in the batch
TOL, FD_TOL, FD_STEP, FD_DIRECTIONS = 1e-9, 1e-6, 1e-5, 3
LR = 0.5  # the step sgd_step() is checked with
MAX_WEIGHTS = 20_000  # route 2 in mpmath up to here (about a second per loss); past it, in float64 at full size
LIMIT = 60.0  # seconds per check
WRONG = mpmath.mpf(CONTROL_P + 1) / CONTROL_P
Render = Callable[..., str]  # (widths, activation, loss, dtype[, reduction=...]) -> source


def load(source: str, name: str = "emitted") -> ModuleType:
    """Import `source` from a file in a temporary folder (not in sys.modules, nothing kept)."""
    with tempfile.TemporaryDirectory(prefix="derive-code-") as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def value(arrays: dict[str, Any], key: Key) -> float:
    """w_ji^(l) of the module's arrays: b<l>[j-1] for i = 0, else W<l>[j-1, i-1]."""
    l, j, i = key
    return float(arrays[f"b{l}"][j - 1] if i == 0 else arrays[f"W{l}"][j - 1, i - 1])


def arrays_of(net: Net, like: dict[str, np.ndarray], values: dict[Key, Any]) -> dict[str, np.ndarray]:
    """The module's arrays (shapes of `like`) holding `values` rounded to float64."""
    out = {name: np.zeros_like(a, dtype=np.float64) for name, a in like.items()}
    for l in range(1, net.L + 1):
        for (_, j, i) in net.weights(l):
            if i == 0:
                out[f"b{l}"][j - 1] = float(values[l, j, i])
            else:
                out[f"W{l}"][j - 1, i - 1] = float(values[l, j, i])
    return out


def sample_of(net: Net, params: dict[str, np.ndarray], X: np.ndarray, T: np.ndarray) -> Sample:
    """Route 2's Sample at the module's point: every float64 exactly as an mpmath number."""
    w = {key: mpmath.mpf(value(params, key)) for l in range(1, net.L + 1) for key in net.weights(l)}
    x = {(n + 1, i + 1): mpmath.mpf(float(X[n, i])) for n in range(X.shape[0]) for i in range(X.shape[1])}
    t = {(n + 1, k + 1): mpmath.mpf(float(T[n, k])) for n in range(T.shape[0]) for k in range(T.shape[1])}
    fns = {fn_name(net, l): registry_fn(net.h_name(l), MPMATH) for l in layers_with_h(net)}
    return Sample(w, x, t, {}, fns)


def textbook_loss(net: Net, s: Sample, loss: str) -> Any:
    """E over the batch from its definition (net.reduction: summed, or divided by N), on route 2's forward
    pass, in mpmath; written here apart from the loss registry."""
    total = mpmath.mpf(0)
    with MPMATH.context():
        for n in range(1, net.N + 1):
            a, z = route2_forward(net, s, n)
            K = net.widths[-1]
            if loss == "cross-entropy":
                exps = [mpmath.exp(u) for u in a[net.L][1:]]
                total -= sum(s.t[n, k] * mpmath.log(exps[k - 1] / sum(exps)) for k in range(1, K + 1))
            elif loss == "gaussian-nll":
                total -= sum(mpmath.log(mpmath.npdf(z[net.L][k], s.t[n, k], 1)) for k in range(1, K + 1))
            elif loss == "binary-cross-entropy":  # z^(L) = sigmoid(a^(L)) from the independent table
                total -= sum(s.t[n, k] * mpmath.log(z[net.L][k]) + (1 - s.t[n, k]) * mpmath.log(1 - z[net.L][k])
                             for k in range(1, K + 1))
            else:
                squares = sum((z[net.L][k] - s.t[n, k]) ** 2 for k in range(1, K + 1))
                total += squares / 2 if loss == "half-sum-of-squares" else squares
    return total if net.reduction == "sum" else total / net.N


def relative(got: list[float], want: list[Any]) -> Any:
    """max |got - want| / max |want| (mpmath), the error every check states."""
    scale = max(max(abs(v) for v in want), mpmath.mpf(10) ** -300)
    return max(abs(mpmath.mpf(g) - v) for g, v in zip(got, want)) / scale


class Point:
    """One loss at one random point: the imported module, its outputs, route 2's gradients."""

    def __init__(self, net: Net, loss: str, source: str, seed: int) -> None:
        self.run_module(net, loss, source, seed)
        self.sample = sample_of(net, self.params, self.X, self.T)
        self.keys = [key for l in range(1, net.L + 1) for key in net.weights(l)]
        self.route2 = route2(net, self.sample, MPMATH)

    def run_module(self, net: Net, loss: str, source: str, seed: int) -> None:
        """Import the module, draw its point (params, X, T) and run gradients() there."""
        self.net, self.loss = net, loss
        self.what = loss if net.reduction == "sum" else f"{loss} ({net.reduction})"
        self.module = module = load(source, f"emitted_{loss.replace('-', '_')}")
        self.rng = rng = np.random.default_rng(seed)
        self.params = module.init_params(seed)
        D, K = net.widths[0], net.widths[-1]
        self.X = rng.standard_normal((N, D))
        self.T = (np.eye(K)[rng.integers(0, K, N)] if net.spec.simplex
                  else rng.uniform(0.0, 1.0, (N, K)) if net.spec.output == "sigmoid" else rng.standard_normal((N, K)))
        self.E, self.grads = module.gradients(self.params, self.X, self.T)
        self.pairs: list[tuple[float, float]] = []

    def gradients(self, scale: Any = 1) -> Outcome:
        err = relative([value(self.grads, k) for k in self.keys], [scale * self.route2[k] for k in self.keys])
        return err <= TOL, (f"{self.what}: gradients() vs route 2 (mpmath-50), N={N}: max relative "
                            f"error {float(err):.1e} (tolerance {TOL:g})")

    def loss_value(self, scale: Any = 1) -> Outcome:
        exact = scale * textbook_loss(self.net, self.sample, self.loss)
        got = [float(self.module.loss(self.params, self.X, self.T)), float(self.E)]
        err = relative(got, [exact, exact])
        return err <= TOL, (f"{self.what}: loss() and the E of gradients() vs E written out on route 2's "
                            f"forward pass (mpmath-50): relative error {float(err):.1e} (tolerance {TOL:g})")

    def sgd(self, scale: Any = 1) -> Outcome:
        """sgd_step(params, route-2 gradients, lr) against w - lr g, relative to max |lr g|."""
        g = arrays_of(self.net, self.params, self.route2)
        stepped = self.module.sgd_step(self.params, g, LR)
        w = [mpmath.mpf(value(self.params, k)) for k in self.keys]
        step = [-LR * scale * mpmath.mpf(value(g, k)) for k in self.keys]
        got = [mpmath.mpf(value(stepped, k)) - wk for k, wk in zip(self.keys, w)]
        err = relative([float(v) for v in got], step)
        return err <= TOL, (f"{self.what}: sgd_step(params, route-2 grads, {LR}) vs w - {LR} g: max error "
                            f"{float(err):.1e} of max |lr g| (tolerance {TOL:g})")

    def directions(self) -> list[dict[str, np.ndarray]]:
        out = []
        for _ in range(FD_DIRECTIONS):
            v = {name: self.rng.standard_normal(a.shape) for name, a in self.params.items()}
            norm = np.sqrt(sum(float(np.vdot(a, a)) for a in v.values()))
            out.append({name: a / norm for name, a in v.items()})
        return out

    def finite_differences(self) -> list[tuple[float, float]]:
        """(central difference of loss() along v, <gradients(), v>) for random unit v, made once."""
        pairs = self.pairs
        for v in self.directions() if not pairs else []:
            plus = {k: a + FD_STEP * v[k] for k, a in self.params.items()}
            minus = {k: a - FD_STEP * v[k] for k, a in self.params.items()}
            fd = (self.module.loss(plus, self.X, self.T) - self.module.loss(minus, self.X, self.T)) / (2 * FD_STEP)
            pairs.append((float(fd), float(sum(np.vdot(self.grads[k], v[k]) for k in v))))
        return pairs

    def fd(self, scale: Any = 1) -> Outcome:
        err = max(abs(fd - float(scale) * dot) / max(abs(fd), abs(float(scale) * dot), 1e-300)
                  for fd, dot in self.finite_differences())
        return err <= FD_TOL, (f"{self.what}: gradients() vs central differences of loss() along "
                               f"{FD_DIRECTIONS} random unit directions (step {FD_STEP:g}): relative "
                               f"error {err:.1e} (tolerance {FD_TOL:g})")


class FullPoint(Point):
    """Past MAX_WEIGHTS weights: route 2 at full size in float64 (derive.backprop.fullsize: eqs. (8),
    (9) over all units, h and h' from the independent table), the loss written out in float64."""

    def __init__(self, net: Net, loss: str, source: str, seed: int) -> None:
        self.run_module(net, loss, source, seed)
        W = [np.hstack([self.params[f"b{l}"][:, None], self.params[f"W{l}"]]) for l in range(1, net.L + 1)]
        self.pt = fullsize.Point(W, self.X, self.T, [np.zeros_like(w) for w in W], fullsize.real_layers(net))
        G = fullsize.route2(net, self.pt, fullsize.FLOAT64)
        self.reference = {name: g for l in range(1, net.L + 1)
                          for name, g in ((f"b{l}", G[l - 1][:, 0]), (f"W{l}", G[l - 1][:, 1:]))}

    def gradients(self, scale: Any = 1) -> Outcome:
        err = array_error(self.grads, self.reference, float(scale))
        return err <= TOL, (f"{self.what}: gradients() vs route 2 at full size (float64, every weight), N={N}: "
                            f"max relative error {err:.1e} (tolerance {TOL:g})")

    def loss_value(self, scale: Any = 1) -> Outcome:
        z = self.X
        for l in range(1, self.net.L + 1):  # eqs. (5)-(7), h from the independent table
            a = fullsize.ones(z) @ self.pt.W[l - 1].T
            z = self.pt.layers[l][1](a) if l in self.pt.layers else a
        if self.loss == "cross-entropy":
            shifted = z - z.max(axis=1, keepdims=True)
            exact = -float((self.T * (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))).sum())
        elif self.loss == "gaussian-nll":  # -log N(t | y, 1) per output
            exact = float((0.5 * (z - self.T) ** 2 + 0.5 * np.log(2 * np.pi)).sum())
        elif self.loss == "binary-cross-entropy":  # z = sigmoid(a) from the independent table
            exact = -float((self.T * np.log(z) + (1 - self.T) * np.log(1 - z)).sum())
        else:
            exact = float(((z - self.T) ** 2).sum()) * (0.5 if self.loss == "half-sum-of-squares" else 1)
        exact /= 1 if self.net.reduction == "sum" else self.net.N
        got = [float(self.module.loss(self.params, self.X, self.T)), float(self.E)]
        err = max(abs(g - float(scale) * exact) for g in got) / max(abs(float(scale) * exact), 1e-300)
        return err <= TOL, (f"{self.what}: loss() and the E of gradients() vs E written out in float64: "
                            f"relative error {err:.1e} (tolerance {TOL:g})")

    def sgd(self, scale: Any = 1) -> Outcome:
        stepped = self.module.sgd_step(self.params, self.reference, LR)
        moved = {k: stepped[k] - self.params[k] for k in self.params}
        want = {k: -LR * g for k, g in self.reference.items()}
        err = array_error(moved, want, float(scale))
        return err <= TOL, (f"{self.what}: sgd_step(params, route-2 grads, {LR}) vs w - {LR} g, every weight: "
                            f"max error {err:.1e} of max |lr g| (tolerance {TOL:g})")


def array_error(got: dict[str, np.ndarray], want: dict[str, np.ndarray], scale: float) -> float:
    """max |got - scale want| / max |scale want| over every array."""
    top = max(float(np.abs(scale * w).max()) for w in want.values())
    return max(float(np.abs(got[k] - scale * w).max()) for k, w in want.items()) / max(top, 1e-300)


KINDS = ((ROUTE2, "gradients"), (ROUTE2, "loss_value"), (ROUTE2, "sgd"), (FD, "fd"))  # Point methods


def checks(widths: tuple[int, ...], activations: tuple[str, ...], seed: int = 0,
           render: Render | None = None, reductions: tuple[str, ...] = ("sum",),
           names: tuple[str, ...] = LOSSES) -> list[Check]:
    """Four checks per loss and reduction (gradients, loss, sgd_step vs route 2; gradients vs FD), with controls."""
    make = render or plan.module_source
    out = []
    wanted = [loss for loss in names if widths[-1] >= 2 or losses.get(loss).output != "softmax"]
    for loss, reduction in [(loss, r) for r in reductions for loss in wanted]:  # softmax needs K >= 2
        point = lazy_point(widths, activations, loss, seed, make, reduction)
        for route, kind in KINDS:
            out.append(timed(route, partial(measure, point, kind, 1), LIMIT,
                             control=partial(measure, point, kind, WRONG)))
    return out


def measure(point: Callable[[], Point], kind: str, scale: Any) -> Outcome:
    """One comparison (a Point method) at the point; scale = 98/97 makes the reference wrong (the control)."""
    outcome: Outcome = getattr(point(), kind)(scale)
    return outcome


def lazy_point(widths: tuple[int, ...], activations: tuple[str, ...], loss: str, seed: int,
               render: Render, reduction: str = "sum") -> Callable[[], Point]:
    """The Point, made on first use inside a check (so an error there is a failed check)."""
    made: list[Point] = []

    def get() -> Point:
        if not made:
            net = Net(widths, activations, loss, "identity", N, reduction)
            options = (",".join(map(str, widths)), ",".join(activations) or "identity", loss, "float64")
            source = render(*options) if reduction == "sum" else render(*options, reduction=reduction)
            large = sum(len(net.weights(l)) for l in range(1, net.L + 1)) > MAX_WEIGHTS
            made.append((FullPoint if large else Point)(net, loss, source, seed))
        return made[0]
    return get
