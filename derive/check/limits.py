"""The exercise's ranges for sums written without limits: units from 0 (bias), outputs 1..K, examples 1..N.

After eq. (3) the exercise writes sum_i for sum_{i=0}^{D}: an index that reaches the inputs of a
layer (x_i, z_i^{(l-1)}, the second index of w_{ji}^{(l)}) runs over the units of the layer below,
bias unit 0 included; an index of a unit that has no bias (a_j, delta_j, y_k, t_k, the first
index of w_{kj}^{(l+1)}) runs from 1; the example index n runs over 1..N.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.check.answer import Implicit
from derive.check.heads import raise_to
from derive.check.names import Misread, below, index_symbol, units
from derive.core import notation as nt

VECTORS = {"y", "t", "x"}  # per-example vectors: y_n, t_n, x_n (bold or not)


@dataclass(frozen=True)
class Range:
    """lower..upper and the reason, as the read-back states it."""

    lower: sp.Expr
    upper: sp.Expr
    why: str


EXAMPLES = Range(sp.Integer(1), nt.N, "the examples")
OUTPUTS = Range(sp.Integer(1), nt.K, "the outputs")


def layer_of(label: str | None) -> str | int | None:
    return int(label) if label is not None and label.isdigit() else label


def shown(layer: str | int) -> str:
    return "the input" if layer == 0 else f"layer {nt.layer_latex(str(layer))}"


def unit_range(layer: str | int, with_bias: bool) -> Range:
    """The units of a layer: 0..M with the bias unit (a layer's inputs), 1..M without."""
    if with_bias:
        what = "the inputs and the bias input x_0 = 1" if layer == 0 else \
            f"the units of {shown(layer)} and its bias unit 0"
        return Range(sp.Integer(0), units(layer), what)
    return Range(sp.Integer(1), units(layer), f"the units of {shown(layer)}, no bias unit")


def position_range(e: sp.Indexed, p: int) -> Range | None:
    """The range an index at position p of e implies, or None where the notation does not say."""
    stem, label = nt.split_name(str(e.base.label))
    layer, count, index = layer_of(label), len(e.indices), e.indices[p]
    if stem == "E":
        return EXAMPLES
    if stem in ("x", "y", "t", "z", "a", "delta") and count == 2:
        if p == 0:
            return EXAMPLES  # y_nk, t_nk, x_ni, z_ni, a_nj, delta_nj: the example comes first
        count = 1
    if stem == "w" and count == 2 and layer is not None:
        return unit_range(layer, False) if p == 0 else unit_range(below(layer), True)
    if count != 1:
        return None
    if stem in ("x", "y", "t") and index == nt.n:
        return EXAMPLES
    if stem == "x":
        return unit_range(0, True)
    if stem in ("y", "t"):
        return OUTPUTS
    if stem == "z" and layer is not None:
        return unit_range(layer, True)
    if stem in ("a", "delta"):
        return unit_range("L" if layer is None else layer, False)
    return None


def implied_range(index: sp.Symbol, body: sp.Basic) -> Range | None:
    """The first range the body's use of the index implies; n alone means the examples."""
    for e in sp.preorder_traversal(body):
        if isinstance(e, sp.Indexed):
            for p, v in enumerate(e.indices):
                found = position_range(e, p) if v == index else None
                if found is not None:
                    return found
    if index == nt.i:  # "we just write sum_i ... to be understood as sum_{i=0}^D" (after eq. 3)
        return unit_range(0, True)
    return EXAMPLES if index == nt.n else None


def component_index(arg: sp.Basic) -> sp.Symbol:
    """k for the components of y_n - t_n, unless the expression already uses k."""
    for letter in ("k", "d", "m", "q"):
        s = index_symbol(letter)
        if s not in arg.free_symbols:
            return s
    raise LookupError("no free component index")


def components(arg: sp.Basic, k: sp.Symbol) -> sp.Basic | None:
    """y_n - t_n -> y_nk - t_nk: each per-example vector indexed by its component; None if none is."""
    inside = {e.base for e in sp.preorder_traversal(arg) if isinstance(e, sp.Indexed)}
    rule: dict[sp.Basic, sp.Basic] = {}
    for e in sp.preorder_traversal(arg):
        stem = nt.split_name(str(e.base.label if isinstance(e, sp.Indexed) else e))[0]
        if isinstance(e, sp.Indexed) and stem in VECTORS and len(e.indices) == 1:
            rule[e] = e.base[e.indices + (k,)]
        elif isinstance(e, sp.IndexedBase) and stem in VECTORS and e not in inside:
            rule[e] = e[k]
    return arg.xreplace(rule) if rule else None


def fill(mark: str, k: sp.Symbol, body: sp.Basic, lower: sp.Basic | None, upper: sp.Basic | None,
         pos: int) -> tuple[sp.Basic, sp.Basic, Implicit]:
    """The exercise's range for a limit left out, and the record that makes the read-back show it."""
    found = implied_range(k, body)
    if found is None:
        raise Misread(f"cannot tell the range of {mark}_{k}: write its limits, e.g. \\sum_{{{k}=1}}^{{M}}", pos)
    missing = "limits" if lower is None and upper is None else ("lower limit" if lower is None else "upper limit")
    lower = found.lower if lower is None else lower
    upper = found.upper if upper is None else upper
    return lower, upper, Implicit(mark, k, lower, upper, missing, found.why, pos)


def norm_value(arg: sp.Basic, power: sp.Basic, pos: int) -> tuple[sp.Basic, Implicit | None]:
    """||v||^p = (sum_k v_k^2)^(p/2) over the components k = 1..K; |v|^p for a scalar."""
    k = component_index(arg)
    inner = components(arg, k)
    if inner is None:
        return raise_to(sp.Abs(arg), power, pos), None
    gap = Implicit("Σ", k, OUTPUTS.lower, OUTPUTS.upper, "limits",
                   "the components of the vector in ||...||, the outputs", pos)
    squares = sp.Sum(inner ** 2, (k, OUTPUTS.lower, OUTPUTS.upper))
    return (squares if power == 2 else raise_to(squares, power / 2, pos)), gap
