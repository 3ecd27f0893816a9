"""Exercise h)'s figure: minibatch gradients against (B/N) times the full-batch gradient.

The numbers are those of the statistical check `derive verify` runs for h), sum convention
(derive.exercises.h_minibatch.minibatch_gradients with its defaults): a 2-3-2 tanh network's
per-example gradients of E_n = ||y(x_n) - t_n||^2 on N random examples, and DRAWS minibatches
of B examples drawn uniformly without replacement. The factor B/N is the one the derivation
of h) reaches (factor_of its chain), evaluated at the check's N and B. A few weights get a panel each:
the histogram of their minibatch gradient, the factor times the full gradient (solid), the
mean of the minibatch gradients (dashed), and the full gradient itself (dotted).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from derive.core.activations import identity, tanh
from derive.core.network import Network
from derive.emit.figures import render
from derive.emit.latex.printer import latex
from derive.exercises import h_minibatch as h

NAME = "minibatch-gradients"
WIDTHS = (2, 3, 2)  # the network of the check (derive.exercises.toy_network.ToyNetwork)
SHOWN = (1, 7, 10, 13)  # the weights drawn, as positions in the toy network's flat order
BINS = 40
BARS, EXPECTED, MEAN, FULL = "#9bb7d9", "#c8102e", "#1a1a1a", "#6b6b6b"


@dataclass(frozen=True)
class Sample:
    """The check's minibatch gradients, what they should average to, and how close they came."""

    size: int  # N
    batch: int  # B
    factor: sp.Expr  # B/N, symbolic, from the derivation
    pick: np.ndarray  # (draws, weights)
    full: np.ndarray  # (weights,)
    names: tuple[str, ...]  # LaTeX of each weight, w_{ji}^{(l)}

    @property
    def ratio(self) -> float:
        return float(self.factor.subs({h.N: self.size, h.B: self.batch}))

    @property
    def expected(self) -> np.ndarray:
        return self.ratio * self.full

    @property
    def z(self) -> np.ndarray:
        """Per weight, |mean - (B/N) full| in standard errors (the check accepts up to 5)."""
        return h.standard_errors(self.pick, self.expected)


def weight_names() -> tuple[str, ...]:
    """The LaTeX names of the toy network's weights, in its flat order (layer by layer)."""
    net = Network(WIDTHS, (tanh,) * (len(WIDTHS) - 2) + (identity,))
    return tuple(latex(w) for l in range(1, net.L + 1) for w in net.weights(l))


@lru_cache(maxsize=1)
def sample() -> Sample:
    """The sum-convention check's numbers (once per process)."""
    factor = h.factor_of(h.gradient_chain("sum"))  # the chain `derive verify` verifies
    pick, full = h.minibatch_gradients("sum")
    return Sample(h.SIZE, h.BATCH, factor, pick, full, weight_names())


def draw(s: Sample, shown: Sequence[int] = SHOWN) -> Figure:
    """One histogram per weight in `shown`, 2 per row; call inside render.style()."""
    rows = (len(shown) + 1) // 2
    fig = render.new_figure(7.0, 0.4 + 2.5 * rows)
    axes = fig.subplots(rows, 2, squeeze=False)
    factor = h.slash(s.factor)
    for ax, i in zip(axes.flat, shown):
        values = s.pick[:, i]
        ax.hist(values, bins=BINS, color=BARS, edgecolor="white", linewidth=0.3,
                label=f"{len(values)} minibatches")
        ax.axvline(s.expected[i], color=EXPECTED, lw=1.8, label=f"${factor}$ times the full gradient")
        ax.axvline(values.mean(), color=MEAN, lw=1.1, ls="--", label="mean over the minibatches")
        ax.axvline(s.full[i], color=FULL, lw=1.1, ls=":", label="full-batch gradient")
        ax.set_title(f"$\\partial E_S / \\partial {s.names[i]}$:  mean off by {s.z[i]:.2f} s.e.")
        ax.set_yticks([])
    for ax in axes.flat[len(shown):]:
        ax.set_visible(False)
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside upper center", ncols=4, frameon=False)
    return fig


@dataclass(frozen=True)
class Rendered:
    files: dict[str, bytes]  # file name -> bytes, e.g. "minibatch-gradients.png"
    sample: Sample


def rendered(formats: Sequence[str] = render.FORMATS) -> Rendered:
    s = sample()
    with render.style():
        fig = render.freeze_layout(draw(s))
        files = {f"{NAME}.{fmt}": render.figure_bytes(fig, fmt) for fmt in formats}
    return Rendered(files, s)


def caption(s: Sample, shown: Sequence[int] = SHOWN) -> str:
    """The sheet's caption: plain text with $...$ math, every number computed."""
    names = ", ".join(f"${s.names[i]}$" for i in shown)
    return (f"Exercise h) by experiment, on the numbers of its statistical check: a "
            f"{'-'.join(map(str, WIDTHS))} tanh network's gradient on {len(s.pick)} minibatches $S$ "
            f"of $B = {s.batch}$ of its $N = {s.size}$ examples, drawn uniformly without replacement, "
            f"with $E_S = \\sum_{{n \\in S}} E_n$; one panel per weight ({names}). The solid line is "
            f"${h.slash(s.factor)} = {s.batch}/{s.size}$ times the full-batch gradient, as h) derives; "
            "the dashed line, the mean over the minibatches, lies on it; the dotted line, the "
            "full-batch gradient itself, does not. Over all "
            f"{s.full.size} weights the mean lies within {s.z.max():.2f} standard errors of "
            f"${h.slash(s.factor)}$ times the full gradient (the check accepts 5).")
