"""No result of an exercise is typed into the prose around it, where it could drift from the engine's.

The prose is every string literal of the exercise modules below that is not a docstring
(titles, statements, conventions, derivation titles, notes, rule names: what the sheet
prints; docstrings and comments are notes for the reader of the code), and the templates.
PATTERNS lists, explicitly, the typed forms of the results these exercises derive, each
with the result it is. A pattern may not occur in that prose: where the sheet needs the
formula in a sentence it is printed from the engine's expression (an f-string over
sp.latex of the derived value, e.g. h's factor, f's optimum, e's weight of E), or from a
stored claim that a check verifies (h's count C(N-1, B-1), COUNT), so no typed copy
exists; elsewhere the prose names the result and the boxed line shows it. The last test
checks, for f and h, that what is printed is the engine's result.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy as sp

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["a_b_closed_form", "c_recursion", "d_linear_collapse", "e_gaussian_likelihood",
           "f_noise_variance", "g_cross_entropy", "h_minibatch", "i_softmax_delta",
           "k_regression_delta", "output_layer", "toy_network"]
PATTERNS = {  # typed form -> the result it would type
    "E/(ND)": "f: the optimal noise variance",
    "E/(DN)": "f: the optimal noise variance",
    "\\frac{E}{ND}": "f: the optimal noise variance",
    "B/N": "h: the factor of the expected minibatch gradient (sum convention)",
    "\\frac{B}{N}": "h: the same factor",
    "y_j - t_j": "i and k: the output deltas (softmax with cross-entropy, the regression losses)",
    "\\log 2\\pi": "e: the constant term of the Gaussian negative log-likelihood (also f, k)",
    "\\frac{ND}{2}": "e: the factor of that constant term",
    "1/(2\\sigma^2)": "e, f: the weight of E(w) in the loss, the factor of its gradient",
    "\\frac{1}{2\\sigma^2}": "e, f: the same weight",
}


def prose(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal that is not a docstring."""
    tree = ast.parse(path.read_text())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def sources() -> list[Path]:
    return [ROOT / "derive" / "exercises" / f"{m}.py" for m in MODULES] + sorted((ROOT / "templates").glob("*.j2"))


@pytest.mark.parametrize("path", sources(), ids=lambda p: p.name)
def test_no_result_typed_in_prose(path: Path) -> None:
    texts = prose(path) if path.suffix == ".py" else list(enumerate(path.read_text().splitlines(), start=1))
    typed = [f"{path.name}:{line}: {pattern!r} ({PATTERNS[pattern]}) in {text!r}"
             for line, text in texts for pattern in PATTERNS if pattern in text]
    assert not typed, "\n".join(typed)


def test_the_scan_sees_a_typed_result(tmp_path: Path) -> None:
    """The scan is not blind: a typed optimum in a title is found, the same in a docstring is not."""
    module = tmp_path / "m.py"
    module.write_text('"""Shows E/(ND)."""\nTITLE = "the optimum is $E/(ND)$"\n')
    assert [text for _, text in prose(module) if "E/(ND)" in text] == ["the optimum is $E/(ND)$"]


def test_printed_formulas_are_the_engine_results() -> None:
    from derive.exercises import Config
    from derive.exercises import f_noise_variance as f_ex
    from derive.exercises import h_minibatch as h_ex
    h = h_ex.exercise_h(Config())
    factor = h_ex.factor_of(h.derivations[0])
    assert factor == h_ex.B / h_ex.N and f"${h_ex.slash(factor)}$" in h.title and "B/N" in h.title
    f = f_ex.exercise_f(Config())
    value = f_ex.stationary_point(f.derivations[1].result)
    assert f"\\sigma^2 = {sp.latex(value)}$" in f.statement and sp.latex(value) in f.conventions[0]
