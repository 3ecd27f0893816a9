"""Mutation testing of the engine: cosmic-ray's operators, `derive verify --only <ids>` as the killer."""
from __future__ import annotations

import argparse
import ast
import difflib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from queue import Queue

from mutation_report import report, results

ROOT = Path(__file__).resolve().parents[1]
SEED, ALL = 2456, "all"  # ALL: every registered exercise
ENGINE = ["derive/rules/*.py", "derive/exercises/*.py", "derive/backprop/*.py", "derive/core/verify.py",
          "derive/core/checks.py", "derive/core/points.py", "derive/core/expand.py", "derive/core/worlds.py",
          "derive/core/network.py", "derive/core/activations.py", "derive/core/branches.py", "derive/core/zform.py",
          "derive/core/losses.py", "derive/emit/code/*.py"]
# Module under derive/ (or folder) -> the exercises it serves; the first match wins. "all": every registered id.
KILLERS: list[tuple[str, str]] = [
    ("exercises/a_b_closed_form.py", "a,b,c"), ("exercises/c_recursion.py", "c"),
    ("exercises/d_linear_collapse.py", "d"), ("exercises/e_gaussian_likelihood.py", "e,f"),
    ("exercises/f_noise_variance.py", "f"),
    ("exercises/g_cross_entropy.py", "g"), ("exercises/h_minibatch.py", "h"), ("exercises/i_softmax_delta.py", "i"),
    ("exercises/j_hidden_delta.py", "j,l"), ("exercises/k_regression_delta.py", "k"),
    ("exercises/l_dataset_gradient.py", "l"), ("exercises/vectorised_form.py", "vectorised"),
    ("exercises/output_layer.py", "i,k"), ("exercises/toy_network.py", "e,f,h"),
    ("exercises/activation_derivative.py", "activation"), ("exercises/output_deltas.py", "losses"), ("exercises/", ALL),
    ("rules/losses.py", "losses"), ("core/branches.py", "activation,j,vectorised"), ("core/zform.py", "activation,code"),
    ("core/losses.py", "losses,k,code"), ("backprop/formulas.py", "activation,j,vectorised"),
    ("rules/deltas.py", "i,j,k,l"), ("rules/likelihood.py", "e,f,g,h"), ("rules/network.py", "a,b,c,e,f,h"),
    ("rules/", ALL), ("backprop/", "j,k,l,vectorised"), ("core/", ALL), ("emit/code/", "code")]
CODE_TESTS = ["tests/test_code.py", "tests/test_code_numeric.py"]  # the killer of emit/code without exercise "code"
VERIFY, TESTS = ["-m", "derive", "verify", "--only"], ["-m", "pytest", "-q", "-x", *CODE_TESTS]
IGNORE = shutil.ignore_patterns(".*", "build", "*.egg-info", "output", "__pycache__")


@dataclass
class Mutant:
    """One mutation: a cosmic-ray operator applied at one occurrence in one module."""

    module: str
    operator: str
    occurrence: int
    line: int
    original: str = ""
    mutated: str = ""
    outcome: str = ""  # killed | timeout | error | survived | no-op
    seconds: float = 0.0


@dataclass
class Module:
    """A module's mutants and the exercise ids (or the test files) that should kill them."""

    path: str
    steps: list[list[str]]
    total: int = 0
    mutants: list[Mutant] = field(default_factory=list)


def engine_modules(root: Path, patterns: list[str]) -> list[str]:
    """The engine's module paths (relative to root, sorted) matched by the glob patterns."""
    return sorted({p.relative_to(root).as_posix() for pat in patterns for p in root.glob(pat) if p.is_file()})


def killer_ids(module: str) -> str:
    """The comma-separated exercise ids (or "all") that serve a module."""
    name = module.removeprefix("derive/")
    return next(ids for key, ids in KILLERS if name == key or key.endswith("/") and name.startswith(key))


def run(cmd: list[str], tree: Path, timeout: float) -> tuple[int | None, str]:
    """Run python with cmd in tree (the copy on PYTHONPATH); (exit code or None on timeout, output)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    proc = subprocess.Popen([sys.executable, *cmd], cwd=tree, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        return None, proc.communicate()[0]


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations are (lazy under `from __future__ import annotations`, so never mutated)."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        notes = [getattr(node, "annotation", None), getattr(node, "returns", None)]
        spans += [((a.lineno, a.col_offset), (a.end_lineno or a.lineno, a.end_col_offset or 0)) for a in notes if a]
    return spans


def enumerate_mutants(module: str, source: str) -> list[Mutant]:
    """Every (operator, occurrence) cosmic-ray's core operators offer in source, annotations left out."""
    import cosmic_ray.plugins
    from cosmic_ray.ast import ast_nodes, get_ast
    spans, nodes = annotation_spans(source), list(ast_nodes(get_ast(source)))
    found = []
    for name in cosmic_ray.plugins.operator_names():
        cls = cosmic_ray.plugins.get_operator(name)
        if cls.arguments() or name.endswith("/NoOp"):
            continue
        op = cls()
        positions = [s for node in nodes for s, _ in op.mutation_positions(node)]
        for occurrence, start in enumerate(positions):
            if not any(a <= start < b for a, b in spans):
                found.append(Mutant(module, name.split("/", 1)[1], occurrence, start[0]))
    return found


def mutate(source: str, m: Mutant) -> str | None:
    """The mutated source (None if the operator made no change); fills m.original and m.mutated."""
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_code
    code = mutate_code(source, cosmic_ray.plugins.get_operator("core/" + m.operator)(), m.occurrence)
    if code is None or code == source:
        return None
    old, new = source.splitlines(), code.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            m.line = i1 + 1
            m.original = " ".join(s.strip() for s in old[i1:i2]) or "(nothing)"
            m.mutated = " ".join(s.strip() for s in new[j1:j2]) or "(removed)"
            break
    return code


def test_mutant(m: Mutant, steps: list[list[str]], timeouts: list[float], trees: Queue[Path]) -> Mutant:
    """Apply m in a free copy, run the steps until one fails, restore the copy."""
    tree = trees.get()
    path = tree / m.module
    source = path.read_text()
    start = time.perf_counter()
    try:
        code = mutate(source, m)
        if code is None:
            m.outcome = "no-op"
            return m
        try:
            compile(code, m.module, "exec")
        except SyntaxError:
            m.outcome = "error"
            return m
        path.write_text(code)
        m.outcome = "survived"
        for step, limit in zip(steps, timeouts):
            rc, out = run(step, tree, limit)
            if rc is None:
                m.outcome = "timeout"
            elif rc != 0:
                summary = re.search(r"exercises in [\d.]+ s|passed|failed", out)
                name = m.module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                broken = not summary and run(["-c", f"import {name}"], tree, 120)[0] != 0
                m.outcome = "error" if broken else "killed"
            if m.outcome != "survived":
                break
    finally:
        path.write_text(source)
        m.seconds = time.perf_counter() - start
        trees.put(tree)
    return m


def survivors(mutants: list[Mutant], source: str, again: str) -> list[Mutant]:
    """The mutants whose (module, operator, original, mutated) text survived in the run recorded in `again`."""
    import json
    old = {(r["module"], r["operator"], r["original"], r["mutated"]) for r in json.loads(Path(again).read_text())
           if r["outcome"] in ("survived", "equivalent")}
    chosen = [m for m in mutants if m.module in {k[0] for k in old}]
    return [m for m in chosen if mutate(source, m) and (m.module, m.operator, m.original, m.mutated) in old]


def tree_state() -> str:
    """'working tree of <short rev>' plus whether it had uncommitted changes."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    rev = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"working tree of {rev}" + (" plus uncommitted changes" if git("status", "--porcelain") else "")


def main(argv: list[str] | None = None) -> int:
    """Parse the options, snapshot the tree, run the baseline, then every sampled mutant; write the report."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sample", type=int, default=2, help="mutants per module, 0 for all (default 2)")
    ap.add_argument("--modules", help="comma-separated module paths (default: the whole engine)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel workers, one tree copy each (default 1)")
    ap.add_argument("--out", default="benchmarks/mutation.md", help="report path (default benchmarks/mutation.md)")
    ap.add_argument("--again", help="a mutation.json: run only its survivors (matched by their text) again")
    args = ap.parse_args(argv)
    command, state = "python benchmarks/mutation.py " + " ".join(sys.argv[1:] if argv is None else argv), tree_state()
    work = Path(tempfile.mkdtemp(prefix="derive-mutation-"))
    try:
        trees: Queue[Path] = Queue()
        base = work / "tree0"
        shutil.copytree(ROOT, base, ignore=IGNORE)  # the snapshot; the other workers copy it, not ROOT
        for k in range(max(1, args.jobs)):
            trees.put(base if k == 0 else Path(shutil.copytree(base, work / f"tree{k}")))
        engine = engine_modules(base, ENGINE)
        paths = args.modules.split(",") if args.modules else engine
        listing = run([*VERIFY, "__none__"], base, 300)[1]
        registry = re.search(r"choose from: (.*)", listing)
        if not registry:
            sys.exit(f"cannot list the exercises: {listing}")
        ids = [s.strip() for s in registry.group(1).split(",")]
        code_killer = "exercise `code`" if "code" in ids else "the fast tests " + ", ".join(CODE_TESTS)
        step = {i: [*VERIFY, i] for i in ids} | {"tests": TESTS}

        def chosen(p: str) -> list[str]:
            """The ids whose steps kill p's mutants ("tests": the code tests)."""
            k = killer_ids(p)
            return ids if k == ALL else ["tests"] if k == "code" and "code" not in ids else k.split(",")
        seconds, red = {}, {}
        for ex_id in [i for i in [*ids, "tests"] if any(i in chosen(p) for p in paths)]:  # the baseline
            start = time.perf_counter()
            rc, _ = run(step[ex_id], base, 1800)
            seconds[ex_id] = time.perf_counter() - start
            if rc != 0:
                red[ex_id] = "timed out" if rc is None else f"exit {rc}"
            print(f"baseline {ex_id}: {'green' if rc == 0 else 'RED'} {seconds[ex_id]:.1f} s", flush=True)
        mods = []
        for p in paths:
            green = sorted((i for i in chosen(p) if i not in red), key=seconds.__getitem__)
            mutants = enumerate_mutants(p, (base / p).read_text())
            mod = Module(p, [step[i] for i in green], len(mutants))
            if args.again:
                mutants = survivors(mutants, (base / p).read_text(), args.again)
            elif args.sample and len(mutants) > args.sample:
                mutants = sorted(random.Random(f"{SEED}:{p}").sample(mutants, args.sample),
                                 key=lambda m: (m.line, m.operator, m.occurrence))
            mod.mutants = mutants if mod.steps else []
            timeouts = [max(60.0, 4 * seconds[i]) for i in green]
            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                for m in pool.map(partial(test_mutant, steps=mod.steps, timeouts=timeouts, trees=trees), mod.mutants):
                    print(f"{m.module}:{m.line} {m.operator} #{m.occurrence}: {m.outcome} ({m.seconds:.1f} s)",
                          flush=True)
            mods.append(mod)
        Path(ROOT / args.out).write_text(report(mods, command, state, red, code_killer, len(engine), SEED, killer_ids))
        Path(ROOT / args.out).with_suffix(".json").write_text(results(mods))
        done = [m for mod in mods for m in mod.mutants if m.outcome != "no-op"]
        took = sum(m.seconds for m in done)
        print(f"{len(done)} mutants, {sum(m.outcome != 'survived' for m in done)} killed, "
              f"{took:.0f} s ({took / max(1, len(done)):.1f} s per mutant); wrote {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
