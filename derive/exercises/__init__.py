"""The exercises, a to l, every loss's output delta and the vectorised form, one module each; importing registers them.

Each module is named after its letters and holds that exercise's whole derivation and its
extra checks. Registration order (the imports below) is report order.
"""
from __future__ import annotations

from derive.exercises import (  # noqa: F401  (each import registers its builders)
    a_b_closed_form,
    c_recursion,
    d_linear_collapse,
    e_gaussian_likelihood,
    f_noise_variance,
    g_cross_entropy,
    h_minibatch,
    i_softmax_delta,
    j_hidden_delta,
    k_regression_delta,
    l_dataset_gradient,
)
from derive.exercises import activation_derivative  # noqa: F401, I001  (after l: report order)
from derive.exercises import (  # noqa: F401, I001
    output_deltas,
    vectorised_form,
)
from derive.exercises.base import REGISTRY, Config, Exercise, exercise, run

__all__ = ["REGISTRY", "Config", "Exercise", "exercise", "run"]
