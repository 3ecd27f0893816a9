"""Bishop's fig. 5.3 redrawn from the four fits of derive.emit.figures.fit.

One panel per target: the N data points as dots, the trained network's output y(x) as a
solid line, and the three hidden units' shares w_1j^(2) z_j(x) as dashed lines (y(x) is
their sum plus the output bias w_10^(2)), all drawn over the span of the data, as in the
book. Each panel's title carries its final E, computed by the module's loss().
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from derive.emit.figures import fit, render

NAME = "bishop-5-3"
GRID = 201  # points on each curve
DATA, OUTPUT = "#1f5fbf", "#c8102e"  # blue dots, red line (the book's colours)
HIDDEN = ("#2e8b57", "#d98c00", "#7b4fa0")


def e_text(E: float) -> str:
    """E to three significant figures, as captions and titles print it."""
    return f"{E:.3g}"


def draw(fits: Sequence[fit.Fit]) -> Figure:
    """The 2 x 2 figure; call inside render.style()."""
    fig = render.new_figure(7.0, 5.7)
    axes = fig.subplots(2, 2, sharex=True)
    for ax, f in zip(axes.flat, fits):
        x = np.linspace(f.x[0], f.x[-1], GRID)
        for j, share in enumerate(f.hidden(x).T):
            ax.plot(x, share, "--", color=HIDDEN[j], lw=1.0,
                    label="$w_{1j}^{(2)} z_j(x)$, $j = 1, 2, 3$" if j == 0 else None)
        ax.plot(x, f.output(x), "-", color=OUTPUT, lw=1.8, label="$y(x)$")
        ax.plot(f.x, f.t, "o", color=DATA, ms=3.2, mew=0, label=f"data, $N = {len(f.x)}$")
        ax.set_title(f"{f.target.formula}:  $E = {e_text(f.E)}$")
        ax.set_xlim(-1.05, 1.05)
        ax.grid(True, lw=0.3, alpha=0.5)
    for ax in axes[1]:
        ax.set_xlabel("$x$")
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside upper center", ncols=3, frameon=False)
    return fig


@dataclass(frozen=True)
class Rendered:
    """The figure's bytes per format, and the fits its captions speak of."""

    files: dict[str, bytes]  # file name -> bytes, e.g. "bishop-5-3.pdf"
    fits: tuple[fit.Fit, ...]

    @property
    def errors(self) -> dict[str, float]:
        """Final E per target key."""
        return {f.target.key: f.E for f in self.fits}


def rendered(formats: Sequence[str] = render.FORMATS) -> Rendered:
    """Train (once per process) and draw; bytes in each of `formats`."""
    fits = fit.fits()
    with render.style():
        fig = render.freeze_layout(draw(fits))
        files = {f"{NAME}.{fmt}": render.figure_bytes(fig, fmt) for fmt in formats}
    return Rendered(files, fits)


def caption(fits: Sequence[fit.Fit]) -> str:
    """The sheet's caption: plain text with $...$ math, every number computed."""
    first = fits[0]
    errors = "; ".join(f"{f.target.formula}: $E = {e_text(f.E)}$" for f in fits)
    return (f"Bishop's fig. 5.3 redone by the NumPy module that derive code writes for widths "
            f"{fit.WIDTHS}, {fit.ACTIVATION} and the {fit.LOSS} loss: a network with one input, "
            f"{fit.HIDDEN} tanh hidden units and a linear output, fitted to the {len(first.x)} points "
            "$x_n = -1 + (2n-1)/N$, evenly spaced inside $(-1, 1)$, by "
            f"{fit.STEPS} full-batch Adam steps on the exercise's $E = \\sum_n (y(x_n) - t_n)^2$, with "
            f"the module's own gradients and adam_step, from its init_params({fit.SEED}). Dots: the "
            "data; solid line: the output $y(x)$; dashed lines: each hidden unit's output $z_j(x)$ "
            "times its output weight $w_{1j}^{(2)}$, so that $y(x)$ is their sum plus the output "
            "bias. The step is $H(x)$ with $H(0) = 1/2$, a value no data point takes. "
            f"Final error: {errors}.")
