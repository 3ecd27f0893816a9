"""derive check reads back the sheet's own boxed results as correct, every mutant as its mistake, any spelling alike."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy.core.function import AppliedUndef

from derive.check import mistakes as mk
from derive.check.answer import ParseError
from derive.check.judge import Checker, Verdict
from derive.check.numeric import canonical
from derive.check.parse import parse
from derive.check.reference import Target
from derive.check.targets import BUILDERS
from derive.emit.latex.printer import latex

try:  # the reference of an exercise, wherever the version at hand builds it
    from derive.check.targets import target_reference as reference
except ImportError:
    from derive.check.reference import reference  # type: ignore[attr-defined,no-redef]

EXERCISES = sorted(BUILDERS)


@cache
def checker(exercise: str) -> Checker:
    return Checker(exercise)


def sheet_form(expr: sp.Basic) -> sp.Basic:
    """The inverse of numeric.canonical: h_prime(u) -> Derivative(h(u), u), as the sheet writes h'(u)."""
    def back(f: sp.Basic) -> sp.Basic:
        u = f.args[0]
        return sp.Derivative(sp.Function(f.func.__name__.removesuffix("_prime"))(u), u)
    return expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func.__name__.endswith("_prime"), back)


def boxed(exercise: str, replaced: dict[str, sp.Basic] | None = None) -> str:
    """Every result the exercise asks for, `lhs = rhs` by the sheet's printer, one per line (the right
    side alone where the notation has no left side for it: h's factor)."""
    def line(t: Target) -> str:
        rhs = latex((replaced or {}).get(t.key, t.rhs))
        return rhs if t.bare else f"{latex(t.lhs)} = {rhs}"
    return r" \\ ".join(line(t) for t in reference(exercise).targets)


def mutants(t: object) -> list[mk.Mutant]:
    """The mutants the judge makes of a target: every rule, and the target's own (Target.mistakes) where it has some."""
    return mk.mutants(canonical(t.rhs), getattr(t, "mistakes", ()))  # type: ignore[attr-defined]


def mutant_cases() -> list[tuple[str, str, str]]:
    return [(e, t.key, m.id) for e in EXERCISES for t in reference(e).targets for m in mutants(t)]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_boxed_results_are_correct(exercise: str) -> None:
    v = checker(exercise).check(boxed(exercise))
    assert (v.verdict, v.mistakes) == ("correct", ()), v


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_mutant_of_the_boxed_results_is_its_mistake(exercise: str) -> None:
    for t in reference(exercise).targets:
        for m in mutants(t):
            answer = boxed(exercise, {t.key: sheet_form(m.expr)})
            v = checker(exercise).check(answer)
            assert v.verdict == "wrong" and m.id in v.mistakes, (m.id, answer, v)


def test_there_are_mutants_of_every_exercise() -> None:
    assert {e for e, _, _ in mutant_cases()} == set(EXERCISES)


def stated(text: str) -> set[tuple[sp.Basic, ...]]:
    """The equations of the sheet's own words ($...$ pieces), as derive's parser reads them."""
    out = set()
    for piece in re.findall(r"\$([^$]+)\$", text):
        try:
            out |= {eq.sides for eq in parse(piece).equations}
        except ParseError:
            pass
    return out


@pytest.fixture(scope="module")
def sheet() -> dict[str, object]:
    from derive.emit.latex.sheet_model import sections
    from derive.exercises import run
    exercises = run(only=EXERCISES)
    return {ex.id: section for ex, section in zip(exercises, sections(exercises, str))}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_references_print_as_the_sheet_writes_them(exercise: str, sheet: dict[str, Any]) -> None:
    """Each target is on the sheet (built here), printed by the same printer: a boxed right side, `lhs = rhs`
    inside a boxed line (f: the point the derivative vanishes at), a part of a derivation's line (e: E(w),
    named in the box), the expression boxed where the target is its factor (h: the factor of grad E(w)),
    or one of the equations the sheet states (c: the recursion (4)-(7) that its derivations unroll)."""
    from derive.rules.likelihood import Named
    section = sheet[exercise]
    boxes = [b.result for b in section.blocks]
    rights = {b.split(" = ", 1)[1] for b in boxes}
    for t in reference(exercise).targets:
        rhs = latex(t.rhs)
        if t.boxed is not None:
            assert latex(t.boxed) in rights and isinstance(t.boxed / t.rhs, Named), (t.boxed, rights)
        else:
            assert rhs in rights or any(f"{latex(t.lhs)} = {rhs}" in b for b in boxes) \
                or any(rhs in x for x in section.fragments) \
                or (t.lhs, t.rhs) in stated(" ".join(section.conventions)), (exercise, t.key, rights)


def test_a_target_that_is_not_on_the_sheet_is_found_out(sheet: dict[str, Any]) -> None:
    """The check above can fail: a reference the sheet never writes is not found in it."""
    section, t = sheet["c"], reference("c").targets[2]
    assert (t.lhs, t.rhs + 1) not in stated(" ".join(section.conventions))
    assert (t.lhs, t.rhs) in stated(" ".join(section.conventions))
    assert latex(reference("h").targets[0].rhs) not in {b.result.split(" = ", 1)[1] for b in sheet["h"].blocks}


# --- spellings: the same answer written another way -------------------------------------------------
@dataclass(frozen=True)
class Node:
    """An answer's shape: an atom (its text may name the bound index {b}), a product, a sum over {b}, terms."""

    kind: str  # atom | prod | sum | terms | paren
    text: str = ""
    parts: tuple[Node, ...] = ()
    signs: tuple[str, ...] = ()


def atom(text: str) -> Node:
    return Node("atom", text)


def prod(*parts: Node) -> Node:
    return Node("prod", parts=parts)


def terms(*signed: tuple[str, Node]) -> Node:
    return Node("terms", signs=tuple(s for s, _ in signed), parts=tuple(n for _, n in signed))


def paren(node: Node) -> Node:
    return Node("paren", parts=(node,))


def over(upper: str, body: Node) -> Node:
    return Node("sum", upper, (body,))


SPACES = st.sampled_from(["", " ", "  ", r"\,", r"\;", r"\:", "~", r"\!", r"\ "])
BOUND = ["k", "m", "p", "q", "r"]
BRACKETS = [("(", ")"), (r"\left(", r"\right)"), (r"\left[", r"\right]"), (r"\bigl(", r"\bigr)"), (r"\Bigl(", r"\Bigr)")]


def render(node: Node, draw: st.DataObject | None, b: str = "b") -> str:
    """The node in LaTeX: the plain spelling without `draw`, a drawn one (order, index, brackets, spaces) with."""
    def pick(strategy: st.SearchStrategy, plain):  # type: ignore[no-untyped-def]
        return plain if draw is None else draw.draw(strategy)
    space = pick(SPACES, "")
    if node.kind == "atom":
        return space + node.text.replace("{b}", b) + pick(SPACES, "")
    if node.kind == "paren":
        left, right = pick(st.sampled_from(BRACKETS), BRACKETS[0])
        return f"{left}{render(node.parts[0], draw, b)}{right}"
    order = list(range(len(node.parts)))
    order = pick(st.permutations(order), order) if node.kind in ("prod", "terms") else order
    if node.kind == "prod":
        glue = pick(st.sampled_from([" ", r" \cdot ", r"\,", " \\; "]), " ")
        return glue.join(render(node.parts[n], draw, b) for n in order)
    if node.kind == "sum":
        name = pick(st.sampled_from(BOUND), "k")
        limits = pick(st.sampled_from([f"_{{{name}}}", f"_{{{name}=1}}^{{{node.text}}}", f"_{name}"]), f"_{{{name}}}")
        body = render(node.parts[0], draw, name)
        body = f"\\left({body}\\right)" if pick(st.booleans(), False) else body
        return rf"\sum{limits}{space} {body}"
    out = ""
    for position, n in enumerate(order):
        sign = node.signs[n]
        out += (("- " if sign == "-" else "") if position == 0 else f" {sign} ") + render(node.parts[n], draw, b)
    return out


D9, DW, DL = r"\delta_j^{(l)}", r"\frac{\partial E}{\partial w_{ji}^{(l)}}", r"\delta_j^{(L)}"
J_SUM = over("M_{l+1}", prod(atom(r"w_{{b}j}^{(l+1)}"), atom(r"\delta_{b}^{(l+1)}")))
J_EQ8 = (DW, prod(atom(r"\delta_j^{(l)}"), atom(r"z_i^{(l-1)}")))
K_DIFF = paren(terms(("+", atom("y_j")), ("-", atom("t_j"))))
SPELLINGS = {  # exercise -> (equations as (lhs, shape), expected verdict, expected mistakes)
    "i right": ("i", [(DL, terms(("+", atom("y_j")), ("-", atom("t_j"))))], "correct", ()),
    "i sign": ("i", [(DL, terms(("+", atom("t_j")), ("-", atom("y_j"))))], "wrong", ("sign",)),
    "j right": ("j", [(D9, prod(atom(r"h_l'(a_j^{(l)})"), J_SUM)), J_EQ8], "correct", ()),
    "j activation": ("j", [(D9, prod(atom(r"h_l(a_j^{(l)})"), J_SUM)), J_EQ8], "wrong", ("activation-not-derivative",)),
    "k right": ("k", [(DL, prod(atom("2"), K_DIFF, atom(r"h_L'(a_j^{(L)})")))], "correct", ()),
    "k missing": ("k", [(DL, prod(atom("2"), K_DIFF))], "wrong", ("missing-derivative",)),
    "l right": ("l", [(DW, over("N", prod(atom(r"\delta_{{b}j}^{(l)}"), atom(r"z_{{b}i}^{(l-1)}"))))], "correct", ()),
    "l swapped": ("l", [(DW, over("N", prod(atom(r"\delta_{{b}i}^{(l)}"), atom(r"z_{{b}j}^{(l-1)}"))))], "wrong",
                  ("swapped-indices",)),
}


def spelled(name: str, draw: st.DataObject | None) -> str:
    _, equations, _, _ = SPELLINGS[name]
    return r" \\ ".join(f"{lhs} = {render(shape, draw)}" for lhs, shape in equations)


def seen(v: Verdict) -> tuple[str, str | None, tuple[str, ...]]:
    return v.verdict, v.convention, v.mistakes


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_the_plain_spelling_has_its_verdict(name: str) -> None:
    exercise, _, verdict, mistakes = SPELLINGS[name]
    if exercise not in BUILDERS:
        pytest.skip(f"derive check does not know exercise {exercise}")
    assert seen(checker(exercise).check(spelled(name, None))) == (verdict, None, mistakes)


@pytest.mark.parametrize("name", sorted(SPELLINGS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_respelling_never_changes_the_verdict(name: str, data: st.DataObject) -> None:
    exercise = SPELLINGS[name][0]
    if exercise not in BUILDERS:
        pytest.skip(f"derive check does not know exercise {exercise}")
    answer = spelled(name, data)
    plain = checker(exercise).check(spelled(name, None))
    assert seen(checker(exercise).check(answer)) == seen(plain), answer
