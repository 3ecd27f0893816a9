"""The answer as derive read it, in the exercise's notation: plain Unicode, every sum with its limits.

    δ_j^(l) = h_l'(a_j^(l)) Σ_{k=1}^{M_{l+1}} δ_k^(l+1) w_kj^(l+1)
      Σ_k: limits left out, read as k = 1, …, M_{l+1} (the units of layer l+1, no bias unit)

Factors stand in SymPy's order, not the student's. Limits a student left out are printed as filled in, and a note under the equations says
which and why, so that a misreading shows at once. `readback_latex` gives the same as LaTeX
through the sheet's printer (derive.emit.latex.printer).
"""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from derive.check.answer import Answer, Equation, Implicit
from derive.check.conditions import for_all
from derive.check.names import DOTS, GREEK
from derive.core import notation as nt
from derive.emit.latex.printer import SheetPrinter

UNICODE = {name: char for char, name in GREEK.items()} | {
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω", "ldots": "…"}
RELATIONS = {"=": "=", ":=": ":=", "\\coloneqq": ":=", "\\equiv": "≡", "\\approx": "≈", "\\propto": "∝",
             "\\le": "≤", "\\leq": "≤", "\\ge": "≥", "\\geq": "≥", "\\ne": "≠", "\\neq": "≠",
             "\\triangleq": "≜", "\\simeq": "≃", "\\sim": "∼", "<": "<", ">": ">", "\\in": "∈"}
TEX_RELATIONS = {"≈": "\\approx", "∝": "\\propto", "≤": "\\le", "≥": "\\ge", "≠": "\\ne", "∈": "\\in"}


def name_text(name: str) -> str:
    """A name of the notation as text: sigma -> σ, M_lp1 -> M_{l+1}, cal_N -> 𝒩, w_new -> w^new."""
    if name.startswith("cal_"):
        return {"N": "𝒩", "D": "𝒟", "L": "ℒ"}.get(name[4:], "cal " + name[4:])
    stem, _, sub = name.partition("_")
    if sub and stem in ("M", "N", "D", "K", "B", "L"):
        label = nt.layer_latex(sub)
        return f"{stem}_{label}" if len(label) == 1 else f"{stem}_{{{label}}}"
    if sub.isalpha() and len(sub) > 1:
        return f"{name_text(stem)}^{sub}"
    primes = len(name) - len(name.rstrip("'"))
    return UNICODE.get(name.rstrip("'"), name.rstrip("'")) + "'" * primes


def layered(python_name: str) -> str:
    """w__lp1 -> w^(l+1); the layer is a label in brackets, never a power."""
    stem, layer = nt.split_name(python_name)
    return name_text(stem) + ("" if layer is None else f"^({nt.layer_latex(layer)})")


class ReadbackPrinter(StrPrinter):
    """SymPy -> the exercise's notation in Unicode text."""

    printmethod = "_readback"  # never SymPy's own _sympystr of Indexed and friends

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return name_text(expr.name)

    def _print_Dummy(self, expr: sp.Dummy) -> str:
        return "u"

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return layered(str(expr.label))

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        stem, layer = nt.split_name(str(expr.base.label))
        indices = [self._print(v) for v in expr.indices]
        sub = "".join(indices) if all(len(v.rstrip("'")) == 1 for v in indices) else "{" + ",".join(indices) + "}"
        return name_text(stem) + "_" + sub + ("" if layer is None else f"^({nt.layer_latex(layer)})")

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        return "δ_" + "".join(self._print(v) for v in expr.args)

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "e"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return "π"

    def _print_Infinity(self, expr: sp.Basic) -> str:
        return "∞"

    def _print_Tuple(self, expr: sp.Tuple) -> str:
        """1, …, L as written; a bracketed tuple (0, 0, 1, 0) in brackets."""
        inner = ", ".join(self._print(a) for a in expr.args)
        return inner if DOTS in expr.args else f"({inner})"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """cases as {1 if a > 0; 0 otherwise}."""
        rows = [f"{self._print(e)} " + ("otherwise" if c == sp.true else f"if {self._print(c)}") for e, c in expr.args]
        return "{" + "; ".join(rows) + "}"

    def _print_Relational(self, expr: sp.Basic) -> str:
        rel = {">=": "≥", "<=": "≤", "!=": "≠", "==": "="}.get(expr.rel_op, expr.rel_op)  # type: ignore[attr-defined]
        return f"{self._print(expr.lhs)} {rel} {self._print(expr.rhs)}"  # type: ignore[attr-defined]

    def _print_And(self, expr: sp.And) -> str:
        return " and ".join(self._print(a) for a in expr.args)

    def _print_Max(self, expr: sp.Max) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sp.Min) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    # --- sums, products, derivatives ------------------------------------------------------------
    def big(self, sign: str, expr: sp.Sum | sp.Product) -> str:
        signs = "".join(f"{sign}_{{{self._print(v)}={self._print(lo)}}}^{{{self._print(hi)}}} "
                        for v, lo, hi in reversed(expr.limits))
        body = self._print(expr.function)
        return signs + (f"({body})" if isinstance(expr.function, sp.Add) else body)

    def _print_Sum(self, expr: sp.Sum) -> str:
        return self.big("Σ", expr)

    def _print_Product(self, expr: sp.Product) -> str:
        return self.big("Π", expr)

    def prime(self, f: AppliedUndef, order: int, at: sp.Basic) -> str:
        return f"{self.function_name(f)}{chr(39) * order}({self._print(at)})"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        f, variables = expr.expr, expr.variable_count
        if isinstance(f, AppliedUndef) and len(f.args) == 1 and len(variables) == 1 and variables[0][0] == f.args[0]:
            return self.prime(f, int(variables[0][1]), f.args[0])
        order = sum(int(n) for _, n in variables)
        d = "∂" + ("" if order == 1 else self.superscript(order))
        below = " ".join(f"∂{self._print(v)}" + ("" if n == 1 else self.superscript(n)) for v, n in variables)
        if isinstance(f, (sp.Symbol, sp.Indexed, AppliedUndef)):
            return f"{d}{self._print(f)}/{below}"
        return f"{d}/{below} ({self._print(f)})"

    def superscript(self, n: int | sp.Basic) -> str:
        return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))

    def _print_Subs(self, expr: sp.Subs) -> str:
        f, variables, point = expr.args
        if isinstance(f, sp.Derivative) and isinstance(f.expr, AppliedUndef) and len(variables) == 1 \
                and f.expr.args == (variables[0],) and len(f.variable_count) == 1:
            return self.prime(f.expr, int(f.variable_count[0][1]), point[0])
        at = ", ".join(f"{self._print(v)} = {self._print(p)}" for v, p in zip(variables, point))
        return f"[{self._print(f)}]_({at})"

    # --- functions -----------------------------------------------------------------------------------
    def function_name(self, f: AppliedUndef) -> str:
        stem, layer = nt.split_name(f.func.__name__)
        if stem == "h" and layer is not None:
            label = nt.layer_latex(layer)
            return f"h_{label}" if len(label) == 1 else f"h_{{{label}}}"
        return name_text(stem)

    def _print_Function(self, expr: sp.Function) -> str:
        if not isinstance(expr, AppliedUndef):
            return expr.func.__name__ + f"({', '.join(self._print(a) for a in expr.args)})"
        name = expr.func.__name__
        if name in ("Normal", "p") and len(expr.args) == 2:
            given, on = (", ".join(self._print(b) for b in a.args) for a in expr.args)
            return ("𝒩" if name == "Normal" else "p") + f"({given}{' | ' + on if on else ''})"
        if name == "nabla":
            wrt = "".join(self._print(a) for a in expr.args[1:])
            return "∇" + (f"_{wrt} " if wrt else "") + self.parenthesize(expr.args[0], PRECEDENCE["Func"])
        return self.function_name(expr) + f"({', '.join(self._print(a) for a in expr.args)})"

    def _print_log(self, expr: sp.log) -> str:
        return f"log({self._print(expr.args[0])})"

    def _print_exp(self, expr: sp.exp) -> str:
        return f"exp({self._print(expr.args[0])})"

    # --- arithmetic ----------------------------------------------------------------------------------
    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        terms = list(expr.as_ordered_terms())
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        terms = positive + [t for t in terms if t.could_extract_minus_sign()] if positive else terms
        out = ""
        for n, t in enumerate(terms):
            minus = t.could_extract_minus_sign()
            body = self.parenthesize(-t if minus else t, PRECEDENCE["Add"])
            out += ("-" if minus else "") + body if n == 0 else (" - " if minus else " + ") + body
        return out

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, e = expr.args
        if e == sp.Rational(1, 2):
            return f"√({self._print(base)})"
        if e.is_Rational and e < 0:
            return self._print_Mul(sp.Mul(expr, 1, evaluate=False))
        b = self._print(base)
        if precedence(base) <= PRECEDENCE["Pow"] or (isinstance(base, (sp.Indexed, sp.IndexedBase))
                                                     and "^" in b) or isinstance(base, sp.Pow):
            b = f"({b})"
        shown = self._print(e)
        return f"{b}^{shown}" if len(shown) == 1 else f"{b}^{{{shown}}}"

    def factors(self, items: list[sp.Basic]) -> str:
        return " ".join(self.parenthesize(f, PRECEDENCE["Mul"]) for f in items)

    def _print_Mul(self, expr: sp.Mul) -> str:
        coeff, rest = expr.as_coeff_Mul()
        if coeff < 0:
            return "-" + self.parenthesize(-expr, PRECEDENCE["Mul"])
        num: list[sp.Basic] = [] if coeff.is_Rational and coeff.p == 1 else [sp.Integer(coeff.p) if coeff.is_Rational else coeff]
        den: list[sp.Basic] = [sp.Integer(coeff.q)] if coeff.is_Rational and coeff.q != 1 else []
        for f in sp.Mul.make_args(rest):
            if f.is_Pow and f.exp.is_Rational and f.exp < 0:
                den.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp))
            else:
                num.append(f)
        top = self.factors(num) if num else "1"
        if not den:
            return top
        bottom = self.factors(den)
        return (f"({top})" if len(num) > 1 else top) + "/" + (f"({bottom})" if len(den) > 1 else bottom)


def equation_text(eq: Equation, printer: ReadbackPrinter | None = None) -> str:
    p = printer or ReadbackPrinter()
    text = p.doprint(eq.sides[0])
    for rel, side in zip(eq.relations, eq.sides[1:]):
        text += f" {RELATIONS.get(rel, rel)} {p.doprint(side)}"
    for c in eq.conditions:
        text += f",   {'for all ' * for_all(c)}{equation_text(c, p)}"
    return text + (f"   ({eq.tag})" if eq.tag else "")


def implicit_text(i: Implicit, printer: ReadbackPrinter | None = None) -> str:
    p = printer or ReadbackPrinter()
    told = "range given as a set" if i.missing == "set" else f"{i.missing} left out"  # k \in K, j \in layer l
    return (f"{i.sign}_{p.doprint(i.index)}: {told}, read as {p.doprint(i.index)} = "
            f"{p.doprint(i.lower)}, …, {p.doprint(i.upper)} ({i.why})")


def readback(answer: Answer) -> str:
    """One line per equation, then one note per limit derive filled in."""
    p = ReadbackPrinter()
    lines = [equation_text(eq, p) for eq in answer.equations]
    return "\n".join(lines + [f"  {implicit_text(i, p)}" for i in answer.implicit])


class ReadbackLatex(SheetPrinter):
    """The sheet's LaTeX, plus the few objects only an answer holds: …, 𝒩(. | .), p(. | .), ∇."""

    def doprint(self, expr: sp.Basic) -> str:
        return str(super().doprint(sheet_layers(expr)))

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr.name == "ldots":
            return "\\ldots"
        if expr.name.startswith("cal_"):
            return f"\\mathcal{{{expr.name[4:]}}}"
        return super()._print_Symbol(expr, style)

    def _print_Tuple(self, expr: sp.Tuple) -> str:
        return ", ".join(self._print(a) for a in expr.args)

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        stem, _, label = str(expr.label).partition("_")
        if label.isalpha() and len(label) > 1:  # w^{new}
            return f"{super()._print_IndexedBase(sp.IndexedBase(stem))}^{{\\mathrm{{{label}}}}}"
        return super()._print_IndexedBase(expr)

    def _print_Function(self, expr: sp.Function, exp: str | None = None) -> str:
        name = expr.func.__name__
        if isinstance(expr, AppliedUndef) and name in ("Normal", "p") and len(expr.args) == 2:
            given, on = (", ".join(self._print(b) for b in a.args) for a in expr.args)
            bar = " \\mid " + on if on else ""
            tex = ("\\mathcal{N}" if name == "Normal" else "p") + f"\\left({given}{bar}\\right)"
            return tex if exp is None else f"{tex}^{{{exp}}}"
        if isinstance(expr, AppliedUndef) and name == "nabla":
            wrt = "".join(self._print(a) for a in expr.args[1:])
            return "\\nabla" + (f"_{{{wrt}}}" if wrt else "") + " " + self._print(expr.args[0])
        return super()._print_Function(expr, exp)


def sheet_layers(expr: sp.Basic) -> sp.Basic:
    """h__lp1 (the parser's name) -> h__l+1 (the sheet's), which its printer writes h_{l+1}, not h_{lp1}."""
    def renamed(e: sp.Basic) -> bool:
        stem, layer = nt.split_name(e.func.__name__) if isinstance(e, AppliedUndef) else (None, None)
        return stem == "h" and layer is not None and nt.layer_latex(layer) != layer
    return expr.replace(renamed, lambda e: nt.h(nt.layer_latex(str(nt.split_name(e.func.__name__)[1])))(*e.args)) \
        if isinstance(expr, sp.Basic) else expr


def readback_latex(answer: Answer) -> str:
    """The answer as LaTeX in the sheet's notation, one equation per line."""
    p = ReadbackLatex()
    return "\n".join(equation_latex(eq, p) + (f" \\tag{{{eq.tag}}}" if eq.tag else "") for eq in answer.equations)


def equation_latex(eq: Equation, p: ReadbackLatex) -> str:
    parts = [p.doprint(eq.sides[0])]
    for rel, side in zip(eq.relations, eq.sides[1:]):
        parts += [TEX_RELATIONS.get(rel, rel), p.doprint(side)]
    return " ".join(parts + ["\\quad " + "\\text{for all } " * for_all(c) + equation_latex(c, p) for c in eq.conditions])

