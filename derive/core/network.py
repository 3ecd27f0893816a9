"""An L-layer feed-forward network, built symbolically (exercise eqs. (1)-(7), Bishop 5.1).

Widths may be concrete integers (sums are then finite and can be expanded) or SymPy
symbols (sums stay ``Sum`` over ``Indexed``, so a statement holds for every width).
The bias is the extra unit 0 of every layer with value 1 (eq. 3): x_0 = 1, z_0^{(l)} = 1,
and every sum over the units of a layer runs from 0.

Unit indices are named per layer so that nested sums never capture each other: the
output layer's unit is j, the layer below it i, then m, p, q, ... (``unit_index``).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sympy as sp

from derive.core import notation as nt
from derive.core.activations import Activation
from derive.core.errors import DeriveError

Width: TypeAlias = "int | sp.Symbol"
UNIT_LETTERS = ("j", "i", "m", "p", "q", "r", "s", "u", "v", "g")
Definitions = dict[sp.IndexedBase, Callable[..., sp.Expr]]


def symbolic_widths(L: int) -> tuple[sp.Symbol, ...]:
    """(D, M, K) for L = 2, (D, M_1, ..., M_{L-1}, K) otherwise; all positive integers."""
    hidden = [nt.M] if L == 2 else [sp.Symbol(f"M_{l}", integer=True, positive=True)
                                    for l in range(1, L)]
    return (nt.D, *hidden, nt.K)


@dataclass(frozen=True)
class Network:
    """widths = (D, M_1, ..., M_{L-1}, K); activations[l-1] is h_l (None: undefined h_l)."""

    widths: tuple[Width, ...]
    activations: tuple[Activation | None, ...]

    def __post_init__(self) -> None:
        if len(self.widths) < 2:
            raise DeriveError("a network needs at least an input and an output width")
        if len(self.activations) != self.L:
            raise DeriveError(f"need {self.L} activations (h_1..h_L), got {len(self.activations)}")

    @classmethod
    def generic(cls, L: int, widths: Sequence[Width] | None = None) -> Network:
        """Symbolic widths and undefined h_1..h_L: statements that hold for every network."""
        return cls(tuple(widths) if widths else symbolic_widths(L), (None,) * L)

    @property
    def L(self) -> int:
        return len(self.widths) - 1

    @property
    def is_concrete(self) -> bool:
        return all(isinstance(m, int) for m in self.widths)

    # --- symbols -----------------------------------------------------------------
    def unit_index(self, layer: int) -> sp.Symbol:
        """The index letter of the units of `layer` (0 = inputs, L = outputs)."""
        return sp.Symbol(UNIT_LETTERS[self.L - layer], integer=True, nonnegative=True)

    @property
    def x(self) -> sp.IndexedBase:
        return nt.base("x")

    def w(self, l: int) -> sp.IndexedBase:
        return nt.base("w", l)

    def a(self, l: int) -> sp.IndexedBase:
        return nt.base("a", l)

    def z(self, l: int) -> sp.IndexedBase:
        """z^{(0)} is the input x."""
        return self.x if l == 0 else nt.base("z", l)

    @property
    def y(self) -> sp.IndexedBase:
        return nt.base("y")

    def h(self, l: int, arg: sp.Expr) -> sp.Expr:
        act = self.activations[l - 1]
        return nt.h(l)(arg) if act is None else act(arg)

    def h_prime(self, l: int, arg: sp.Expr) -> sp.Expr:
        act = self.activations[l - 1]
        if act is None:
            u = sp.Dummy("u")
            return sp.Subs(sp.Derivative(nt.h(l)(u), u), u, arg).doit()
        return act.derivative(arg)

    def weights(self, l: int) -> list[sp.Indexed]:
        """All w_{ji}^{(l)} of a concrete network, bias column i = 0 included."""
        rows, cols = self.widths[l], self.widths[l - 1]
        return [self.w(l)[j, i] for j in range(1, int(rows) + 1) for i in range(int(cols) + 1)]

    # --- the forward equations (4)-(7) -----------------------------------------------
    def a_def(self, l: int, j: sp.Expr) -> sp.Expr:
        """eq. (6)/(7): a_j^{(l)} = sum_{i=0}^{M_{l-1}} w_{ji}^{(l)} z_i^{(l-1)}."""
        i = self.unit_index(l - 1)
        return sp.Sum(self.w(l)[j, i] * self.z(l - 1)[i], (i, 0, self.widths[l - 1]))

    def z_def(self, l: int, j: sp.Expr) -> sp.Expr:
        """eq. (5): z_j^{(l)} = h_l(a_j^{(l)}), and z_0^{(l)} = 1 (the bias unit)."""
        unit = self.h(l, self.a(l)[j])
        if j == 0:
            return sp.Integer(1)
        if sp.sympify(j).is_Integer or sp.sympify(j).is_positive:
            return unit
        return sp.Piecewise((sp.Integer(1), sp.Eq(j, 0)), (unit, True))

    def definitions(self) -> Definitions:
        """Each defined quantity as a function of its indices: the network's ground truth."""
        defs: Definitions = {self.x: lambda i: sp.Integer(1) if i == 0 else self.x[i]}
        for l in range(1, self.L + 1):
            defs[self.a(l)] = lambda j, l=l: self.a_def(l, j)
            defs[self.z(l)] = lambda j, l=l: self.z_def(l, j)
        defs[self.y] = lambda k: self.z(self.L)[k]  # eq. (4): y_k = z_k^{(L)}
        return defs

    def output(self, k: sp.Expr) -> sp.Expr:
        """y_k written out in x and w alone (a's and z's eliminated), sums unevaluated."""
        from derive.core.expand import expand_definitions
        return expand_definitions(self.y[k], self.definitions(), doit=False)
