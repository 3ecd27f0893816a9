"""Route 1 of the backprop check: differentiate the loss written out in x, t and w.

The loss of a concrete network (derive.backprop.net.Net) is built in SymEngine with every a
and z eliminated, as a DAG: each a_j^(l) is one object shared by every unit above it, so
SymEngine's diff (which caches per node) and the evaluator below visit about L M^2 nodes
instead of the M^L paths of the written-out tree. Nothing here knows of deltas.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import symengine as se
import sympy as sp

from derive.backprop.formulas import pieces_in
from derive.backprop.net import Key, Net, Sample, fn_name, layers_with_h
from derive.core import activations
from derive.core.errors import DeriveError
from derive.core.fields import Field


def se_activation(net: Net, l: int, cubics: dict[str, list[Fraction]]) -> Callable[[se.Basic], se.Basic]:
    """h_l as SymEngine sees it: the formula of the activation, or of h_l's random cubic.

    An undefined h_l enters as its cubic because SymEngine differentiates an undefined
    function of a composite argument without its node cache (exponential in depth).
    relu (any h with Max or Heaviside) stays an opaque function, evaluated from the same
    SymPy formula (`opaque`), its derivative read off it (`slope`); that keeps relu to
    moderate depths.
    """
    name = fn_name(net, l)
    if name in cubics:
        c = [se.Rational(v.numerator, v.denominator) for v in cubics[name]]
        return lambda u: c[0] + c[1] * u + c[2] * u**2 + c[3] * u**3
    if activations.get(name).h.has(sp.Max, sp.Heaviside, sp.Piecewise) or activations.get(name).pieces:
        return se.Function(name)
    body, a = se.sympify(activations.get(name).h), se.Symbol(str(activations.a))
    return lambda u: body.xreplace({a: u})


def loss_dag(net: Net, cubics: dict[str, list[Fraction]]) -> tuple[se.Basic, dict[Key, se.Symbol]]:
    """E(w) = sum_n E_n with every a and z eliminated, shared subexpressions kept shared."""
    w = {key: se.Symbol(f"w_{key[1]}_{key[2]}__{key[0]}") for l in range(1, net.L + 1) for key in net.weights(l)}
    h = {l: se_activation(net, l, cubics) for l in layers_with_h(net)}
    E = se.Integer(0)
    for n in range(1, net.N + 1):
        z = [se.Integer(1)] + [se.Symbol(f"x_{n}_{i}") for i in range(1, net.widths[0] + 1)]
        for l in range(1, net.L + 1):
            a = [se.Add(*[w[l, j, i] * z[i] for i in range(len(z))]) for j in range(1, net.widths[l] + 1)]
            z = [se.Integer(1)] + ([h[l](u) for u in a] if l in h else a)
        t = [se.Symbol(f"t_{n}_{k}") for k in range(1, net.widths[-1] + 1)]
        E += loss_n(net, z[1:], t)
    return (E if net.reduction == "sum" else E / net.N), w


def loss_n(net: Net, out: list[se.Basic], t: list[se.Basic]) -> se.Basic:
    """One example's loss from the network's last layer (z^(L), or a^(L) under softmax), written
    out from the loss registry's formula E_n = sum_k term(y_k, t_k)."""
    spec = net.spec
    if spec.output == "softmax":  # y_k = exp(a_k) / sum_j exp(a_j)
        S = se.Add(*[se.exp(u) for u in out])
        out = [se.exp(u) / S for u in out]
    y_, t_ = sp.Dummy("y"), sp.Dummy("t")
    term, Y, T = se.sympify(spec.term(y_, t_)), se.sympify(y_), se.sympify(t_)
    total = se.Add(*[term.xreplace({Y: y, T: tk}) for y, tk in zip(out, t)])
    return total


def evaluator(s: Sample, field: Field) -> Callable[[se.Basic], Any]:
    """Evaluate SymEngine expressions at the sample, memoised per node (the DAG stays a DAG)."""
    point: dict[se.Basic, Any] = {se.Symbol(f"w_{j}_{i}__{l}"): v for (l, j, i), v in s.w.items()}
    point.update({se.Symbol(f"x_{n}_{i}"): v for (n, i), v in s.x.items()})
    point.update({se.Symbol(f"t_{n}_{k}"): v for (n, k), v in s.t.items()})
    memo: dict[se.Basic, Any] = {}
    own: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {}

    def fn(name: str, derivative: int = 0) -> Callable[[Any], Any]:
        if name not in own:
            own[name] = opaque(name, field)
        return own[name][derivative]

    def ev(e: se.Basic) -> Any:
        if e in memo:
            return memo[e]
        kind, args = type(e).__name__, e.args
        if kind == "Symbol":
            v = point[e]
        elif isinstance(e, (se.Integer, se.Rational)):
            v = field.num(Fraction(*map(int, e.get_num_den())))
        elif kind == "Add":
            v = sum((ev(u) for u in args[1:]), ev(args[0]))
        elif kind == "Mul":
            v = ev(args[0])
            for u in args[1:]:
                v = v * ev(u)
        elif kind == "Pow":
            v = field.elementary("exp")(ev(args[1])) if args[0] == se.E else power(ev(args[0]), args[1], ev)
        elif kind == "FunctionSymbol":
            v = fn(e.get_name())(ev(args[0]))
        elif kind in ("Pi", "Exp1"):  # the constants of a typed activation (gelu's sqrt(2 pi))
            v = field.elementary("exp")(field.num(Fraction(1))) if kind == "Exp1" else field.constant("pi")
        elif kind == "Subs":  # Subs(Derivative(f(xi), xi), xi, value): f'(value)
            v = fn(args[0].args[0].get_name(), 1)(ev(args[2]))
        elif kind == "Derivative":  # Derivative(f(u), u) for a bare symbol u
            v = fn(args[0].get_name(), 1)(ev(args[1]))
        else:
            v = field.elementary(kind)(ev(args[0]))
        memo[e] = v
        return v
    return ev


def opaque(name: str, field: Field) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(h, h') of an opaque activation from its SymPy formula (route 2 evaluates the independent
    implementation of derive.core.activations.NUMERIC instead): relu read off h itself, any
    other non-smooth h piece by piece (derive.backprop.formulas)."""
    if name != "relu":
        return pieces_in(name, field)
    h = sp.lambdify(activations.a, activations.get(name).h, [{"Max": max}, "mpmath"])
    if any(h(2 * Fraction(u)) != 2 * h(Fraction(u)) for u in ("-2", "-1/3", "1/2", "3")):
        raise DeriveError(f"{name} is not positively homogeneous: route 1 cannot read its h' off h")
    return h, lambda u: slope(h, u, field)


def slope(h: Callable[[Any], Any], u: Any, field: Field) -> Any:
    """f'(u) of relu, not taken from the h' that route 2 uses: relu is positively homogeneous,
    relu(u) = u relu'(u), so route 1 reads relu'(u) = relu(u) / u off relu itself. At u = 0
    (to the field's precision) relu has no derivative: the point is refused."""
    if field.equal(u, 0, 0):
        raise DeriveError("a pre-activation is 0 (to the field's precision), where relu has no derivative")
    return h(u) / u


def power(base: Any, exponent: se.Basic, ev: Callable[[se.Basic], Any]) -> Any:
    if type(exponent).__name__ == "Integer":
        return base ** int(exponent)
    return base ** ev(exponent)


def route1(net: Net, s: Sample, field: Field, keys: list[Key]) -> dict[Key, Any]:
    """dE/dw for each key by SymEngine's diff of the written-out loss, evaluated at s."""
    E, w = loss_dag(net, s.cubics)
    ev = evaluator(s, field)
    with field.context():
        return {key: ev(se.diff(E, w[key])) for key in keys}
