"""Numbers for the full-size backprop check: a ring (float64, or int64 residues mod p) and dual numbers over it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Arr = Any  # a NumPy array: float64, or int64 residues mod p


@dataclass(frozen=True)
class Ring:
    """float64 (p = 0), or int64 residues mod p reduced after every product (n p^2 < 2^63, n an inner dimension)."""

    p: int = 0

    @property
    def name(self) -> str:
        return "mod-p" if self.p else "float64"

    def fix(self, u: Arr) -> Arr:
        return u % self.p if self.p else u

    def mul(self, u: Arr, v: Arr) -> Arr:
        return self.fix(u * v)

    def dot(self, u: Arr, v: Arr) -> Arr:
        return self.fix(u @ v)

    def add(self, u: Arr, v: Arr) -> Arr:
        return self.fix(u + v)

    def sum(self, u: Arr, axis: int | None = None) -> Arr:
        return self.fix(u.sum(axis=axis))  # mod p: residues below 2^31, so sums of fewer than 2^32 fit

    def scalar(self, num: int, den: int = 1) -> Any:
        return num * pow(den, -1, self.p) % self.p if self.p else num / den


FLOAT64 = Ring()


class Dual:
    """v + d eps with eps^2 = 0, elementwise over arrays in a ring: forward-mode differentiation."""

    __array_ufunc__ = None  # an array times a Dual is the Dual's __rmul__, not an array of Duals

    def __init__(self, v: Arr, d: Arr, R: Ring) -> None:
        self.v, self.d, self.R = v, d, R

    def __add__(self, o: Any) -> Dual:
        o = o if isinstance(o, Dual) else Dual(o, 0, self.R)  # a constant: tangent 0
        return Dual(self.R.add(self.v, o.v), self.R.add(self.d, o.d), self.R)

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return self * -1

    def __sub__(self, o: Any) -> Dual:
        return self + o * -1

    def __rsub__(self, o: Any) -> Dual:
        return self * -1 + o

    def __pow__(self, e: int) -> Dual:
        """Integer powers e >= 1 by repeated products (the squares of a loss)."""
        if not isinstance(e, int) or e < 1:
            raise TypeError(f"a Dual takes integer powers >= 1 only, not {e!r}")
        out = self
        for _ in range(e - 1):
            out = out * self
        return out

    def __mul__(self, o: Any) -> Dual:
        o, R = o if isinstance(o, Dual) else Dual(o, 0, self.R), self.R
        return Dual(R.mul(self.v, o.v), R.add(R.mul(self.d, o.v), R.mul(self.v, o.d)), R)

    __rmul__ = __mul__

    def __rtruediv__(self, c: Any) -> Dual:  # float64 only (mod p nothing divides)
        return Dual(c / self.v, -c * self.d / self.v**2, self.R)

    def __truediv__(self, o: Any) -> Dual:  # float64 only: a typed activation's a/(1 + e^(-a))
        return self * (1 / o) if isinstance(o, Dual) else Dual(self.v / o, self.d / o, self.R)

    def __matmul__(self, o: Dual) -> Dual:
        return Dual(self.R.dot(self.v, o.v), self.R.add(self.R.dot(self.d, o.v), self.R.dot(self.v, o.d)), self.R)

    def sum(self, axis: int | None = None) -> Dual:
        return Dual(self.R.sum(self.v, axis), self.R.sum(self.d, axis), self.R)


def lift(f: Callable[[Arr], Arr], df: Callable[[Arr], Arr]) -> Callable[[Dual], Dual]:
    """f(v + d eps) = f(v) + f'(v) d eps, f' from the table of elementary derivatives."""
    return lambda u: Dual(f(u.v), df(u.v) * u.d, u.R)


dexp, dlog = lift(np.exp, np.exp), lift(np.log, lambda v: 1 / v)
DUAL = {"exp": dexp, "log": dlog, "tanh": lift(np.tanh, lambda v: 1 - np.tanh(v) ** 2),
        "Max": lambda zero, u: Dual(np.maximum(u.v, zero), np.where(u.v > zero, u.d, 0.0), u.R)}  # relu'(0) = 0
