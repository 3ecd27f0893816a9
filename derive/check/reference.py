"""The verified answers of exercises i, j, k, l in the parser's names, with the space their points draw from.

Each target comes from the exercise module's verified derivation (never re-derived here);
its names are mapped onto the parser's (w__l+1 -> w__lp1, M_{l+1} -> M_lp1, a real a__L -> a__L).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from derive.check.names import E, concept, layer_name, size_symbol
from derive.check.numeric import Space
from derive.core import notation as nt
from derive.core.derivation import Derivation
from derive.core.errors import DeriveError

j, i, k, m, n = nt.j, nt.i, nt.k, sp.Symbol("m", integer=True, nonnegative=True), nt.n
i2 = nt.i2
K, N = nt.K, nt.N
M_lm1, M_l, M_lp1 = (size_symbol("M", s) for s in ("lm1", "l", "lp1"))
SMALL = (1, 2, 3)


@dataclass(frozen=True)
class Target:
    """One result an exercise asks for: its left side, the verified right side, the accepted conventions."""

    key: str  # the left side's name: "delta__l", "dE/dw__l", ...
    lhs: sp.Basic
    rhs: sp.Basic
    conventions: tuple[tuple[str, sp.Basic], ...] = ()
    mistakes: tuple[str, ...] = ()  # the exercise's own mistake rules (derive.check.mistakes.SPECIFIC)
    bare: bool = False  # no left side in the notation (h's factor): the answer is the right side alone
    boxed: sp.Basic | None = None  # what the sheet boxes where it is not rhs (h: the factor times grad E)


@dataclass(frozen=True)
class Reference:
    """An exercise's targets (the first is its main result) and the space of its points."""

    exercise: str
    targets: tuple[Target, ...]
    space: Space = field(compare=False)


def parser_names(expr: sp.Basic) -> sp.Basic:
    """The exercise's names onto the parser's: layers l+1 -> lp1, M_{l+1} -> M_lp1, assumptions dropped."""
    table: dict[sp.Basic, sp.Basic] = {}
    for b in expr.atoms(sp.IndexedBase):
        stem, layer = nt.split_name(str(b.label))
        table[b] = concept(stem, None if layer is None else layer_name(layer, 0)) if stem in nt.TABLE \
            else sp.IndexedBase(str(b.label))
    for s in expr.free_symbols:
        found = re.fullmatch(r"M_\{(.+)\}", getattr(s, "name", ""))
        if found:
            table[s] = size_symbol("M", layer_name(found.group(1), 0))
    return expr.xreplace(table)


def verified(d: Derivation) -> sp.Basic:
    """The claim of a derivation that verified; a failed one is never used as a reference."""
    if d.target is None or any(c.failed for c in d.checks):
        raise DeriveError(f"the reference {d.title!r} did not verify")
    return parser_names(d.target)


def key_of(lhs: sp.Basic) -> str | None:
    """delta__l for delta_j^(l), dE/dw__l for dE/dw_ji^(l), y for y_j, sigma for sigma^2."""
    if isinstance(lhs, sp.Indexed):
        return str(lhs.base.label)
    if isinstance(lhs, sp.Derivative) and len(lhs.variables) == 1 and isinstance(lhs.variables[0], sp.Indexed):
        return f"d{lhs.expr}/d{lhs.variables[0].base.label}"
    if lhs == nt.sigma or isinstance(lhs, sp.Pow) and lhs.base == nt.sigma:
        return "sigma"
    if isinstance(lhs, sp.Symbol):
        return lhs.name
    return None


def lhs_indices(lhs: sp.Basic) -> tuple[sp.Basic, ...]:
    if isinstance(lhs, sp.Indexed):
        return lhs.indices
    if isinstance(lhs, sp.Derivative) and isinstance(lhs.variables[0], sp.Indexed):
        return lhs.variables[0].indices
    return ()


B = {name: concept(name.split("__")[0], name.split("__")[1] if "__" in name else None)
     for name in ("w__l", "w__lp1", "a__l", "a__lp1", "a__L", "z__lm1", "z__l", "delta__l", "delta__lp1",
                  "delta__L", "y", "t")}
h_l, h_L = nt.h("l"), nt.h("L")


def reference_j() -> Reference:
    from derive.exercises import j_hidden_delta as J
    eq9 = verified(J.derivation_eq9())  # eq. (9) as the derivation that verified it claims it
    eq8 = verified(J.derivation_eq8())
    w, wn, a, an, zp, d, dn = (B[s] for s in ("w__l", "w__lp1", "a__l", "a__lp1", "z__lm1", "delta__l", "delta__lp1"))
    space = Space({M_lm1: SMALL, M_l: (2, 3, 1), M_lp1: (3, 1, 2)}, {j: (1, M_l), i: (0, M_lm1)},
                  defs={an: lambda u: wn[u, 0] + sp.Sum(wn[u, m] * h_l(a[m]), (m, 1, M_l)),
                        a: lambda u: sp.Sum(w[u, i2] * zp[i2], (i2, 0, M_lm1)),
                        B["z__l"]: lambda u: sp.Integer(1) if u == 0 else h_l(a[u]),
                        d: lambda u: eq9.xreplace({j: u})},
                  partials={("E", a): lambda u: d[u], ("E", an): lambda u: dn[u],
                            ("E", w): lambda u, v: d[u] * zp[v]})
    return Reference("j", (Target("delta__l", d[j], eq9), Target("dE/dw__l", sp.Derivative(E, w[j, i]), eq8)), space)


def output_space(delta: sp.Basic, y_def, one_hot: bool) -> Space:  # type: ignore[no-untyped-def]
    a = B["a__L"]
    return Space({K: (3, 2, 4)}, {j: (1, K)}, defs={B["y"]: y_def, B["delta__L"]: lambda u: delta.xreplace({j: u})},
                 partials={("E", a): lambda u: B["delta__L"][u]}, one_hot=B["t"] if one_hot else None)


def reference_i() -> Reference:
    from derive.exercises import i_softmax_delta as I
    delta = verified(I.classification_delta(I.hint_logits(), I.hint_softmax()))
    a, k2 = B["a__L"], sp.Symbol("k'", integer=True, nonnegative=True)
    space = output_space(delta, lambda u: sp.exp(a[u]) / sp.Sum(sp.exp(a[k2]), (k2, 1, K)), True)
    return Reference("i", (Target("delta__L", B["delta__L"][j], delta),), space)


def reference_k() -> Reference:
    from derive.exercises import k_regression_delta as R
    twice = sp.Mul(2, R.y[j] - R.t[j], evaluate=False)
    delta = verified(R.regression_delta("exercise", "h", twice * R.h_L_prime(j)))
    space = output_space(delta, lambda u: h_L(B["a__L"][u]), False)
    return Reference("k", (Target("delta__L", B["delta__L"][j], delta, (("half-sum-of-squares", delta / 2),)),),
                     space)


def reference_l() -> Reference:
    from derive.exercises import l_dataset_gradient as L
    grad = verified(L.derivation_examples())
    w, d, zp = B["w__l"], B["delta__l"], B["z__lm1"]
    space = Space({N: (1, 2, 3), M_lm1: SMALL, M_l: (2, 3, 1)}, {j: (1, M_l), i: (0, M_lm1)},
                  partials={("E", w): lambda u, v: grad.xreplace({j: u, i: v}),
                            ("E_n", w): lambda nn, u, v: d[nn, u] * zp[nn, v],
                            ("E_n", B["a__l"]): lambda nn, u: d[nn, u]})
    return Reference("l", (Target("dE/dw__l", sp.Derivative(E, w[j, i]), grad, (("mean-over-data", grad / N),)),),
                     space)


BUILDERS = {"i": reference_i, "j": reference_j, "k": reference_k, "l": reference_l}
