"""The definition delta_j^(X) = dE/da_j^(X) (Bishop 5.51) read both ways: a left side, and restatements."""
from __future__ import annotations

from collections.abc import Container

import sympy as sp

from derive.check.names import concept
from derive.check.numeric import loss_name
from derive.core import notation as nt


def is_delta_derivative(e: sp.Basic) -> bool:
    """dE/da_j^(X) or dE_n/da_j^(X): the derivative that defines delta_j^(X)."""
    if not (isinstance(e, sp.Derivative) and len(e.variables) == 1 and loss_name(e.expr) is not None):
        return False
    v = e.variables[0]
    return isinstance(v, sp.Indexed) and nt.split_name(str(v.base.label))[0] == "a"


def as_delta(e: sp.Derivative) -> sp.Indexed:
    """dE/da_j^(X) -> delta_j^(X), with the indices of the a (E_n's n is the example's: delta_j is per example)."""
    v = e.variables[0]
    _, layer = nt.split_name(str(v.base.label))
    return concept("delta", layer)[v.indices]


def named(lhs: sp.Basic) -> sp.Basic:
    """A left side by its name: dE/da_j^(L) is delta_j^(L) by definition; any other stays."""
    return as_delta(lhs) if is_delta_derivative(lhs) else lhs


def defined(expr: sp.Basic, known: Container[tuple[str | None, sp.IndexedBase]]) -> sp.Basic:
    """Each dE/da (dE_n/da) the exercise's space does not evaluate itself (`known`: its partials) as the delta
    it defines."""
    def unknown(e: sp.Basic) -> bool:
        return is_delta_derivative(e) and (loss_name(e.expr), e.variables[0].base) not in known
    return expr.replace(unknown, as_delta) if expr.has(sp.Derivative) else expr


def substituted(expr: sp.Basic) -> sp.Basic:
    """Every delta-defining derivative written as its delta."""
    return expr.replace(is_delta_derivative, as_delta) if expr.has(sp.Derivative) else expr


def restates(lhs: sp.Basic, sides: list[sp.Basic]) -> bool:
    """Every side is the left side itself once the definition is substituted: the equation gives no result
    (delta_j^(L) = dE/da_j^(L), or delta = delta)."""
    left = substituted(lhs)
    return bool(sides) and all(substituted(s) == left for s in sides)
