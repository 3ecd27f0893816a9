"""Values of an answer's sides at random points: sizes, free indices, leaves and surrogate h drawn per turn.

An undefined h_l becomes a random rational cubic (derive.core.points.surrogate) and h_l' its
derivative; defined quantities (a softmax y, a pre-activation a^{(l+1)}, the verified delta)
are written out; a derivative is taken with the sizes concrete and its variables still symbols.
Leaves the others fix are tied (Point.tied): x_0 = 1, a one-hot t, and a softmax output y drawn
in (0, 1) with its last entry 1 less the others (g: log y is real and log(1/y) = -log y).
Values are exact rationals where they can be, else compared at 40 digits.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.core.points import random_rational, surrogate

Defs = dict[sp.IndexedBase, Callable[..., sp.Expr]]
DIGITS = 40
TOLERANCE = sp.Float("1e-25", DIGITS)


def prime(f: sp.FunctionClass) -> sp.FunctionClass:
    """The placeholder for f': h__l -> h__l_prime, one argument."""
    return sp.Function(f"{f.__name__}_prime")


def canonical(expr: sp.Basic) -> sp.Basic:
    """Derivative(h(u), u) -> h_prime(u), so that u may be written out later."""
    def is_hprime(e: sp.Basic) -> bool:
        return (isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef) and len(e.expr.args) == 1
                and e.variables == (e.expr.args[0],))
    def is_subs(e: sp.Basic) -> bool:  # d/dw h(u(w)) = Subs(Derivative(h(x), x), x, u) u'(w)
        return isinstance(e, sp.Subs) and is_hprime(e.expr) and e.variables == (e.expr.variables[0],)
    expr = expr.replace(is_subs, lambda e: prime(e.expr.expr.func)(e.point[0])) if expr.has(sp.Subs) else expr
    return expr.replace(is_hprime, lambda e: prime(e.expr.func)(e.expr.args[0]))


@dataclass
class Space:
    """What a point of one exercise draws: sizes with their values, free indices with their ranges."""

    sizes: dict[sp.Symbol, tuple[int, ...]]
    indices: dict[sp.Symbol, tuple[int, sp.Expr]]  # index -> (lower, upper in the sizes)
    defs: Defs = field(default_factory=dict)
    partials: dict[tuple[str | None, sp.IndexedBase], Callable[..., sp.Expr]] = field(default_factory=dict)
    one_hot: sp.IndexedBase | None = None  # t with sum_k t_k = 1 over K
    simplex: sp.IndexedBase | None = None  # y_nk in (0, 1) with sum_k y_nk = 1 over K (a softmax output)
    ones: tuple[str, ...] = ("x", "z")  # stems whose last index 0 is the bias input 1
    same: dict[sp.Symbol, sp.Symbol] = field(default_factory=dict)  # a size that is another's by the exercise


ROUND = 4  # the seeds 0..3 (derive.check.judge.SEEDS): every two sizes differ at one of them at least


def orders(space: Space) -> dict[sp.Symbol, tuple[int, ...]]:
    """Each size's values in an order of its own (shuffled by a generator seeded by its name), seed n taking the
    n-th: every value in turn. Two sizes that would agree at every seed of ROUND have the later one rotated."""
    out: dict[sp.Symbol, tuple[int, ...]] = {}
    for s, values in sorted(space.sizes.items(), key=lambda kv: str(kv[0])):
        if s in space.same:
            continue
        order = list(values)
        random.Random(f"sizes {s.name}").shuffle(order)
        for _ in range(len(order)):
            if not any(all(order[n % len(order)] == other[n % len(other)] for n in range(ROUND))
                       for other in out.values()):
                break
            order = order[1:] + order[:1]
        out[s] = tuple(order)
    return out


def draw_sizes(space: Space, seed: int) -> dict[sp.Symbol, int]:
    """A point's sizes (deterministic); a size in Space.same takes the value of the size it is."""
    out = {s: order[seed % len(order)] for s, order in orders(space).items()}
    return out | {s: out[t] for s, t in space.same.items()}


@dataclass
class Point:
    """One drawn world: sizes and index values, leaf values (drawn on demand), surrogates."""

    space: Space
    seed: int
    sizes: dict[sp.Symbol, int] = field(default_factory=dict)
    leaves: dict[sp.Expr, sp.Expr] = field(default_factory=dict)
    functions: dict[str, sp.Lambda] = field(default_factory=dict)
    activation: sp.Lambda | None = None  # the network's hidden h (derive check --activation), else surrogates

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.sizes.update(draw_sizes(self.space, self.seed))
        for s, (low, high) in sorted(self.space.indices.items(), key=lambda kv: str(kv[0])):
            self.sizes[s] = self.rng.randint(low, int(sp.sympify(high).xreplace(self.sizes)))

    def function(self, name: str) -> sp.Lambda:
        stem = name.removesuffix("_prime")
        if stem not in self.functions:
            hidden = stem == "h" or stem.startswith("h__") and stem != "h__L"
            self.functions[stem] = self.activation if self.activation is not None and hidden else surrogate(self.rng)
        lam = self.functions[stem]
        if name == stem:
            return lam
        u = lam.variables[0]
        return sp.Lambda(u, sp.diff(lam.expr, u))

    def leaf(self, e: sp.Expr) -> sp.Expr:
        if e not in self.leaves:
            self.leaves[e] = self.draw(e)
        return self.leaves[e]

    def draw(self, e: sp.Expr) -> sp.Expr:
        bound = self.tied(e)
        if bound is not None:
            return bound.xreplace({u: self.leaf(u) for u in bound.atoms(sp.Indexed)})
        if self.space.simplex is not None and isinstance(e, sp.Indexed) and e.base == self.space.simplex:
            return sp.Rational(1 + self.rng.randrange(999), 1000 * self.outputs())  # in (0, 1/K]: the last stays > 0
        return random_rational(self.rng)

    def outputs(self) -> int:
        return max(v for s, v in self.sizes.items() if s.name == "K")

    def tied(self, e: sp.Expr) -> sp.Expr | None:
        """A leaf the others fix: a bias input x_0 = 1; the last t_K of a one-hot t, the last y_nK of a
        softmax output (1 less the others); None for a free leaf."""
        if not isinstance(e, sp.Indexed):
            return None
        stem = str(e.base.label).split("__")[0]
        if stem in self.space.ones and e.indices[-1] == 0:
            return sp.Integer(1)
        hot, simplex = self.space.one_hot, self.space.simplex
        if hot is not None and e.base == hot and len(e.indices) == 1 or simplex is not None and e.base == simplex:
            *rest, last = e.indices
            if last == self.outputs():
                return 1 - sp.Add(*(e.base[(*rest, m)] for m in range(1, last)))
        return None


def at_sizes(expr: sp.Basic, sizes: dict[sp.Symbol, int]) -> sp.Basic:
    """Sizes and free indices substituted, finite sums written out."""
    bound = {v for s in expr.atoms(sp.Sum, sp.Product) for v in s.variables}
    out = sp.sympify(expr.subs(sizes) if bound & set(sizes) else expr.xreplace(sizes))
    if not out.has(sp.Sum, sp.Product):
        return out
    return out.replace(lambda e: isinstance(e, (sp.Sum, sp.Product)), lambda e: e.doit(deep=False))


def expand(expr: sp.Basic, space: Space, keep: frozenset[sp.Basic] = frozenset()) -> sp.Basic:
    """Every defined quantity written out (the bases in keep stay), and partials of E named."""
    for _ in range(50):
        table: dict[sp.Basic, sp.Basic] = {}
        for d in expr.atoms(sp.Derivative):
            v, key = d.variables[0], loss_name(d.expr)
            if len(d.variables) == 1 and isinstance(v, sp.Indexed) and (key, v.base) in space.partials:
                extra = d.expr.indices if isinstance(d.expr, sp.Indexed) else ()
                table[d] = space.partials[key, v.base](*extra, *v.indices)
        if table:
            expr = expr.xreplace(table)
            continue
        hidden = {d: sp.Dummy() for d in expr.atoms(sp.Derivative)}  # written out when differentiated
        bare = expr.xreplace(hidden)
        table = {e: space.defs[e.base](*e.indices) for e in bare.atoms(sp.Indexed)
                 if e.base in space.defs and e.base not in keep}
        if not table:
            return expr
        expr = bare.xreplace(table).xreplace({v: d for d, v in hidden.items()})
    raise RecursionError("definitions do not terminate")


def loss_name(e: sp.Basic) -> str | None:
    """"E" for E, "E_n" for E_n (an entry of the IndexedBase E), else None."""
    if e == sp.Symbol("E"):
        return "E"
    return "E_n" if isinstance(e, sp.Indexed) and str(e.base.label) == "E" else None


def written(expr: sp.Basic, point: Point, alias: dict[sp.Symbol, sp.Symbol] | None = None,
            surrogates: bool = True) -> sp.Basic:
    """expr at the point's sizes, every definition and derivative written out; h_l by its surrogate
    (surrogates) or kept, h_l' as h_l_prime (for derive.check.symbolic); the leaves still symbols."""
    sizes = point.sizes | {a: point.sizes[b] for a, b in (alias or {}).items() if b in point.sizes}
    expr = at_sizes(expand(canonical(expr), point.space), sizes)
    expr = at_sizes(expand(expr, point.space), sizes)
    while True:
        ds = [d for d in expr.atoms(sp.Derivative) if not d.atoms(sp.Derivative) - {d}]
        if not ds:
            break
        table = {}
        for d in ds:
            keep = frozenset(v.base for v in d.variables if isinstance(v, sp.Indexed))
            inner = at_sizes(expand(d.expr, point.space, keep), sizes)
            table[d] = sp.diff(functions(inner, point) if surrogates else inner, *d.variables)
            table[d] = table[d] if surrogates else canonical(table[d])
        expr = at_sizes(expand(expr.xreplace(table), point.space), sizes)
    return functions(expr, point) if surrogates else canonical(expr)


def value(expr: sp.Basic, point: Point, alias: dict[sp.Symbol, sp.Symbol] | None = None) -> sp.Expr:
    """expr at the point: a number (exact where it can be); alias: free indices that take another's value."""
    expr = written(expr, point, alias)
    leaves = [e for e in expr.atoms(sp.Indexed)] + [s for s in expr.free_symbols if not isinstance(s, sp.Indexed)]
    labels = {e.base.label for e in expr.atoms(sp.Indexed)}
    out = expr.xreplace({e: point.leaf(e) for e in leaves if e not in labels})
    return sp.sympify(out)


def functions(expr: sp.Basic, point: Point) -> sp.Basic:
    """Each undefined function replaced by its surrogate (h' by the surrogate's derivative)."""
    table = {f.func: point.function(f.func.__name__) for f in expr.atoms(AppliedUndef)}
    return expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func in table,
                                     lambda e: table[e.func](*e.args)) if table else expr


def same(u: sp.Expr, v: sp.Expr) -> bool:
    """Equal numbers: exactly for rationals, else to 40 digits."""
    if u.is_Rational and v.is_Rational:
        return bool(u == v)
    try:
        a, b = sp.N(u, DIGITS), sp.N(v, DIGITS)
        return bool(abs(a - b) <= TOLERANCE * max(1, abs(a), abs(b)))
    except TypeError:
        return False


def ratio(u: sp.Expr, v: sp.Expr) -> sp.Expr | None:
    """u / v as a small rational where it is one, or None."""
    if v == 0 or not v.is_number:
        return None
    r = u / v
    if r.is_Rational:
        return r
    f = sp.N(r, DIGITS)
    guess = sp.nsimplify(f, rational=True, tolerance=1e-20)
    return guess if guess.is_Rational and guess.q < 1000 else None
