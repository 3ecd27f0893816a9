"""Named rewriting rules shared by the derivations. Each returns a function expr -> expr.

A rule is applied by `Derivation.then(name, rule(...))`; the name shown on the sheet is
the rule's, and the verifier checks that the rule kept the expression equal.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from derive.core.network import Network

Rewrite = Callable[[sp.Expr], sp.Expr]


def _replace_indexed(base: sp.IndexedBase, value: Callable[..., sp.Expr]) -> Rewrite:
    def rewrite(expr: sp.Expr) -> sp.Expr:
        return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == base,
                            lambda e: value(*e.indices))
    return rewrite


def substitute_a(net: Network, l: int) -> Rewrite:
    """eq. (6) (eq. (7) for l = 1): a_j^{(l)} = sum_i w_{ji}^{(l)} z_i^{(l-1)}."""
    return _replace_indexed(net.a(l), lambda j: net.a_def(l, j))


def substitute_z(net: Network, l: int) -> Rewrite:
    """eq. (5): z_i^{(l)} = h_l(a_i^{(l)}) for a hidden unit i >= 1."""
    return _replace_indexed(net.z(l), lambda i: net.h(l, net.a(l)[i]))


def separate_bias(net: Network, l: int) -> Rewrite:
    """sum_{i=0}^{M} w_{ji} z_i^{(l)} = w_{j0} + sum_{i=1}^{M} w_{ji} z_i^{(l)}, as z_0^{(l)} = 1."""
    z = net.z(l)

    def split(s: sp.Sum) -> sp.Expr:
        (index, lower, upper), = s.limits
        if lower != 0 or not s.function.has(z):
            return s
        bias = s.function.subs(index, 0).replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == z and e.indices == (0,),
            lambda e: sp.Integer(1))
        return bias + sp.Sum(s.function, (index, 1, upper))
    return lambda expr: expr.replace(lambda e: isinstance(e, sp.Sum), split)


def closed_form_a(net: Network, l: int, j: sp.Expr) -> sp.Expr:
    """a_j^{(l)} written in x and w alone, built top-down (an independent builder)."""
    i = net.unit_index(l - 1)
    if l == 1:
        return sp.Sum(net.w(1)[j, i] * net.x[i], (i, 0, net.widths[0]))
    inner = net.h(l - 1, closed_form_a(net, l - 1, i))
    return net.w(l)[j, 0] + sp.Sum(net.w(l)[j, i] * inner, (i, 1, net.widths[l - 1]))


def closed_form(net: Network, j: sp.Expr) -> sp.Expr:
    """y_j = h_L(...) with every a and z eliminated: the form exercises a) and b) ask for."""
    return net.h(net.L, closed_form_a(net, net.L, j))


def unroll(net: Network, start_layer: int) -> list[tuple[str, Rewrite, str]]:
    """The rules that eliminate a and z from layer `start_layer` down to the input."""
    steps: list[tuple[str, Rewrite, str]] = []
    for l in range(start_layer, 0, -1):
        steps.append((f"substitute $a^{{({l})}}$", substitute_a(net, l), "eq. (7)" if l == 1 else "eq. (6)"))
        if l > 1:
            steps.append((f"bias unit $z_0^{{({l-1})}} = 1$", separate_bias(net, l - 1), "eq. (3)"))
            steps.append((f"substitute $z^{{({l-1})}} = h_{{{l-1}}}(a^{{({l-1})}})$", substitute_z(net, l - 1), "eq. (5)"))
    return steps
