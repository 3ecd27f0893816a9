"""Exercise d: without the non-linearities the output is affine in x.

Shown for L = 1..5, on the user's architecture, and by induction on matrices.
"""
from __future__ import annotations

import random

import sympy as sp

from derive.backprop import fullsize
from derive.core import notation as nt
from derive.core.activations import identity
from derive.core.checks import CONTROL_P, Check, Context, Outcome, timed
from derive.core.derivation import Derivation
from derive.core.network import Network
from derive.core.points import random_rational
from derive.exercises.base import Config, Exercise, exercise


# --- d) the linear collapse ---------------------------------------------------------------------
def affine_matrices(net: Network, weights: dict[sp.Indexed, sp.Rational] | None = None
                    ) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """W^(L)...W^(1) and the offset sum_l W^(L)...W^(l+1) b^(l), with x as a column;
    `weights` are put in layer by layer (before the products grow)."""
    x = sp.Matrix([net.x[i] for i in range(1, net.widths[0] + 1)])
    A, c = sp.eye(net.widths[0]), sp.zeros(net.widths[0], 1)
    for l in range(1, net.L + 1):
        W = sp.Matrix(net.widths[l], net.widths[l - 1], lambda j, i: net.w(l)[j + 1, i + 1])
        b = sp.Matrix([net.w(l)[j, 0] for j in range(1, net.widths[l] + 1)])
        W, b = W.xreplace(weights or {}), b.xreplace(weights or {})
        A, c = W * A, W * c + b
    return A, c, x


SYMBOLIC_PATHS = 500  # paths through a network up to which the collapse checks stay symbolic


def collapse_checks(widths: tuple[int, ...]) -> list[Check]:
    """With h_l(a) = a: Hessian in x is zero, and y = (W^(L)...W^(1)) x + offset."""
    return collapse_checks_for(Network(widths, (identity,) * (len(widths) - 1)))


def layerwise_output(net: Network, weights: dict[sp.Indexed, sp.Rational]) -> sp.Matrix:
    """y from eqs. (5)-(7) one layer at a time, each layer expanded before the next is built,
    with `weights` put in for the w's (none: symbolic weights). A big network stays a small
    polynomial in x this way, instead of a tree with one branch per path through it."""
    z = [sp.Integer(1)] + [net.x[i] for i in range(1, net.widths[0] + 1)]  # x_0 = 1 (eq. 3)
    for l in range(1, net.L + 1):
        previous = {net.z(l - 1)[i]: value for i, value in enumerate(z)}
        a = [net.a_def(l, j).doit().xreplace(previous).xreplace(weights)
             for j in range(1, net.widths[l] + 1)]
        z = [sp.Integer(1)] + [sp.expand(net.h(l, a_j)) for a_j in a]  # z_0 = 1
    return sp.Matrix(z[1:])


def sampled_weights(net: Network, seed: int) -> dict[sp.Indexed, sp.Rational]:
    rng = random.Random(seed)
    return {w: random_rational(rng) for l in range(1, net.L + 1) for w in net.weights(l)}


def collapse_checks_for(net: Network, symbolic_paths: int = SYMBOLIC_PATHS) -> list[Check]:
    """The three collapse checks on a concrete network (a test feeds one with a tanh), each
    with its control: the same check on a map that is not affine, y + (1 + x_1^2)/97.

    Up to `symbolic_paths` paths through the network the weights stay symbolic; above
    that they are random rationals (the checks then hold at those weights, said in detail).
    """
    widths = net.widths
    symbolic = sp.prod(widths) <= symbolic_paths
    weights = {} if symbolic else sampled_weights(net, seed=net.L)
    y = layerwise_output(net, weights)
    A, c, x = affine_matrices(net, weights)
    xs = list(x)
    bent = y + sp.ones(*y.shape) * (1 + xs[0] ** 2) / CONTROL_P
    tag = f"L={net.L}, widths {widths}" + ("" if symbolic else ", weights at random rationals")
    return [timed("symbolic", lambda: hessian_vanishes(y, xs, tag), 60,
                  control=lambda: hessian_vanishes(bent, xs, tag)),
            timed("exact-rational", lambda: second_difference_vanishes(y, xs, tag, len(widths)), 60,
                  control=lambda: second_difference_vanishes(bent, xs, tag, len(widths))),
            timed("symbolic", lambda: is_product_form(y, A * x + c, tag), 60,
                  control=lambda: is_product_form(bent, A * x + c, tag))]


def hessian_vanishes(y: sp.Matrix, xs: list[sp.Expr], tag: str) -> Outcome:
    """Every second derivative of y in x is 0."""
    second = [sp.diff(yk, u, v) for yk in y for u in xs for v in xs]
    ok = all(sp.expand(s) == 0 for s in second)
    return ok, f"{tag}: all {len(second)} entries of d2y/dx2 are 0" + ("" if ok else ": not so")


def second_difference_vanishes(y: sp.Matrix, xs: list[sp.Expr], tag: str, seed: int) -> Outcome:
    """y(x+u) + y(x-u) - 2 y(x) = 0 exactly at a random rational point and direction."""
    rng = random.Random(seed)
    point = {e: random_rational(rng) for e in sorted(y.atoms(sp.Indexed), key=sp.default_sort_key)}
    u = {xi: random_rational(rng) for xi in xs}

    def at(s: int) -> sp.Matrix:
        return y.xreplace({**point, **{xi: point[xi] + s * u[xi] for xi in xs}})
    ok = is_zero_matrix(at(1) + at(-1) - 2 * at(0))
    return ok, f"{tag}: y(x+u) + y(x-u) - 2 y(x) = 0 exactly" + ("" if ok else ": not so")


def is_product_form(y: sp.Matrix, affine: sp.Matrix, tag: str) -> Outcome:
    """y equals the claimed affine form W^(L)...W^(1) x + offset, expanded."""
    ok = is_zero_matrix((y - affine).expand())
    return ok, f"{tag}: y - (W^(L)...W^(1) x + offset) expands to 0" + ("" if ok else ": not so")


def is_zero_matrix(m: sp.Matrix) -> bool:
    return all(sp.expand(v) == 0 for v in m)


def induction() -> Derivation:
    """If z^(l) = A x + c then z^(l+1) = W(Ax + c) + b = (WA) x + (Wc + b): affine again."""
    D = nt.D
    Ml, Mn = (sp.Symbol(name, integer=True, positive=True) for name in ("M_l", "M_lp1"))
    A, c = sp.MatrixSymbol("A", Ml, D), sp.MatrixSymbol("c", Ml, 1)
    W, b = sp.MatrixSymbol("W__lp1", Mn, Ml), sp.MatrixSymbol("b__lp1", Mn, 1)
    x = sp.MatrixSymbol("x", D, 1)
    z_next = sp.MatrixSymbol("z__lp1", Mn, 1)
    first = sp.MatMul(W, sp.MatAdd(sp.MatMul(A, x), c)) + b
    # eqs. (5)-(6) with h(a) = a under the hypothesis z^(l) = A x + c define z^(l+1).
    ctx = Context(definitions={z_next: first}, sizes={D: (2, 3), Ml: (3, 1), Mn: (2, 4)})
    d = Derivation.start("composition of affine maps is affine (every $L$)", z_next, first,
                         "eqs. (5)-(6) with $h(a) = a$ and the hypothesis $z^{(l)} = A x + c$", ctx,
                         note="Base case: $z^{(1)} = W^{(1)} x + b^{(1)}$ is affine.")
    d.then("distribute the matrix product over the sum", lambda e: sp.expand(e))
    return d.claim(sp.MatMul(sp.MatMul(W, A), x) + sp.MatAdd(sp.MatMul(W, c), b)).verify()


@exercise("d")
def exercise_d(config: Config) -> Exercise:
    shapes = [(2,) + (3,) * (L - 1) + (2,) for L in range(1, 6)]
    checks = [c for widths in shapes for c in collapse_checks(widths)]
    if config.widths not in shapes:  # the user's network, in full: symbolic while small, mod p beyond
        small = sp.prod(config.widths) <= SYMBOLIC_PATHS
        checks += collapse_checks(config.widths) if small else fullsize.affine_checks(config.widths)
    return Exercise("d", "Without non-linearities the network is affine in $x$",
                    "Exercise d): remove every non-linearity (take $h_l(a) = a$) and show that the "
                    "output is linear in $x$ (affine, with the biases), so the deep model collapses "
                    "to a linear model: checked for $L = 1, \\dots, 5$ and for every L by induction.",
                    ["Linear here means affine: $y = A x + c$ with $A = W^{(L)} \\cdots W^{(1)}$ "
                     "(the bias columns removed) and $c$ collecting the propagated biases.",
                     "Two routes for each L: the Hessian of y in x vanishes (symbolic), and the "
                     "second difference $y(x+u) + y(x-u) - 2y(x)$ is exactly 0 at random rational points. "
                     f"An architecture with more than {SYMBOLIC_PATHS} paths is checked in full modulo a "
                     "prime: the second difference vanishes and $y = A x + c$ at random points."],
                    [induction()], checks)
