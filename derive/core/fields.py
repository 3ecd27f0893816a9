"""The number fields the backprop checks compute in, so that a comparison means something.

- ``exact-rational``: Python Fractions; equality is equality.
- ``exact-mod-p``: the same rational point reduced modulo the prime p = 2^61 - 1. Every
  value the routes compute is a rational function of the point; reduction mod p is a
  ring homomorphism, so equal rationals give equal residues, and by the Schwartz-Zippel
  lemma two different polynomials of degree d agree at a random point with probability
  at most d/p. It keeps deep networks exact where Fractions grow to 10^5 digits.
- ``mpmath-50``: mpmath at 50 significant digits, for tanh, sigmoid, softplus, softmax;
  two values agree when they differ by less than 10^-40 of the largest gradient.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

from derive.core.errors import DeriveError

P = 2**61 - 1  # a Mersenne prime


class Mod:
    """An element of the integers mod P: only +, -, *, / and integer powers."""

    __slots__ = ("v",)

    def __init__(self, v: int) -> None:
        self.v = v % P

    @staticmethod
    def of(q: Fraction) -> Mod:
        if q.denominator % P == 0:
            raise DeriveError(f"the denominator of {q} vanishes mod p")
        return Mod(q.numerator * pow(q.denominator, -1, P))

    def __add__(self, o: Any) -> Mod:
        return Mod(self.v + value(o))

    __radd__ = __add__

    def __sub__(self, o: Any) -> Mod:
        return Mod(self.v - value(o))

    def __rsub__(self, o: Any) -> Mod:
        return Mod(value(o) - self.v)

    def __mul__(self, o: Any) -> Mod:
        return Mod(self.v * value(o))

    __rmul__ = __mul__

    def __neg__(self) -> Mod:
        return Mod(-self.v)

    def __truediv__(self, o: Any) -> Mod:
        return Mod(self.v * pow(value(o), -1, P))

    def __pow__(self, e: int) -> Mod:
        return Mod(pow(self.v, int(e), P))

    def __eq__(self, o: object) -> bool:
        return isinstance(o, (Mod, int)) and self.v == value(o)

    def __hash__(self) -> int:
        return hash(self.v)

    def __repr__(self) -> str:
        return f"{self.v} (mod p)"


def value(o: Any) -> int:
    if isinstance(o, Mod):
        return o.v
    if isinstance(o, int):
        return o
    raise TypeError(f"cannot mix {type(o).__name__} with integers mod p")


@dataclass(frozen=True)
class Field:
    """Where both routes compute: exact (rationals or mod p) or mpmath at `dps` digits."""

    name: str
    dps: int = 0
    modular: bool = False

    @property
    def exact(self) -> bool:
        return self.dps == 0

    def num(self, q: Fraction) -> Any:
        if self.modular:
            return Mod.of(q)
        return q if self.exact else mpmath.mpf(q.numerator) / q.denominator

    def context(self) -> Any:
        return nullcontext() if self.exact else mpmath.workdps(self.dps)

    def elementary(self, name: str) -> Callable[[Any], Any]:
        if self.exact:
            raise DeriveError(f"{name} leaves the rationals: use the mpmath-50 field for it")
        known = {"exp": mpmath.exp, "log": mpmath.log, "tanh": mpmath.tanh, "erf": mpmath.erf}
        if name not in known:
            raise DeriveError(f"{name} is not among the functions the fields evaluate: {', '.join(known)}")
        return known[name]

    def constant(self, name: str) -> Any:
        if self.exact:
            raise DeriveError(f"{name} leaves the rationals: use the mpmath-50 field for it")
        return {"pi": mpmath.pi, "e": mpmath.e}[name]

    def equal(self, u: Any, v: Any, scale: Any) -> bool:
        """Exact equality, or agreement to dps - 10 digits relative to `scale`."""
        if self.exact:
            return bool(u == v)
        return bool(abs(u - v) <= mpmath.mpf(10) ** (10 - self.dps) * (1 + scale))

    def size(self, u: Any) -> Any:
        """|u| where the field has one (the mpmath tolerance scales with it)."""
        return 0 if self.exact else abs(u)


EXACT = Field("exact-rational")
MODULAR = Field("exact-mod-p", modular=True)
MPMATH = Field("mpmath-50", 50)

