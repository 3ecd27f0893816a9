"""Backprop at full size: dual-number directional derivatives of the loss against <G, V>, mod p and in float64."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import isqrt
from typing import Any

import numpy as np
import sympy as sp

from derive.backprop.formulas import dual_fn
from derive.backprop.net import Net, layers_with_h
from derive.backprop.rings import DUAL, FLOAT64, Arr, Dual, Ring, dexp, dlog
from derive.core import activations
from derive.core.checks import CONTROL_P, Check, timed
from derive.core.errors import DeriveError

__all__ = ["DUAL", "FLOAT64", "Dual", "Ring", "dexp", "dlog"]  # the numbers, from derive.backprop.rings
MUTATIONS = ("drop-h-prime", "transpose", "wrong-layer", "t-minus-y", "no-factor-2", "mean")
TOLERANCE = 1e-10  # float64: |D_V E - <G, V>| <= TOLERANCE * sum_i |G_i V_i|
POINTS, LIMIT = 3, 240.0  # independent random points (weights, data, cubics, direction V) per check; seconds


def prime_for(widths: tuple[int, ...], N: int = 1) -> int:
    """The largest prime p with n p^2 < 2^63, n the largest inner dimension of any product: a width and its bias
    unit (M + 1), or N."""
    n = max(max(widths) + 1, N)
    return int(sp.prevprime(isqrt((2**63 - 1) // n) + 1))


def degree(L: int) -> int:
    """deg E in (w, x, t, cubic coefficients), a cubic h per layer: deg z^(l) = 3 (deg z^(l-1) + 1) + 1 = 3^(l+1) - 2
    (a = w z adds 1, c_3 a^3 triples and adds 1), E = sum (z^(L) - t)^2 doubles; D_V E and <G, V> have at most deg E."""
    return 2 * (3 ** (L + 1) - 2)


Layer = tuple[Callable[[Dual], Dual], Callable[[Arr], Arr], Callable[[Arr], Arr]]  # route 1's h; route 2's h, h'


@dataclass(frozen=True)
class Point:
    """W[l-1] (M_l, M_{l-1} + 1), column 0 the bias w_j0; data X (N, D), T (N, K); a direction V as W; the h's."""

    W: list[Arr]
    X: Arr
    T: Arr
    V: list[Arr]
    layers: dict[int, Layer]


def ones(u: Arr, c: int = 1) -> Arr:
    """u with a first column c: the bias unit z_0 = 1 (its tangent 0)."""
    return np.hstack([np.full((len(u), 1), c, dtype=u.dtype), u])


def real_layers(net: Net) -> dict[int, Layer]:
    """Route 1: the registered SymPy formula on dual numbers; route 2: h, h' of the independent table NUMERIC."""
    out: dict[int, Layer] = {}
    for l in layers_with_h(net):
        act, num = activations.get(net.h_name(l)), activations.NUMERIC[net.h_name(l)]  # "h": unknown, raises
        out[l] = (dual_fn(act.name), elementwise(num.h), elementwise(num.dh))
    return out


def elementwise(f: Callable[[Any], Any]) -> Callable[[Arr], Arr]:  # mpmath at 53 bits, entry by entry
    return lambda A: np.frompyfunc(lambda u: float(f(u)), 1, 1)(A).astype(np.float64)


def cubic_layer(R: Ring, c: list[int]) -> Layer:
    """h(u) = c0 + c1 u + c2 u^2 + c3 u^3 mod p: route 1 on dual numbers; route 2 with h' written out."""
    c0, c1, c2, c3 = c
    return (lambda u: ((u * c3 + c2) * u + c1) * u + c0,
            lambda u: R.add(R.mul(R.add(R.mul(R.add(R.mul(u, c3), c2), u), c1), u), c0),
            lambda u: R.add(R.mul(R.add(R.mul(u, 3 * c3 % R.p), 2 * c2 % R.p), u), c1))


def point(net: Net, R: Ring, seed: int) -> Point:
    """Uniform residues mod p; in float64 weights of size 1/sqrt(fan-in) (no saturation), T on the simplex."""
    rng = np.random.default_rng(seed)
    shapes = [(net.widths[l], net.widths[l - 1] + 1) for l in range(1, net.L + 1)]

    def draw(*shape: int) -> Arr:
        return rng.integers(0, R.p, size=shape, dtype=np.int64) if R.p else rng.standard_normal(shape)
    W = [draw(*s) if R.p else draw(*s) / np.sqrt(s[1]) for s in shapes]
    X, T = draw(net.N, net.widths[0]), draw(net.N, net.widths[-1])
    if net.spec.simplex:  # sum_k t_k = 1, as exercise i) needs
        T = rng.dirichlet(np.ones(net.widths[-1]), net.N)
    elif net.spec.output == "sigmoid" and not R.p:  # Bernoulli targets: probabilities
        T = rng.uniform(0.0, 1.0, (net.N, net.widths[-1]))
    layers = {l: cubic_layer(R, [int(c) for c in draw(4)]) for l in range(1, net.L + 1)} if R.p else real_layers(net)
    return Point(W, X, T, [draw(*s) for s in shapes], layers)


def route1(net: Net, pt: Point, R: Ring) -> Any:
    """D_V E: the loss written out in x, t and w + V eps, on dual numbers; no deltas anywhere."""
    z = Dual(pt.X, 0 * pt.X, R)
    for l in range(1, net.L + 1):
        z = Dual(ones(z.v), ones(z.d, 0), R) @ Dual(pt.W[l - 1].T, pt.V[l - 1].T, R)
        z = pt.layers[l][0](z) if l in pt.layers else z
    if net.softmax:  # -sum t log softmax(a) = sum_n (sum_k t_nk) logsumexp(a_n) - sum t a
        m = z.v.max(axis=1)
        E = ((dlog(dexp(z - m[:, None]).sum(axis=1)) + m) * pt.T.sum(axis=1)).sum() - (z * pt.T).sum()
    else:  # the registry's E_n = sum_k term(y_k, t_k), y = z^(L); a constant term has tangent 0 and is left out
        y, t = sp.Symbol("y"), sp.Symbol("t")
        term = net.spec.term(y, t).as_independent(y, as_Add=True)[1]
        numbers = {c: R.scalar(int(c.p), int(c.q)) for c in term.atoms(sp.Rational) if not c.is_Integer}
        E = sp.lambdify((y, t), term.xreplace(numbers), [DUAL])(z, pt.T).sum()
    if net.reduction == "mean":
        E = E * R.scalar(1, net.N)
    return E.d


def back_weights(pt: Point, l: int, mutation: str | None) -> Arr:
    """The matrix of eq. (9) at layer l, (M_{l+1}, M_l): w_kj^(l+1); mutated, w_jk^(l+1) or w_kj^(l) (0 if absent)."""
    W = pt.W[l][:, 1:]
    if mutation not in ("transpose", "wrong-layer"):
        return W
    src, out = W.T if mutation == "transpose" else pt.W[l - 1][:, 1:], np.zeros_like(W)
    r, c = min(W.shape[0], src.shape[0]), min(W.shape[1], src.shape[1])
    out[:r, :c] = src[:r, :c]
    return out


def route2(net: Net, pt: Point, R: Ring, mutation: str | None = None) -> list[Arr]:
    """dE/dW^(l) (column 0 the bias) for every layer by eqs. (8), (9) over all units, summed over the examples."""
    if mutation is not None and mutation not in MUTATIONS:
        raise DeriveError(f"unknown mutation {mutation!r}; choose from: {', '.join(MUTATIONS)}")
    A, Z = {}, {0: pt.X}
    for l in range(1, net.L + 1):
        A[l] = R.dot(ones(Z[l - 1]), pt.W[l - 1].T)
        Z[l] = pt.layers[l][1](A[l]) if l in pt.layers else A[l]
    sign, spec = -1 if mutation == "t-minus-y" else 1, net.spec
    y = Z[net.L]
    if net.softmax:  # exercises i), "losses": delta = r c (y - t), y the softmax
        y = np.exp(A[net.L] - A[net.L].max(axis=1, keepdims=True))
        y = y / y.sum(axis=1, keepdims=True)
    c = 1 if mutation == "no-factor-2" else spec.scale  # exercise k): 2 (y - t) h_L'(a), or with the 1/2
    delta = R.mul(R.add(y, R.mul(pt.T, -1)), sign * c)
    if not spec.canonical:  # h_L' cancels under softmax / sigmoid with their cross-entropies
        delta = R.mul(delta, pt.layers[net.L][2](A[net.L]))
    if net.reduction == "mean":
        delta = R.mul(delta, R.scalar(1, net.N))
    grads = [R.dot(delta.T, ones(Z[net.L - 1]))]  # eq. (8): delta_j z_i, summed over n (exercise l)
    for l in range(net.L - 1, 0, -1):
        back = R.dot(delta, back_weights(pt, l, mutation))  # eq. (9)
        delta = back if mutation == "drop-h-prime" else R.mul(pt.layers[l][2](A[l]), back)
        grads.insert(0, R.dot(delta.T, ones(Z[l - 1])))
    return [R.mul(g, R.scalar(1, net.N)) for g in grads] if mutation == "mean" else grads


def inner(R: Ring, grads: list[Arr], pt: Point) -> tuple[Any, float]:
    """<G, V> over every weight, and sum_i |G_i V_i| (the scale of float64's tolerance; 0 mod p)."""
    terms = [R.mul(g, v) for g, v in zip(grads, pt.V)]
    total = sum(R.sum(t) for t in terms)
    return (int(total) % R.p, 0.0) if R.p else (float(total), float(sum(np.abs(t).sum() for t in terms)))


def agree(R: Ring, D: Any, S: Any, scale: float) -> bool:
    return bool(np.array_equal(D, S) if R.p else np.all(np.abs(D - S) <= TOLERANCE * scale))


Run = tuple[Any, Any, float]  # (left side, right side, float64's scale) at one point


def compared(R: Ring, runs: Callable[[], list[Run]], say: Callable[[list[Run], int], str]) -> Check:
    """The claim at every point; the control, the right side times 98/97, must fail at some point."""
    done: list[Run] = []

    def claim() -> tuple[bool, str]:
        done[:] = runs()
        held = sum(agree(R, *r) for r in done)
        return held == len(done), say(done, held)

    def control() -> tuple[bool, str]:
        kept = [agree(R, u, R.mul(v, R.scalar(CONTROL_P + 1, CONTROL_P)), scale) for u, v, scale in done]
        return any(kept), f"right side x 98/97: {kept.count(False)} of {len(done)} points differ"
    return timed(R.name, claim, LIMIT, control)


def check(net: Net, R: Ring, seed: int = 1, points: int = POINTS, mutation: str | None = None) -> Check:
    """Route 1 (D_V E by dual numbers) against route 2 (<G, V>) at `points` random points, every weight."""
    def say(done: list[Run], held: int) -> str:
        if R.p:
            deg = degree(net.L)
            how = (f"mod p = {R.p}, every h a random cubic: D_V E = <G, V> exactly; bound on a false pass: deg/p "
                   f"per point, (deg/p)^k for k points: deg = deg E = {deg}, {deg}/{R.p} = {deg / R.p:.1e}, "
                   f"({deg}/p)^{points} = {(deg / R.p) ** points:.1e}")
        else:
            worst = max(abs(D - S) / (scale or 1) for D, S, scale in done)
            how = f"float64: max |D_V E - <G, V>| / sum |G_i V_i| = {worst:.1e} (tolerance {TOLERANCE:.0e})"
        size = sum((a + 1) * b for a, b in zip(net.widths, net.widths[1:]))
        return f"{net.describe()}: all {size} weights, {points} random points and directions V: {held} agree; {how}"
    def run(k: int) -> Run:
        pt = point(net, R, seed * 1000 + k)
        return route1(net, pt, R), *inner(R, route2(net, pt, R, mutation), pt)
    return compared(R, lambda: [run(k) for k in range(points)], say)


def checks(net: Net, seed: int = 1, points: int = POINTS, mutation: str | None = None) -> list[Check]:
    """Exactly mod p, every h a random cubic, with the sum of squares (softmax is not polynomial); in float64 with
    the real h and the net's loss."""
    loss = "sum-of-squares" if net.spec.canonical else net.loss
    poly = Net(net.widths, ("h",) * (net.L - 1), loss, "h", net.N, net.reduction)
    return [check(poly, Ring(prime_for(net.widths, net.N)), seed, points, mutation),
            check(net, FLOAT64, seed, points, mutation)]


def affine_checks(widths: tuple[int, ...], seed: int = 1, points: int = POINTS, bend: int | None = None) -> list[Check]:
    """Every h the identity, mod p at random points: f(x) = W^(L)(... (W^(1) x + b^(1)) ...) + b^(L) has vanishing
    second differences, and f(x) = A x + c with A = W^(L) ... W^(1). `bend` makes h_bend(u) = u + u^2 (for tests)."""
    R, L, rng = Ring(prime_for(widths)), len(widths) - 1, np.random.default_rng(seed)
    nets = [([rng.integers(0, R.p, (m, n + 1), dtype=np.int64) for n, m in zip(widths, widths[1:])],
             rng.integers(0, R.p, (2, widths[0]), dtype=np.int64)) for _ in range(points)]  # W (bias column 0), x, u

    def f(W: list[Arr], x: Arr) -> Arr:
        for l in range(L):
            x = R.dot(W[l], np.concatenate([[1], x]))
            x = R.add(x, R.mul(x, x)) if bend == l + 1 else x
        return x

    def second(W: list[Arr], xu: Arr) -> Run:
        return R.add(f(W, R.add(xu[0], xu[1])), f(W, R.add(xu[0], R.mul(xu[1], -1)))), R.mul(f(W, xu[0]), 2), 0.0

    def affinity(W: list[Arr], xu: Arr) -> Run:
        A, c = W[-1][:, 1:], W[0][:, 0]
        for l in range(L - 2, -1, -1):  # from the left, so A keeps K rows: W^(L) W^(L-1) ... W^(1)
            A = R.dot(A, W[l][:, 1:])
        for l in range(1, L):  # c^(l) = W^(l) c^(l-1) + b^(l)
            c = R.add(R.dot(W[l][:, 1:], c), W[l][:, 0])
        return f(W, xu[0]), R.add(R.dot(A, xu[0]), c), 0.0

    def one(name: str, claim: Callable[[list[Arr], Arr], Run]) -> Check:
        return compared(R, lambda: [claim(*net) for net in nets], lambda done, held: (
            f"widths {','.join(map(str, widths))}, h identity, mod p = {R.p}: {name} at {points} random points: "
            f"{held} hold exactly; bound on a false pass: deg/p per point, (deg/p)^k for k points: "
            f"deg = L + 1 = {L + 1}, ({L + 1}/p)^{points} = {((L + 1) / R.p) ** points:.1e}"))
    return [one("f(x+u) + f(x-u) = 2 f(x)", second), one("f(x) = A x + c, A = W^(L)...W^(1)", affinity)]
