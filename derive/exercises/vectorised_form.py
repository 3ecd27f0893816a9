"""The vectorised form: the batch-major matrix equations that the emitted code computes.

Checked entry by entry against the scalar rules (derive.backprop.matrix_check).
"""
from __future__ import annotations

from derive.backprop import matrix_check as vectorised_check
from derive.backprop.matrix_form import Model
from derive.exercises.base import Config, Exercise, exercise


def shapes(config: Config) -> list[Model]:
    """Several shapes (relu, identity exact; tanh, sigmoid, softplus at 50 digits) and the user's."""
    models = [Model.of((2, 3, 2), ("tanh",), "cross-entropy", N=3),
              Model.of((3, 4, 4, 2), ("relu", "identity"), "sum-of-squares", N=2),
              Model.of((1, 3, 1), ("softplus",), "gaussian-nll", N=4),
              Model.of((2, 2), (), "cross-entropy", N=2),
              Model.of((3, 3, 3, 3), ("sigmoid", "relu"), "sum-of-squares", N=1)]
    user = Model.of(config.widths, config.activations, "cross-entropy", N=2)
    return models + ([user] if user not in models else [])


@exercise("vectorised")
def exercise_vectorised(config: Config) -> Exercise:
    checks = [c for model in shapes(config) for c in vectorised_check.checks(model)]
    return Exercise("vectorised", "The matrix form the emitted code computes",
                    "The batch-major matrix form: $\\Delta^{(L)} = Y - T$ (or $2 (Y - T)$ for the sum of "
                    "squares), $\\Delta^{(l)} = h_l'(A^{(l)}) \\circ (\\Delta^{(l+1)} W^{(l+1)})$, "
                    "$\\nabla_{W^{(l)}} E = \\Delta^{(l)T} Z^{(l-1)}$ and $\\nabla_{b^{(l)}} E = "
                    "\\Delta^{(l)T} 1$, checked entry by entry against the scalar rules for several shapes.",
                    ["Shapes: X (N, D); $W^{(l)}$ ($M_l$, $M_{l-1}$), row j the unit j of layer l; "
                     "$b^{(l)}$ kept apart from $W^{(l)}$, so $W^{(l+1)}$ holds no bias column and "
                     "$\\Delta^{(l+1)} W^{(l+1)}$ sums over the units of layer l+1 only, as in (9).",
                     "$h'$ is taken from Z where cheaper (tanh: $1 - z^2$, sigmoid: $z (1 - z)$). relu's $h'$ "
                     "is the Heaviside step; relu has no derivative at 0, and the checks refuse a point "
                     "with a pre-activation exactly 0.",
                     "The Gaussian negative log-likelihood is taken at $\\sigma^2 = 1$: $\\Delta^{(L)} = Y - T$.",
                     "Two routes per shape: the matrix form in exact or 50-digit arithmetic against the "
                     "scalar recursion, and in NumPy float64 against SymEngine's derivatives of the "
                     "written-out loss."],
                    [], checks)
