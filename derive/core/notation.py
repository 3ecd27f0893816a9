"""One table from concept to (python-safe name, LaTeX), after the exercise and Bishop ch. 5.

Every symbol the engine creates comes from here. Python names are valid identifiers;
layers are written after a double underscore (``w__2`` is w^{(2)}, ``w__l`` is w^{(l)}),
and the LaTeX is looked up from the table by parsing that name, never guessed from it.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Concept:
    """A named quantity of the exercise: its python-safe base name and its LaTeX."""

    name: str
    latex: str
    meaning: str


TABLE: dict[str, Concept] = {c.name: c for c in (
    Concept("x", "x", "input x_i, with x_0 = 1 the bias input (eq. 3)"),
    Concept("w", "w", "weight w_{ji}^{(l)} from unit i of layer l-1 to unit j of layer l"),
    Concept("a", "a", "pre-activation a_j^{(l)} of unit j in layer l"),
    Concept("z", "z", "activation z_j^{(l)} = h_l(a_j^{(l)}), with z_0 = 1"),
    Concept("h", "h", "non-linearity h_l of layer l"),
    Concept("y", "y", "network output y_k"),
    Concept("t", "t", "target t_k"),
    Concept("delta", r"\delta", "error delta_j^{(l)} = dE/da_j^{(l)}"),
    Concept("sigma", r"\sigma", "noise standard deviation sigma"),
    Concept("E", "E", "error function E(w)"),
    Concept("N", "N", "number of examples"),
    Concept("D", "D", "number of inputs"),
    Concept("K", "K", "number of outputs"),
    Concept("M", "M", "number of hidden units"),
    Concept("B", "B", "minibatch size"),
    Concept("L", "L", "number of layers of weights"),
    Concept("eta", r"\eta", "learning rate"),
    Concept("W", "W", "weight matrix W^{(l)}, row j = unit j of layer l, bias column removed"),
    Concept("b", "b", "bias vector b^{(l)}, the column w_{j0}^{(l)}"),
    Concept("A", "A", "matrix of an affine map x -> A x + c"),
    Concept("c", "c", "offset vector of an affine map"),
)}

# Index letters, as in the exercise: layer l, unit j, input i, output k, sample n.
l, j, i, k, n = sp.symbols("l j i k n", integer=True, nonnegative=True)
i2 = sp.Symbol("i'", integer=True, nonnegative=True)  # a second input index
N, D, K, M, B, L = sp.symbols("N D K M B L", integer=True, positive=True)
sigma = sp.Symbol("sigma", positive=True)


def base(name: str, layer: int | sp.Symbol | str | None = None) -> sp.IndexedBase:
    """IndexedBase for a concept, per layer: base("w", 2) is w^{(2)} named ``w__2``."""
    if name not in TABLE:
        raise KeyError(f"unknown concept {name!r}; known: {', '.join(sorted(TABLE))}")
    return sp.IndexedBase(name if layer is None else f"{name}__{layer}")


def h(layer: int | str) -> sp.FunctionClass:
    """The undefined non-linearity h_l: a statement that uses it holds for every h."""
    return sp.Function(f"h__{layer}")


def split_name(python_name: str) -> tuple[str, str | None]:
    """``w__2`` -> ("w", "2"); ``x`` -> ("x", None)."""
    stem, _, layer = python_name.partition("__")
    return stem, (layer or None)


def layer_latex(layer: str) -> str:
    """Python-safe layer labels to LaTeX: ``lp1`` -> ``l+1``, ``lm1`` -> ``l-1``, ``Lm1`` -> ``L-1``."""
    for tag, sign in (("p", "+"), ("m", "-")):
        head, sep, tail = layer.partition(tag)
        if sep and head in ("l", "L") and tail.isdigit():
            return f"{head}{sign}{tail}"
    return layer


def latex_name(python_name: str) -> str:
    """LaTeX for a base name from the table: ``delta__l`` -> ``\\delta^{(l)}``."""
    stem, layer = split_name(python_name)
    concept = TABLE.get(stem)
    tex = concept.latex if concept else stem
    return tex if layer is None else f"{tex}^{{({layer_latex(layer)})}}"


def latex_indexed(python_name: str, indices: list[str]) -> str:
    """w__2 with indices j, i -> w_{ji}^{(2)}; indices longer than one character get commas."""
    stem, layer = split_name(python_name)
    concept = TABLE.get(stem)
    tex = concept.latex if concept else stem
    sep = "" if all(len(s) == 1 for s in indices) else ","
    sub = f"_{{{sep.join(indices)}}}"
    return tex + sub + ("" if layer is None else f"^{{({layer_latex(layer)})}}")


def python_name(name: str, *indices: int, layer: int | None = None) -> str:
    """A python-safe scalar name: ("w", 2, 1, layer=3) -> ``w_2_1__3``."""
    idx = "".join(f"_{v}" for v in indices)
    return f"{name}{idx}" + ("" if layer is None else f"__{layer}")
