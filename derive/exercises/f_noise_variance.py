"""Exercise f: the loss of e) in w and in sigma^2 (Bishop eq. 5.15).

In w: the gradient of the loss is 1/(2 sigma^2) > 0 times the gradient of E, and the loss
is a constant plus that positive multiple of E, so its minimiser in w is E's, whatever
sigma^2 is. In sigma^2: the derivative has one zero, found by the engine (solve) and
checked by putting it back: the derivative vanishes there, the second derivative there is
positive, and the numerator of the derivative is increasing in sigma^2, so the zero is
the global minimum on sigma^2 > 0.
The loss differentiated here is the one e) computed, not a retyped formula.
"""
from __future__ import annotations

import random

import numpy as np
import sympy as sp

from derive.core import notation as nt
from derive.core.checks import CONTROL_P, Check, Context, Outcome, Point, timed, wrong_claim
from derive.core.derivation import Derivation
from derive.core.points import random_rational
from derive.exercises.base import Config, Exercise, exercise
from derive.exercises.e_gaussian_likelihood import gaussian_density, nll_chain, sum_of_squares
from derive.exercises.toy_network import ToyNetwork
from derive.rules import likelihood as lr

N, D, sigma = nt.N, nt.D, nt.sigma
v = sp.Symbol("sigma^2", positive=True)  # the variance, differentiated as one variable
w = sp.Symbol("w", real=True)  # any one weight of the network
E_of_w = sp.Function("E")(w)  # E(w): any differentiable error
E = sp.Symbol("E", positive=True)  # E(w) at a fixed w with an imperfect fit (E > 0)
CONTEXT = {N: (2, 3), D: (2, 3)}
FROM_E = "The loss is the result of e), with $\\sigma^2$ as the variable."


def loss(error: sp.Expr) -> sp.Expr:
    """e)'s computed result with sigma^2 as the variable and `error` in place of E(w)."""
    result = nll_chain(sum_of_squares()).result
    return result.xreplace({e: error for e in result.atoms(lr.Named)}).subs(sigma, sp.sqrt(v))


def context() -> Context:
    return Context(sizes=dict(CONTEXT), seeds=(1, 2), constraints=(jet,))


def jet(point: Point, sizes: dict[sp.Symbol, int], rng: random.Random) -> None:
    """At a point an arbitrary smooth E has independent values E(w) and E'(w): sample both.

    (Putting a number in for w inside d/dw E(w) first would leave no variable to differentiate.)
    """
    point[sp.Derivative(E_of_w, w)] = random_rational(rng)
    point[E_of_w] = random_rational(rng)


def gradient_in_w(weight: sp.Expr = 1 / (2 * v)) -> Derivation:
    """d loss/dw = (1/(2 sigma^2)) dE/dw; `weight` builds the wrong claims."""
    lhs = sp.Derivative(loss(E_of_w), w)
    d = Derivation.start("gradient of the loss in a weight w", lhs, lhs.doit(),
                         "differentiate term by term; the term without E does not depend on w",
                         context(), note=FROM_E)
    return d.claim(weight * sp.Derivative(E_of_w, w)).verify()


def positive_multiple(gradient: sp.Expr) -> Outcome:
    """grad loss = c grad E with c > 0 free of w, and loss - c E free of w: same minimisers."""
    c = sp.cancel(gradient / sp.Derivative(E_of_w, w))
    rest = sp.expand(loss(E_of_w) - c * E_of_w)
    ok = c.is_positive is True and not c.has(w) and not rest.has(w)
    return ok, (f"loss = ({sp.sstr(rest)[:80]}) + c E(w) with c = {sp.sstr(c)[:80]}: c > 0 is "
                f"{c.is_positive is True}, c and the rest free of w is {not c.has(w) and not rest.has(w)}")


def argmin_free_of_variance(ell: sp.Expr, candidates: int = 24, seed: int = 7) -> Outcome:
    """Random tanh networks: for every sigma^2 the loss `ell` (in E and sigma^2) picks the
    network E picks."""
    net = ToyNetwork((2, 3, 2))
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=(8, 2)), rng.normal(size=(8, 2))
    errors = np.array([np.sum((net.forward(net.random_weights(rng), x) - t) ** 2)
                       for _ in range(candidates)])
    value = sp.lambdify((E, v), ell.subs({N: 8, D: 2}), "numpy")
    picks = {s: int(np.argmin(value(errors, s))) for s in (0.01, 1.0, 100.0)}
    ok = set(picks.values()) == {int(np.argmin(errors))}
    return bool(ok), f"argmin over {candidates} networks at sigma^2 = 0.01, 1, 100: {sorted(picks.values())}; argmin E: {int(np.argmin(errors))}"


def variance_dependent(ell: sp.Expr) -> sp.Expr:
    """The control of `argmin_free_of_variance`: the weight of E falls by sigma^2/97, so it
    turns negative for large sigma^2 and the minimiser then depends on sigma^2."""
    return ell - v * E / CONTROL_P


def derivative_in_variance() -> Derivation:
    """d loss/d sigma^2 over a common denominator: (N D sigma^2 - E)/(2 sigma^4)."""
    ell = loss(E)
    lhs = sp.Derivative(ell, v)
    d = Derivation.start("derivative of the loss in $\\sigma^2$", lhs, lhs.doit(),
                         "$\\frac{d}{d\\sigma^2} \\log c\\sigma^2 = \\frac{1}{\\sigma^2}$ for a constant $c > 0$ and "
                         "$\\frac{d}{d\\sigma^2} \\frac{1}{\\sigma^2} = -\\frac{1}{\\sigma^4}$",
                         context(), note=FROM_E + " E is E(w) at a fixed w, E > 0.")
    d.then("common denominator", sp.together)
    return d.verify()


def differentiate(at: sp.Subs) -> sp.Subs:
    """Carry out the derivative inside an evaluation at a point, keeping the point."""
    return sp.Subs(at.expr.doit(), *at.args[1:])


def stationary_point(derivative: sp.Expr) -> sp.Expr:
    """The one zero of the numerator in sigma^2 (solve), the optimum f) asks for."""
    roots = sp.solve(sp.numer(derivative), v)
    if len(roots) != 1:
        raise ValueError(f"expected one stationary sigma^2, found {roots}")
    return roots[0]


def vanishes_at(value: sp.Expr) -> Derivation:
    """d loss/d sigma^2 at sigma^2 = value is 0; a wrong value leaves a remainder."""
    ell = loss(E)
    lhs = sp.Subs(sp.Derivative(ell, v), v, value)
    d = Derivation.start("the derivative vanishes at the optimum", lhs, differentiate(lhs),
                         "differentiate", context(), note=FROM_E)
    d.then(f"substitute $\\sigma^2 = {sp.latex(value)}$ and cancel", lambda e: sp.cancel(e.doit()))
    return d.claim(sp.Integer(0)).verify()


def curvature_at(value: sp.Expr) -> Derivation:
    """d^2 loss/d(sigma^2)^2 at sigma^2 = value."""
    ell = loss(E)
    lhs = sp.Subs(sp.Derivative(ell, (v, 2)), v, value)
    d = Derivation.start("second derivative at the optimum", lhs, differentiate(lhs),
                         "differentiate twice", context(), note=FROM_E)
    d.then(f"substitute $\\sigma^2 = {sp.latex(value)}$ and cancel", lambda e: sp.cancel(e.doit()))
    return d.verify()


def minimum_checks(derivative: sp.Expr, value: sp.Expr) -> list[Check]:
    """Symbolic: `value` put back into the derivative and the curvature; float64: a direct
    search. Each control: the same on the value perturbed by about 1/97."""
    wrong = wrong_claim(value)
    return [timed("symbolic", lambda: is_minimum(derivative, value), 5,
                  control=lambda: is_minimum(derivative, wrong)),
            timed("float64", lambda: direct_search(value), 5, control=lambda: direct_search(wrong))]


def is_minimum(derivative: sp.Expr, value: sp.Expr) -> Outcome:
    """At sigma^2 = value the derivative is 0 and the second derivative positive (substituted
    and cancelled, no solve); the derivative's numerator is increasing in sigma^2 over a
    positive denominator, so it has no other zero and the minimum is global."""
    slope = sp.cancel(derivative.subs(v, value))
    curvature = sp.cancel(sp.diff(derivative, v).subs(v, value))
    numerator, denominator = sp.fraction(sp.together(derivative))
    poly = sp.Poly(numerator, v)
    increasing = poly.degree() == 1 and poly.LC().is_positive is True and denominator.is_positive is True
    ok = slope == 0 and curvature.is_positive is True and increasing
    return ok, (f"at sigma^2 = {value}: derivative {sp.sstr(slope)[:80]}, curvature {sp.sstr(curvature)[:80]} "
                f"> 0: {curvature.is_positive is True}; numerator {numerator} increasing: {increasing}")


def direct_search(value: sp.Expr, seed: int = 3) -> tuple[bool, str]:
    """Maximise the Gaussian likelihood of a real network's residuals over sigma^2 directly
    (golden section on log sigma^2, densities from hint 1) and compare with `value`."""
    net = ToyNetwork((2, 3, 2))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(10, 2))
    y = net.forward(net.random_weights(rng), x)
    t = y + 0.3 * rng.normal(size=y.shape)
    nll = lambda s2: -np.sum(np.log(gaussian_density(y, t, np.sqrt(s2))))  # noqa: E731
    best = np.exp(golden_section(lambda u: nll(np.exp(u)), -12.0, 12.0))
    claimed = float(value.subs({E: float(np.sum((y - t) ** 2)), N: 10, D: 2}))
    ok = abs(best - claimed) <= 1e-6 * claimed
    return bool(ok), f"direct search: sigma^2 = {best:.9g}; claimed {value} = {claimed:.9g}"


def golden_section(f, lo: float, hi: float, steps: int = 200) -> float:  # type: ignore[no-untyped-def]
    """Minimiser of a unimodal f on [lo, hi]."""
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(steps):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        lo, hi = (lo, b) if f(a) < f(b) else (a, hi)
    return (lo + hi) / 2


@exercise("f")
def exercise_f(config: Config) -> Exercise:
    gradient = gradient_in_w()
    slope = derivative_in_variance()
    value = stationary_point(slope.result)
    zero, curvature = vanishes_at(value), curvature_at(value)
    factor = sp.cancel(gradient.result / sp.Derivative(E_of_w, w))
    checks = [timed("symbolic", lambda: positive_multiple(gradient.result), 5,
                    control=lambda: positive_multiple(wrong_claim(gradient.result))),
              timed("float64", lambda: argmin_free_of_variance(loss(E)), 10,
                    control=lambda: argmin_free_of_variance(variance_dependent(loss(E)))),
              *minimum_checks(slope.result, value)]
    return Exercise(
        "f", "The best $w$ is free of the noise variance; the optimal variance",
        f"Exercise f): the gradient in w of the loss from e) is ${sp.latex(factor)} > 0$ times the "
        "gradient of E(w), so the minimising w is the same for every $\\sigma^2$ and is the "
        "least-squares w. Setting the derivative in $\\sigma^2$ to zero gives "
        f"$\\sigma^2 = {sp.latex(value)}$, a minimum (Bishop eq. 5.15 with D outputs).",
        ["$E(w) = \\sum_n \\|y(x_n) - t_n\\|^2$ without the 1/2, so the optimum "
         f"${sp.latex(value)}$ is the mean squared residual per target component.",
         "$\\sigma^2$ is differentiated as one positive variable; E stands for E(w) at the w "
         "found, assumed positive (a perfect fit E = 0 has no optimal $\\sigma^2 > 0$)."],
        [gradient, slope, zero, curvature], checks)
