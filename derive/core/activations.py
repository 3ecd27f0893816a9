"""Registry of non-linearities h with their derivatives h', registered together.

Each entry holds h(a) and h'(a) as SymPy expressions in a, and where cheaper h'
written in terms of z = h(a) (tanh: 1 - z^2, sigmoid: z (1 - z)); the code generator
uses that form so the backward pass needs no second transcendental call. The h' of
every entry is checked against ``sp.diff(h, a)`` when the registry is built.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.core.errors import DeriveError

a = sp.Symbol("a", real=True)
z = sp.Symbol("z", real=True)


@dataclass(frozen=True)
class Activation:
    """A non-linearity: h(a), h'(a), and h'(a) as a function of z = h(a) where possible."""

    name: str
    h: sp.Expr
    dh: sp.Expr
    dh_from_z: sp.Expr | None = None
    latex: str = ""

    def __call__(self, arg: sp.Expr) -> sp.Expr:
        return self.h.subs(a, arg)

    def derivative(self, arg: sp.Expr) -> sp.Expr:
        return self.dh.subs(a, arg)

    @property
    def lambda_h(self) -> sp.Lambda:
        return sp.Lambda(a, self.h)


REGISTRY: dict[str, Activation] = {}


def register(name: str, h: sp.Expr, dh_from_z: sp.Expr | None = None, latex: str = "") -> Activation:
    """Register h with h' = dh/da computed here; check the z-form of h' where given."""
    dh = sp.diff(h, a)
    if dh_from_z is not None:
        # A wrong z-form must not get in: h'(a) - g(h(a)) must vanish identically.
        gap = sp.simplify((dh - dh_from_z.subs(z, h)).rewrite(sp.exp))
        if gap != 0:
            raise ValueError(f"h' of {name} is not {dh_from_z} in terms of z")
    act = Activation(name, h, dh, dh_from_z, latex or name)
    REGISTRY[name] = act
    return act


identity = register("identity", a, dh_from_z=sp.Integer(1), latex=r"h(a) = a")
tanh = register("tanh", sp.tanh(a), dh_from_z=1 - z**2, latex=r"h(a) = \tanh a")
sigmoid = register("sigmoid", 1 / (1 + sp.exp(-a)), dh_from_z=z * (1 - z),
                   latex=r"h(a) = 1/(1 + e^{-a})")
relu = register("relu", sp.Max(0, a), latex=r"h(a) = \max(0, a)")
softplus = register("softplus", sp.log(1 + sp.exp(a)), latex=r"h(a) = \log(1 + e^{a})")


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Activation:
    """Look up an activation; an unknown name raises DeriveError listing the valid choices."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise DeriveError(
            f"unknown activation {name!r}; choose from: {', '.join(names())}") from None
