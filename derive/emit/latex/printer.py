"""LaTeX for the engine's expressions, in the exercise's notation (Bishop ch. 5).

``SheetPrinter`` is a SymPy ``LatexPrinter`` whose names come from derive.core.notation:
``w__2[j, i]`` prints as w_{ji}^{(2)}, ``delta__l`` as \\delta^{(l)}, the undefined
non-linearity ``h__1`` as h_1 and its derivative as h_1'. What SymPy leaves behind when
it differentiates an undefined function (``Subs(Derivative(h(_xi), _xi), _xi, a)``) is
printed as the reader writes it, h'(a); ``KroneckerDelta`` as delta_{kj}; the
matrices of the vectorised form by their names (``W^(l+1)``, ``W1``: W^{(l+1)}, W^{(1)}).

Prose (rule names, statements) goes through derive.emit.latex.prose instead.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

from derive.core import notation as nt

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "xi",
         "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
         "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega"}
# "W^(l+1)", "W__lp1", "W1", "dW1", "Delta2": an optional d (a gradient), a stem, a layer.
MATRIX_NAME = re.compile(r"^(?P<stem>[A-Za-z]+?)(?:(?P<digits>\d+)|\^\((?P<sup>[^)]*)\)|__(?P<safe>\w+))?$")


def stem_tex(stem: str) -> str:
    """A base name from the notation table, a Greek letter, or the name itself."""
    if stem in nt.TABLE:
        return nt.TABLE[stem].latex
    return f"\\{stem}" if stem in GREEK else stem


def matrix_tex(name: str, transposed: bool = False) -> str:
    """``W__lp1``/``W^(l+1)`` -> W^{(l+1)}, ``W1`` -> W^{(1)}, ``dW1`` -> dE/dW^{(1)}."""
    gradient = name.startswith("d") and len(name) > 1 and (name[1].isupper() or name[1] == "b")
    match = MATRIX_NAME.match(name[1:] if gradient else name)
    if not match:
        return f"\\mathrm{{{name}}}" + ("^{\\top}" if transposed else "")
    safe = match["safe"] and nt.layer_latex(match["safe"])
    layer = match["digits"] or match["sup"] or safe
    marks = ([f"({layer})"] if layer else []) + (["\\top"] if transposed and not gradient else [])
    tex = stem_tex(match["stem"]) + (f"^{{{''.join(marks)}}}" if marks else "")
    if not gradient:
        return tex
    tex = f"\\frac{{\\partial E}}{{\\partial {tex}}}"
    return f"\\left({tex}\\right)^{{\\top}}" if transposed else tex


def function_tex(name: str) -> str:
    """``h__1`` -> h_1 (the non-linearity of layer 1), ``E`` -> E, ``y__2`` -> y^{(2)}."""
    stem, layer = nt.split_name(name)
    if stem == "h" and layer is not None:
        return f"h_{{{layer}}}"
    return nt.latex_name(name) if stem in nt.TABLE else stem_tex(stem)


class SheetPrinter(LatexPrinter):
    """LaTeX in the exercise's notation; see the module docstring."""


    def __init__(self, settings: dict[str, object] | None = None) -> None:
        super().__init__({"mul_symbol": None, "fold_short_frac": False, **(settings or {})})
        self._dummies: dict[sp.Dummy, str] = {}

    # --- names --------------------------------------------------------------------------
    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        stem, layer = nt.split_name(expr.name)
        name, *indices = stem.split("_")
        if indices and all(v.isdigit() for v in indices):  # w_2_1__3 -> w_{21}^{(3)}
            return nt.latex_indexed(name if layer is None else f"{name}__{layer}", indices)
        if layer is not None:
            return nt.latex_name(expr.name)
        stem, _, sub = expr.name.partition("_")
        if sub and nt.layer_latex(sub) != sub:  # M_lp1 -> M_{l+1}
            return f"{stem_tex(stem)}_{{{nt.layer_latex(sub)}}}"
        return super()._print_Symbol(expr, style)

    def _print_Dummy(self, expr: sp.Dummy) -> str:
        return self._dummies.get(expr) or stem_tex(expr.name.strip("_").split("_")[0] or "u")

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return nt.latex_name(str(expr.label))

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        indices = [self._print(v) for v in expr.indices]
        return nt.latex_indexed(str(expr.base.label), [join_indices(indices)])

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        return matrix_tex(expr.name)

    # --- functions and their derivatives ----------------------------------------------------
    def _print_Function(self, expr: sp.Function, exp: str | None = None) -> str:
        if not isinstance(expr, AppliedUndef):
            return super()._print_Function(expr, exp)
        tex = self.applied(function_tex(expr.func.__name__), expr.args)
        return tex if exp is None else f"{tex}^{{{exp}}}"

    def applied(self, name: str, args: tuple[sp.Basic, ...]) -> str:
        return name + paren(", ".join(self._print(a) for a in args))

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        arg = expr.args[0]
        simple = isinstance(arg, (sp.Symbol, sp.Indexed)) or (arg.is_Pow and arg.base.is_Symbol)
        tex = f"\\log {self._print(arg)}" if simple else "\\log" + paren(self._print(arg))
        return tex if exp is None else f"\\left({tex}\\right)^{{{exp}}}"

    def _print_exp(self, expr: sp.exp, exp: str | None = None) -> str:
        """e^{a} for a short exponent; exp(...) when the exponent holds a fraction or a sum."""
        arg = self._print(expr.args[0])
        tex = "\\exp" + paren(arg) if is_tall(arg) else f"e^{{{arg}}}"
        return tex if exp is None else f"\\left({tex}\\right)^{{{exp}}}"

    def _print_Sum(self, expr: sp.Sum) -> str:
        return self.big("\\sum", expr)

    def _print_Product(self, expr: sp.Product) -> str:
        return self.big("\\prod", expr)

    def big(self, sign: str, expr: sp.Sum | sp.Product) -> str:
        """One sign per index, outermost first: sum_n sum_k, never a substack of ranges."""
        signs = "".join(f"{sign}_{{{self._print(v)}={self._print(lo)}}}^{{{self._print(hi)}}} "
                        for v, lo, hi in reversed(expr.limits))
        body = self._print(expr.function)
        return signs + (paren(body) if isinstance(expr.function, sp.Add) else body)

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        """As SymPy orders the terms, but a leading minus moved back: y_k - t_k, not -t_k + y_k."""
        terms = self._as_ordered_terms(expr, order=order)
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        if terms and terms[0].could_extract_minus_sign() and positive:
            terms = positive + [t for t in terms if t.could_extract_minus_sign()]
        return super()._print_Add(sp.Add(*terms, evaluate=False), order="none")

    def prime(self, f: AppliedUndef, order: int, at: tuple[sp.Basic, ...]) -> str:
        """f'(at), f''(at): the derivative of a one-argument function, Lagrange's notation."""
        marks = "'" * order if order <= 3 else f"^{{({order})}}"
        return self.applied(function_tex(f.func.__name__) + marks, at)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        f, variables = expr.expr, expr.variable_count
        if (is_nonlinearity(f) and len(f.args) == 1 and len(variables) == 1
                and variables[0][0] == f.args[0]):
            return self.prime(f, int(variables[0][1]), f.args)  # eq. (9): h_l'(a_j)
        below = " ".join(f"\\partial {self.power_base(v)}^{{{n}}}" if n != 1 else f"\\partial {self._print(v)}"
                         for v, n in variables)
        order = sum(int(n) for _, n in variables)
        d = "\\partial" + (f"^{{{order}}}" if order != 1 else "")
        if isinstance(f, (sp.Symbol, sp.Indexed, AppliedUndef)):
            return f"\\frac{{{d} {self._print(f)}}}{{{below}}}"
        return f"\\frac{{{d}}}{{{below}}} \\left({self._print(f)}\\right)"

    def power_base(self, v: sp.Basic) -> str:
        """v printed to be raised to a power: (sigma^2)^2, not sigma^2^2."""
        tex = self._print(v)
        return f"\\left({tex}\\right)" if "^" in tex or " " in tex else tex

    def _print_Subs(self, expr: sp.Subs) -> str:
        f, variables, point = expr.args
        if isinstance(f, sp.Derivative) and is_nonlinearity(f.expr):
            simple = dict(zip(variables, point))
            (v, n), = f.variable_count if len(f.variable_count) == 1 else ((None, 0),)
            if v is not None and f.expr.args == (v,) and v in simple:
                return self.prime(f.expr, int(n), (simple[v],))  # h'(a), not Subs(...)
        at = ", ".join(f"{self._print(v)} = {self._print(p)}" for v, p in zip(variables, point))
        return f"\\left. {self._print(f)} \\right|_{{{at}}}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: str | None = None) -> str:
        """delta_jk, as the rule names write it; the error delta_j^(l) always has its layer."""
        tex = f"\\delta_{{{join_indices([self._print(v) for v in expr.args])}}}"
        return tex if exp is None else f"{tex}^{{{exp}}}"

    # --- products: numbers, symbols, indexed, brackets, functions, sums last ------------------
    def _needs_mul_brackets(self, expr: sp.Basic, first: bool = False, last: bool = False) -> bool:
        if isinstance(expr, (AppliedUndef, sp.Derivative, sp.Subs)):
            return False
        return super()._needs_mul_brackets(expr, first=first, last=last)

    def _print_Mul(self, expr: sp.Mul) -> str:
        coeff, rest = expr.as_coeff_Mul()
        numer, denom = sp.fraction(expr)
        if expr.is_commutative and denom != coeff.q and numer.has(sp.Derivative):
            # 1/(2 sigma^2) dE/dw, not a fraction inside a fraction
            return f"\\frac{{1}}{{{self._print(denom)}}} " + self.product([numer], after_first=True)
        if not expr.is_commutative or not coeff.is_Rational or denom != coeff.q:
            return super()._print_Mul(expr)  # a symbolic denominator: SymPy's \frac{..}{..}
        if coeff < 0:
            return "- " + self._print(-expr)
        factors = sorted(sp.Mul.make_args(rest), key=lambda f: (factor_rank(f), sp.default_sort_key(f)))
        if coeff.is_Integer:
            return self.product(([coeff] if coeff != 1 else []) + factors)
        # 1/2 N D log(2 pi sigma^2) reads \frac{N D}{2} \log(...): the simple factors go on top.
        top = [f for f in factors if factor_rank(f) <= 1]
        tail = [f for f in factors if factor_rank(f) > 1]
        frac = f"\\frac{{{self.product([coeff.p] + top if coeff.p != 1 or not top else top)}}}{{{coeff.q}}}"
        return frac + (" " + self.product(tail, after_first=True) if tail else "")

    def product(self, factors: list[sp.Basic], after_first: bool = False) -> str:
        """Factors side by side, each bracketed where a product needs it."""
        parts: list[str] = []
        for n, f in enumerate(factors):
            tex = self._print(sp.sympify(f))
            if self._needs_mul_brackets(sp.sympify(f), first=not (parts or after_first),
                                        last=n == len(factors) - 1):
                tex = f"\\left({tex}\\right)"
            parts.append(tex)
        return " ".join(parts)

    # --- matrices (the vectorised form, exercise d) ---------------------------------------------
    def _print_Transpose(self, expr: sp.Transpose) -> str:
        if isinstance(expr.arg, sp.MatrixSymbol):
            return matrix_tex(expr.arg.name, transposed=True)
        return f"\\left({self._print(expr.arg)}\\right)^{{\\top}}"

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        """Longest products first, like the degrees of a polynomial: W A x + W c + b."""
        def size(term: sp.Basic) -> tuple[int, bool]:
            factors = [f for f in term.args if not f.is_number] if isinstance(term, sp.MatMul) else [term]
            return -len(factors), term.could_extract_minus_sign()
        terms = sorted(expr.args, key=size)  # stable: SymPy's order among equals
        return super()._print_Add(sp.MatAdd(*terms, evaluate=False), order="none")

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return " \\odot ".join(self.parenthesize(a, 60) for a in expr.args)

    def _print_ElementwiseApplyFunction(self, expr: sp.Basic) -> str:
        """h(A) applied entry by entry: the Lambda's body printed with A in place of its variable."""
        lam, arg = expr.function, expr.expr
        (u,), body = lam.variables, lam.expr
        if isinstance(body, AppliedUndef) and body.args == (u,):
            return self.applied(function_tex(body.func.__name__), (arg,))
        self._dummies[u] = self._print(arg)
        try:
            return f"\\left[{self._print(body)}\\right]_{{\\odot}}"
        finally:
            del self._dummies[u]

    def _print_Softmax(self, expr: sp.Basic) -> str:
        return f"\\operatorname{{softmax}}\\left({self._print(expr.args[0])}\\right)"

    def _print_OneMatrix(self, expr: sp.Basic) -> str:
        return "\\mathbf{1}"

    def _print_ZeroMatrix(self, expr: sp.Basic) -> str:
        return "\\mathbf{0}"

    def _print_Identity(self, expr: sp.Basic) -> str:
        return "I"


def join_indices(indices: list[str]) -> str:
    """ji, mi' (one letter each, primes allowed) side by side; anything longer with commas."""
    return ("" if all(len(v.rstrip("'")) == 1 for v in indices) else ",").join(indices)


def is_tall(tex: str) -> bool:
    """Does this LaTeX hold something taller than a line (a sum, a fraction, a matrix)?"""
    return any(c in tex for c in ("\\sum", "\\prod", "\\frac", "\\int", "\\begin", "\\left"))


def paren(tex: str) -> str:
    """(tex), with \\left( \\right) only where the content is tall."""
    return f"\\left({tex}\\right)" if is_tall(tex) else f"({tex})"


def is_nonlinearity(f: sp.Basic) -> bool:
    """An applied undefined h_l: its derivative is written h_l'(a), Lagrange's way."""
    return isinstance(f, AppliedUndef) and nt.split_name(f.func.__name__)[0] == "h"


def factor_rank(f: sp.Basic) -> int:
    """Bishop's order of factors: sigma, w_kj, delta_k, then (y - t), then h'(a), then sums."""
    base = f.base if isinstance(f, sp.Pow) else f
    if isinstance(base, (sp.Symbol, sp.Number, sp.NumberSymbol)):
        return 0
    if isinstance(base, (sp.Indexed, sp.IndexedBase, sp.KroneckerDelta)):
        return 1
    if isinstance(base, sp.Add):
        return 2
    if isinstance(base, (sp.Sum, sp.Product)):
        return 4
    return 3


def latex(expr: sp.Basic) -> str:
    """LaTeX for one expression of the engine."""
    return SheetPrinter().doprint(expr)
