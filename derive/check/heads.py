"""A named head as a value, raised to a power, or applied: h_l'(a), y_k(x_n), E(w), p(t | x, w)."""
from __future__ import annotations

import sympy as sp

from derive.check.names import FUNCTIONS, GAUSSIAN, PROBABILITY, Misread, Named, stem_value, sub_indices, sub_label
from derive.core import notation as nt

MAX_EXPONENT = 64
MAX_NUMBER = sp.Integer(10) ** 60


def checked_number(x: sp.Basic, pos: int) -> sp.Basic:
    """Refuse numbers too large to print: 9 9 9 ... or 2^{2^{2^{2^2}}}."""
    if x.is_Number and x.is_finite and (abs(sp.Rational(x).p) > MAX_NUMBER or abs(sp.Rational(x).q) > MAX_NUMBER):
        raise Misread("a number larger than 10^60", pos)
    return x


def raise_to(base: sp.Basic, exponent: sp.Basic | None, pos: int) -> sp.Basic:
    """base^exponent; e^x is exp(x); a numeric power is refused past 10^60."""
    if exponent is None:
        return base
    if base == sp.E:
        return sp.exp(exponent)
    if base.is_Number and exponent.is_Number and abs(exponent) > MAX_EXPONENT:
        raise Misread(f"the power {exponent} of a number is too large", pos)
    return checked_number(sp.Pow(base, exponent), pos)


def named_value(n: Named) -> sp.Basic:
    """A letter with its scripts, as SymPy."""
    return raise_to(stem_value(n), n.power, n.pos)


def function_name(n: Named) -> str:
    return n.name + "'" * n.primes


def layered_h(n: Named) -> sp.FunctionClass:
    """h_l, h_{l+1}, h^{(2)}: the undefined non-linearity of the notation; plain h without a layer."""
    if n.sub is not None and n.layer is not None:
        raise Misread("h has a layer twice: write h_l or h^{(l)}", n.pos)
    layer = n.layer if n.sub is None else sub_label(n.sub, n.pos)
    return sp.Function("h") if layer is None else nt.h(layer)


def derivative_of(f: sp.FunctionClass, arg: sp.Basic, order: int) -> sp.Basic:
    """f^(order)(arg) as the engine writes h': Derivative at an atom, Subs elsewhere."""
    if order == 0:
        return f(arg)
    u = sp.Dummy("u")
    return sp.Subs(sp.Derivative(f(u), (u, order)), u, arg).doit()


def apply(n: Named, groups: list[list[sp.Basic]], power: sp.Basic | None, pos: int) -> sp.Basic:
    """A head applied to arguments; a head that is no function multiplies its single argument."""
    args = [a for g in groups for a in g]
    given = len(groups) == 2
    if n.name == "cal_N" or (n.name == "p" and n.sub is None and n.layer is None):
        f = GAUSSIAN if n.name == "cal_N" else PROBABILITY
        return raise_to(f(sp.Tuple(*groups[0]), sp.Tuple(*(groups[1] if given else ()))), power, pos)
    if given:
        raise Misread(f"'|' in the arguments of {n.name}: only p(. | .) and \\mathcal{{N}}(. | .) condition", pos)
    if n.name == "h":
        if len(args) != 1:
            raise Misread(f"h takes one argument, got {len(args)}", pos)
        return raise_to(derivative_of(layered_h(n), args[0], n.primes), power, pos)
    if n.name == "E" and not n.primes:
        return raise_to(named_value(n), power, pos)  # E(w), E_n(w): the error, whatever its arguments
    if n.name == "y" and not n.primes:
        return raise_to(output(n, args), power, pos)
    if n.name in FUNCTIONS and n.sub is None and n.layer is None:
        return raise_to(derivative_of(sp.Function(n.name), args[0], n.primes)
                        if len(args) == 1 else sp.Function(n.name)(*args), power, pos)
    if len(args) != 1:
        raise Misread(f"{function_name(n)} is not a function: it cannot take {len(args)} arguments", pos)
    return named_value(n) * raise_to(args[0], power, pos)


def output(n: Named, args: list[sp.Basic]) -> sp.Basic:
    """y_k(x_n) -> y[n, k], as y_{nk}; y(x) -> y; y_k(x) -> y[k]."""
    base = nt.base("y", n.layer)
    indices = () if n.sub is None else sub_indices(n.sub, n.pos)
    example = ()
    if len(args) == 1 and isinstance(args[0], sp.Indexed) and str(args[0].base.label) == "x" \
            and len(args[0].indices) == 1:
        example = args[0].indices
    full = example + indices
    return base[full] if full else (base if n.layer is not None else nt.base("y"))

