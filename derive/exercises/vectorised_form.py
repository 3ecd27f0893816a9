"""The vectorised form: the batch-major matrix equations that the emitted code computes.

Checked entry by entry against the scalar rules (derive.backprop.matrix_check); a shape with
more than LARGE weights at full size in float64 against derive.backprop.fullsize.
"""
from __future__ import annotations

import numpy as np

from derive.backprop import fullsize
from derive.backprop import matrix_check as vectorised_check
from derive.backprop.matrix_form import Model
from derive.backprop.net import classification_loss
from derive.core.checks import Check
from derive.exercises.base import Config, Exercise, exercise

LARGE = 1000  # above this many weights a shape is checked at full size only (float64, every weight)


def shapes(config: Config) -> list[Model]:
    """Several shapes (relu, identity exact; tanh, sigmoid, softplus, elu, softsign at 50 digits) and the user's."""
    models = [Model.of((2, 3, 2), ("tanh",), "cross-entropy", N=3),
              Model.of((3, 4, 4, 2), ("relu", "identity"), "sum-of-squares", N=2),
              Model.of((1, 3, 1), ("softplus",), "gaussian-nll", N=4),
              Model.of((2, 2), (), "cross-entropy", N=2),
              Model.of((3, 3, 3, 3), ("sigmoid", "relu"), "sum-of-squares", N=1),
              Model.of((2, 3, 3, 2), ("elu", "softsign"), "binary-cross-entropy", N=2, reduction="mean")]
    loss = config.loss if config.loss is not None else classification_loss(config.widths)
    user = Model.of(config.widths, config.activations, loss, N=2, reduction=config.reduction or "sum")
    return models + ([user] if user not in models else [])


def size(model: Model) -> int:
    return sum((m + 1) * n for m, n in zip(model.widths, model.widths[1:]))


def full_size(model: Model, seed: int = 1, points: int = 2) -> Check:
    """The matrix form in NumPy float64 at full size: dW, db entry by entry against the scalar recursion over
    all units (fullsize.route2), and <(db, dW), V> against D_V E by dual numbers (fullsize.route1)."""
    net, R = vectorised_check.net_of(model), fullsize.FLOAT64

    def run(k: int) -> list[fullsize.Run]:
        pt = fullsize.point(net, R, seed * 1000 + k)
        env = {"X": pt.X, "T": pt.T} | {f"{m}{l}": part for l, W in enumerate(pt.W, 1)
                                        for m, part in (("W", W[:, 1:]), ("b", W[:, :1]))}
        env = vectorised_check.run(model, env, vectorised_check.Arrays())
        mine = [np.hstack([env[f"db{l}"], env[f"dW{l}"]]) for l in range(1, model.L + 1)]
        flat, scalar = (np.concatenate([g.ravel() for g in gs]) for gs in (mine, fullsize.route2(net, pt, R)))
        D = fullsize.route1(net, pt, R)
        return [(flat, scalar, float(np.abs(scalar).max())), (D, *fullsize.inner(R, mine, pt))]

    def say(done: list[fullsize.Run], held: int) -> str:
        worst = max(float(np.max(np.abs(u - v))) / (scale or 1) for u, v, scale in done)
        return (f"widths {','.join(map(str, model.widths))}, {','.join(a.name for a in model.hidden) or 'no hidden'}, "
                f"{model.loss}, N={model.N}, all {size(model)} weights, {points} random points: dW, db equal the "
                f"scalar recursion entry by entry and <(db, dW), V> equals D_V E by dual numbers: {held} of "
                f"{2 * points}; worst relative error {worst:.1e} (tolerance {fullsize.TOLERANCE:.0e}, float64)")
    return fullsize.compared(R, lambda: [r for k in range(points) for r in run(k)], say)


@exercise("vectorised")
def exercise_vectorised(config: Config) -> Exercise:
    checks = [c for model in shapes(config)
              for c in ([full_size(model)] if size(model) > LARGE else vectorised_check.checks(model))]
    return Exercise("vectorised", "The matrix form the emitted code computes",
                    "The batch-major matrix form: $\\Delta^{(L)} = Y - T$ (or $2 (Y - T)$ for the sum of "
                    "squares), $\\Delta^{(l)} = h_l'(A^{(l)}) \\circ (\\Delta^{(l+1)} W^{(l+1)})$, "
                    "$\\nabla_{W^{(l)}} E = \\Delta^{(l)T} Z^{(l-1)}$ and $\\nabla_{b^{(l)}} E = "
                    "\\Delta^{(l)T} 1$, checked entry by entry against the scalar rules for several shapes.",
                    ["Shapes: X (N, D); $W^{(l)}$ ($M_l$, $M_{l-1}$), row j the unit j of layer l; "
                     "$b^{(l)}$ kept apart from $W^{(l)}$, so $W^{(l+1)}$ holds no bias column and "
                     "$\\Delta^{(l+1)} W^{(l+1)}$ sums over the units of layer l+1 only, as in (9).",
                     "$h'$ is taken from Z where cheaper (tanh: $1 - z^2$, sigmoid: $z (1 - z)$). relu's $h'$ "
                     "is the Heaviside step; relu has no derivative at 0: the emitted code takes "
                     "$\\mathrm{relu}'(0) = 0$, as PyTorch does, and the checks refuse a point with a "
                     "pre-activation exactly 0.",
                     "The Gaussian negative log-likelihood is taken at $\\sigma^2 = 1$: $\\Delta^{(L)} = Y - T$.",
                     "Two routes per shape: the matrix form in exact or 50-digit arithmetic against the "
                     "scalar recursion, and in NumPy float64 against SymEngine's derivatives of the "
                     f"written-out loss. A shape with more than {LARGE} weights (the one asked for) is checked "
                     "at full size in float64: dW and db entry by entry against the scalar recursion over all "
                     "units, and their inner product with random directions V against the derivative of the "
                     "written-out loss along V by dual numbers."],
                    [], checks)
