"""The verified answers of exercises a, b, c, e, f, g, h in the parser's names, with their spaces.

As in derive.check.reference, each target is taken from the exercise module's verified result
(a, b: eliminate's claim; c: the definitions (4)-(7) its verified unrolling starts from; e: the
E(w) the verified likelihood claim names; f: the stationary point that verifies; g: the
verified cross-entropy; h: the factor the verified expectation reached), never re-derived.
"""
from __future__ import annotations

import sympy as sp

from derive.check import names
from derive.check.numeric import Space
from derive.check.reference import B, Reference, Target, i, j, parser_names, size_symbol, verified
from derive.core import notation as nt
from derive.core.derivation import Derivation
from derive.core.errors import DeriveError
from derive.rules import likelihood as lr

SIZE = {name: sp.Symbol(name, integer=True, positive=True) for name in ("B", "D", "K", "M", "N")}  # as parsed
D, K, M, N, BATCH = (SIZE[s] for s in ("D", "K", "M", "N", "B"))
M_1, M_2, M_lm1, M_l = (size_symbol("M", s) for s in (1, 2, "lm1", "l"))


def plain(expr: sp.Basic) -> sp.Basic:
    """The likelihood rules' KeptSum as a Sum and a named E(w) as its definition, E as the parser's E."""
    expr = expr.replace(lambda e: isinstance(e, lr.KeptSum), lambda e: sp.Sum(*e.args))
    expr = expr.replace(lambda e: isinstance(e, lr.Named), lambda e: e.definition)
    table = {s: SIZE.get(s.name, names.E if s.name == "E" else s) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return parser_names(expr.xreplace(table))


def checked(d: Derivation) -> Derivation:
    if any(c.failed for c in d.checks):
        raise DeriveError(f"the reference {d.title!r} did not verify")
    return d


def closed_form(layers: int, sizes: dict[sp.Symbol, tuple[int, ...]]) -> Reference:
    from derive.core.network import Network
    from derive.exercises.a_b_closed_form import eliminate
    y = verified(eliminate(Network.generic(layers), f"y_j for {layers - 1} hidden layers", "h"))
    space = Space(sizes | {K: (2, 3)}, {j: (1, K)})
    return Reference("ab"[layers - 2], (Target("y", B["y"][j], y),), space)


def reference_a() -> Reference:
    return closed_form(2, {D: (2, 3, 1), M: (3, 1, 2)})


def reference_b() -> Reference:
    return closed_form(3, {D: (2, 1, 3), M_1: (2, 3, 1), M_2: (3, 2, 1)})


def reference_c() -> Reference:
    from derive.exercises import c_recursion as C
    from derive.exercises.base import Config
    for d in C.exercise_c(Config()).derivations:  # the unrolling to a) and b) verified
        checked(d)
    x, w1, a1, w, a, z, zp = (names.concept(s, layer) for s, layer in
                              (("x", None), ("w", 1), ("a", 1), ("w", "l"), ("a", "l"), ("z", "l"), ("z", "lm1")))
    targets = (Target("y", B["y"][j], names.concept("z", "L")[j]),
               Target("z__l", z[j], nt.h("l")(a[j])),
               Target("a__l", a[j], sp.Sum(w[j, i] * zp[i], (i, 0, M_lm1))),
               Target("a__1", a1[j], sp.Sum(w1[j, i] * x[i], (i, 0, D))))
    return Reference("c", targets, Space({D: (2, 3, 1), M_lm1: (1, 2, 3), M_l: (2, 3)}, {j: (1, M_l)}))


def reference_e() -> Reference:
    from derive.exercises import e_gaussian_likelihood as G
    E = plain(G.E_of(checked(G.negative_log_likelihood())))
    # K is D here (Space.same): a norm ||y_n - t_n||^2 reads over k to K, the targets have D entries
    space = Space({D: (1, 2, 3), N: (2, 3, 1)}, {}, same={K: D})
    return Reference("e", (Target("E", names.E, E, (("half-sum-of-squares", E / 2), ("mean-over-data", E / N))),),
                     space)


def reference_f() -> Reference:
    from derive.exercises import f_noise_variance as F
    value = F.stationary_point(checked(F.derivative_in_variance()).result)
    checked(F.vanishes_at(value))
    checked(F.curvature_at(value))
    return Reference("f", (Target("sigma", nt.sigma**2, plain(value), mistakes=("wrong-count", "sigma-not-squared")),),
                     Space({D: (2, 3, 4, 5), N: (3, 5, 2, 7)}, {}))


def reference_g() -> Reference:
    from derive.exercises import g_cross_entropy as G
    ce = plain(verified(G.categorical_nll()))
    # y_nk is the network's softmax output: in (0, 1), summing to 1 over k (log y real, log(1/y) = -log y)
    return Reference("g", (Target("E", names.E, ce, mistakes=("swapped-arguments",)),),
                     Space({K: (2, 3, 4), N: (2, 1, 3)}, {}, simplex=B["y"]))


def reference_h() -> Reference:
    from derive.exercises import h_minibatch as H
    (total, boxed), (mean, _) = ((H.factor_of(d), d.result if d.target is None else d.target) for d in
                                 (checked(H.expected_gradient(c)) for c in ("sum", "mean")))
    return Reference("h", (Target("factor", sp.Symbol("factor"), total, (("mean-over-data", mean),),
                                  mistakes=("wrong-count",), bare=True, boxed=boxed),),
                     Space({BATCH: (2, 3, 4, 1), N: (5, 7, 9, 6)}, {}))


BUILDERS = {"a": reference_a, "b": reference_b, "c": reference_c, "e": reference_e, "f": reference_f,
            "g": reference_g, "h": reference_h}
