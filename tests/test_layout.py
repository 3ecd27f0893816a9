"""The package's layout: small modules with a docstring, no import cycles, the layer contracts."""
from __future__ import annotations

import ast
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "derive"
LIMIT = 300  # lines per module (STYLE.md: "aim for modules under ~300 lines")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_is_small_and_says_what_it_holds(path: Path) -> None:
    text = path.read_text()
    assert len(text.splitlines()) <= LIMIT, f"{path.name}: {len(text.splitlines())} lines"
    if path.name == "__init__.py" and not text.strip():
        return  # an empty package marker
    doc = ast.get_docstring(ast.parse(text))
    assert doc and doc.splitlines()[0].strip(), f"{path.name} has no one-line docstring"


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (at any place in the file), from the AST."""
    names = {".".join(("derive",) + p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__"): p
             for p in modules()}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("derive"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in names else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("derive")}
        graph[name] = {m for m in found if m in names and m != name}
    return graph


def test_no_import_cycles_anywhere() -> None:
    """Tarjan's strongly connected components of the module graph: every one is a single module.
    A package's __init__ importing its own children is not a cycle unless a child imports it back."""
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_cycle_finder_sees_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a graph with a -> b -> a is reported."""
    monkeypatch.setattr(sys.modules[__name__], "import_graph",
                        lambda: {"a": {"b"}, "b": {"a"}, "c": set()})
    with pytest.raises(AssertionError):
        test_no_import_cycles_anywhere()


def test_each_exercise_has_a_module_named_after_it() -> None:
    """A reader looking for exercise i opens exercises/ and finds i_... by name."""
    from derive.exercises import REGISTRY

    def letters(stem: str) -> set[str]:  # a_b_closed_form -> {a, b}
        parts = stem.split("_")
        return set(itertools.takewhile(lambda p: len(p) == 1, parts))
    named = set().union(*(letters(p.stem) for p in (PACKAGE / "exercises").glob("*.py")))
    assert {e for e in REGISTRY if len(e) == 1} <= named
    assert (PACKAGE / "exercises" / "vectorised_form.py").exists()


@pytest.mark.skipif(shutil.which("lint-imports") is None and not (Path(sys.executable).parent / "lint-imports").exists(),
                    reason="import-linter is not installed")
def test_layer_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([exe], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
