"""Names as students type them, mapped onto derive.core.notation: one IndexedBase per concept and layer.

Every Symbol, IndexedBase and Function made here is built from a name this module checked:
a single ASCII letter, a Greek letter from GREEK, or a concept of the notation table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import sympy as sp

from derive.core import notation as nt

GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
         "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi",
         "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega"}
ALIASES = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi"}
SIZES = {"N": nt.N, "D": nt.D, "K": nt.K, "M": nt.M, "B": nt.B, "L": nt.L}
INDICES = {s.name: s for s in (nt.i, nt.j, nt.k, nt.l, nt.n)}
ETA = sp.Symbol("eta", positive=True)
E = sp.Symbol("E")  # E(w), as exercises e and j write it
DOTS = sp.Symbol("ldots")  # \ldots where a student left the blank as it was
GAUSSIAN = sp.Function("Normal")  # N(t | mean, variance): Normal(Tuple(t), Tuple(mean, variance))
PROBABILITY = sp.Function("p")  # p(t | x, w): p(Tuple(t), Tuple(x, w))
NABLA = sp.Function("nabla")  # nabla(E) or nabla(E, w): the parameter gradient of the exercise
FUNCTIONS = {"f", "g"}  # letters read as functions when applied


class Misread(Exception):
    """A construct derive cannot read, at a position; parse.py turns it into a ParseError."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message, self.pos = message, pos


@dataclass(frozen=True)
class Named:
    """A letter with its scripts, not yet a SymPy object: a call may still follow."""

    name: str  # an ASCII letter, a Greek name, or "cal_N" for \mathcal{N}
    pos: int
    sub: tuple[object, ...] | None = None  # the subscript's tokens, read by the head
    layer: str | int | None = None
    primes: int = 0
    power: sp.Expr | None = None
    label: str | None = None  # w^{\text{new}}

    def add(self, **scripts: object) -> Named:
        for key in scripts:
            if key != "primes" and getattr(self, key) is not None:
                raise Misread(f"a second {'superscript' if key == 'power' else key} on {self.name}", self.pos)
        if "primes" in scripts:
            scripts["primes"] = self.primes + int(scripts["primes"])  # type: ignore[call-overload]
        return replace(self, **scripts)  # type: ignore[arg-type]


@lru_cache(maxsize=512)
def concept(stem: str, layer: str | int | None) -> sp.IndexedBase:
    """nt.base, once per name: an IndexedBase is slow to build."""
    return nt.base(stem, layer)


def greek_name(token: str) -> str:
    """\\delta or δ -> "delta"."""
    name = GREEK.get(token) or token.lstrip("\\")
    return ALIASES.get(name, name)


def index_symbol(letter: str, primes: int = 0) -> sp.Symbol:
    """A summation or unit index: the notation's i, j, k, l, n, or another letter, integer >= 0."""
    name = letter + "'" * primes
    if name == "i'":
        return nt.i2
    return INDICES.get(name) or sp.Symbol(name, integer=True, nonnegative=True)


def layer_name(label: str, pos: int) -> str | int:
    """Layer labels as the notation names them: "l+1" -> "lp1", "L-1" -> "Lm1", "2" -> 2."""
    s = re.sub(r"\s+", "", label)
    if s.isdigit():
        return int(s)
    m = re.fullmatch(r"([lL])(?:([+\-])(\d+))?", s)
    if not m:
        raise Misread(f"{label!r} is not a layer: write l, l+1, l-1, L, L-1 or a number", pos)
    head, sign, num = m.groups()
    return head if not sign or int(num) == 0 else f"{head}{'p' if sign == '+' else 'm'}{int(num)}"


def below(layer: str | int) -> str | int:
    """The layer under this one: l -> l-1, l+1 -> l, 2 -> 1 (0 is the input)."""
    if isinstance(layer, int):
        return layer - 1
    m = re.fullmatch(r"([lL])(?:([pm])(\d+))?", layer)
    assert m, layer
    head, sign, num = m.groups()
    offset = (int(num) if sign == "p" else -int(num)) if sign else 0
    offset -= 1
    return head if offset == 0 else f"{head}{'p' if offset > 0 else 'm'}{abs(offset)}"


def size_symbol(stem: str, label: str | int) -> sp.Symbol:
    """M_{l-1} -> M_lm1, M_1 -> M_1: the width of a layer, a positive integer."""
    return sp.Symbol(f"{stem}_{label}", integer=True, positive=True)


def units(layer: str | int) -> sp.Expr:
    """The number of units of a layer: D for the input 0, K for L, M_l otherwise."""
    if layer == 0:
        return nt.D
    if layer == "L":
        return nt.K
    return size_symbol("M", layer)


def sub_label(elems: tuple[object, ...], pos: int) -> str | int:
    """A subscript read as a layer label: h_{l+1}, M_{L-1}, h_2."""
    if any(not hasattr(t, "type") for t in elems):
        raise Misread("a layer label holds letters, digits, + and - only", pos)
    return layer_name("".join(str(t) for t in elems), pos)


def sub_indices(elems: tuple[object, ...], pos: int) -> tuple[sp.Expr, ...]:
    """w_{ji}, w_{j,i}, w_{j0}, z_{i'}, w_{k,j+1}: one index per letter or digit, or per comma part."""
    if any(getattr(t, "type", None) == "COMMA" for t in elems):
        parts: list[list[object]] = [[]]
        for t in elems:
            if getattr(t, "type", None) == "COMMA":
                parts.append([])
            else:
                parts[-1].append(t)
        return tuple(index_expr(part, pos) for part in parts)
    out: list[sp.Expr] = []
    pending: str | None = None
    for t in elems:
        kind = getattr(t, "type", None)
        if kind == "ADDOP":
            pending = str(t)
        elif kind == "PRIME" and out and isinstance(out[-1], sp.Symbol):
            out[-1] = index_symbol(out[-1].name.rstrip("'"), out[-1].name.count("'") + len(str(t)))
        elif kind in ("LETTER", "DIGIT", "GREEK"):
            term = index_expr([t], pos)
            if pending is not None:
                if not out:
                    raise Misread("an index cannot start with a sign", pos)
                out[-1] = out[-1] + term if pending == "+" else out[-1] - term
                pending = None
            else:
                out.append(term)
        else:
            raise Misread(f"{t} cannot be an index", pos)
    if pending is not None or not out:
        raise Misread("an index is missing after a sign" if out else "an empty subscript", pos)
    return tuple(out)


def index_expr(part: list[object], pos: int) -> sp.Expr:
    """One comma part: j, i', 10, j+1, k-1."""
    expr: sp.Expr | None = None
    sign, digits, last = "+", "", None
    def flush() -> None:
        nonlocal expr, digits
        if digits:
            push(sp.Integer(int(digits)))
            digits = ""
    def push(term: sp.Expr) -> None:
        nonlocal expr, last
        if last == "term":
            raise Misread("two indices in one comma part: write w_{j,i} or w_{ji}", pos)
        expr = term if expr is None else (expr + term if sign == "+" else expr - term)
        last = "term"
    for t in part:
        kind, text = getattr(t, "type", None), str(t)
        if kind == "DIGIT":
            digits += text
            continue
        flush()
        if kind == "LETTER":
            push(index_symbol(text))
        elif kind == "GREEK":
            push(index_symbol(greek_name(text)))
        elif kind == "PRIME" and isinstance(expr, sp.Symbol):
            expr = index_symbol(expr.name.rstrip("'"), expr.name.count("'") + len(text))
        elif kind == "ADDOP" and last == "term":
            sign, last = ("-" if text in "-−" else "+"), "sign"
        else:
            raise Misread(f"{text!r} cannot be part of an index", pos)
    flush()
    if expr is None or last == "sign":
        raise Misread("an index is missing", pos)
    return expr


def stem_value(n: Named) -> sp.Basic:
    """A letter without its power: a Symbol, an IndexedBase, or one of its entries."""
    stem = n.name + "'" * n.primes if n.name not in ("h",) else n.name
    if n.name == "h":
        raise Misread("h needs its argument: h_l(a_j^{(l)})", n.pos)
    if n.name == "cal_N":
        raise Misread("\\mathcal{N} needs its arguments: \\mathcal{N}(t | y, \\sigma^2)", n.pos)
    if n.name == "e" and (n.layer is not None or n.sub is not None):
        raise Misread("e with an index or a layer: write e^{...} for the exponential", n.pos)
    if n.name in SIZES and not n.primes and n.layer is None:
        return SIZES[n.name] if n.sub is None else size_symbol(n.name, sub_label(n.sub, n.pos))
    indices = None if n.sub is None else sub_indices(n.sub, n.pos)
    if n.label is not None:
        stem = f"{stem}_{n.label}"
    if indices is None and n.layer is None:
        return bare(stem, n)
    if n.name == "delta" and n.layer is None and indices is not None and len(indices) == 2:
        return sp.KroneckerDelta(*indices)
    if stem in nt.TABLE:
        base = concept(stem, n.layer)
    else:
        base = sp.IndexedBase(stem if n.layer is None else f"{stem}__{n.layer}")
    return base if indices is None else base[indices]


def bare(stem: str, n: Named) -> sp.Basic:
    """A letter with no index and no layer."""
    if stem == "e":
        return sp.E
    if stem == "pi":
        return sp.pi
    if stem == "sigma":
        return nt.sigma
    if stem == "eta":
        return ETA
    if stem == "E":
        return E
    if stem in nt.TABLE:
        return concept(stem, None)
    if n.label is not None:  # w^{new}: a quantity of its own, named after its stem
        return sp.IndexedBase(stem)
    if stem.startswith("cal_"):
        return sp.Symbol(stem)
    if len(stem.rstrip("'")) == 1 and stem[0].islower():
        return index_symbol(stem.rstrip("'"), stem.count("'"))
    return sp.Symbol(stem)
