"""benchmarks/mutation.md and mutation.json from a mutation run; survivors matched to the explained equivalents."""
from __future__ import annotations

import json
from typing import Any

from mutation_equivalents import EQUIVALENT

MATHS = ("derive/rules/", "derive/exercises/", "derive/backprop/", "derive/core/")
INTRO = ("Mutants: cosmic-ray's core operators (binary/comparison/unary operator swaps, number +-1, True/False, "
         "and/or, not, break/continue, exceptions, decorator removal, zero-iteration for loops), one at a time in "
         "a copy of the tree; type annotations are not mutated. Sample: a deterministic random sample per module "
         "(seed {seed}). Killer: `derive verify --only <id>` for each exercise the module serves, fastest first, "
         "stopping at the first red one; emit/code: {code}. A step past its limit (4 x its baseline, at least "
         "60 s) counts as killed (timeout); a mutant that does not compile or import, as killed (error).\n\n"
         "A survivor is *equivalent* when benchmarks/mutation_equivalents.py explains why no test of the "
         "maths can tell it from the original (matched on module, operator and the exact original and mutated "
         "line, so an explanation never outlives the code it explains); the score leaves equivalents out of "
         "the denominator and the raw score is given beside it.\n\n"
         "`make mutation` (`--sample 2`, about 80 mutants at about 25 s each) takes about half an hour on 2 "
         "cores; the full set (14,000 mutants, days): `.venv/bin/python benchmarks/mutation.py --sample 0 "
         "--jobs 2`; some modules: `--modules derive/rules/deltas.py,derive/core/expand.py`; the survivors of "
         "the last run again: `--again benchmarks/mutation.json`.\n")


def explanation(m: Any) -> str | None:
    """Why a surviving mutant is equivalent, or None when nobody has explained it."""
    return EQUIVALENT.get((m.module, m.operator, m.original, m.mutated))


def outcome(m: Any) -> str:
    """killed | timeout | error | survived | equivalent | no-op (equivalent: a survivor explained)."""
    return "equivalent" if m.outcome == "survived" and explanation(m) else m.outcome


def count(ms: list[Any], what: str) -> int:
    """How many of ms had this outcome."""
    return sum(outcome(m) == what for m in ms)


def score(ms: list[Any], raw: bool = False) -> str:
    """Killed (any way) over the mutants that ran, equivalents left out unless raw, as a percentage."""
    ran = [m for m in ms if outcome(m) != "no-op" and (raw or outcome(m) != "equivalent")]
    return f"{100 * sum(outcome(m) not in ('survived', 'equivalent') for m in ran) / len(ran):.1f}%" if ran else "n/a"


def cell(s: str) -> str:
    """s as code in a Markdown table cell."""
    return "`" + s.replace("|", "\\|").replace("`", "'") + "`"


def report(mods: list[Any], command: str, state: str, red: dict[str, str], code_killer: str, engine: int,
           seed: int, killer: Any) -> str:
    """benchmarks/mutation.md: the command, per-module counts, overall scores, the survivors."""
    n, total = sum(m.outcome != "no-op" for mod in mods for m in mod.mutants), sum(mod.total for mod in mods)
    scope = f"{n} of the {total} mutants of {len(mods)} of the {engine} engine modules"
    small = " (a sample: the scores are estimates, not the engine's)" if n < total or len(mods) < engine else ""
    out = [f"# Mutation testing\n\nCommand: `{command}`\n\nTree: {state}.\n\nScope: {scope}{small}.\n",
           INTRO.format(seed=seed, code=code_killer)]
    if red:
        out.append("Exercises red before mutation (left out of every killer): "
                   + ", ".join(f"`{k}` ({v})" for k, v in red.items()) + ".\n")
    out += [("| module | killer | mutants | sampled | killed | killed (timeout) | killed (error) | equivalent | "
             "survived | score |"), "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for mod in mods:
        ran = [m for m in mod.mutants if m.outcome != "no-op"]
        who = killer(mod.path) if mod.steps else "(none green: not run)"
        out.append(f"| {mod.path} | {who} | {mod.total} | {len(ran)} | {count(ran, 'killed')} | "
                   f"{count(ran, 'timeout')} | {count(ran, 'error')} | {count(ran, 'equivalent')} | "
                   f"{count(ran, 'survived')} | {score(ran)} |")
    maths = [m for mod in mods if mod.path.startswith(MATHS) for m in mod.mutants]
    code = [m for mod in mods if not mod.path.startswith(MATHS) for m in mod.mutants]
    out += ["", (f"Score on the engine's maths (rules, exercises, backprop, core): **{score(maths)}** of the "
                 f"non-equivalent mutants ({score(maths, raw=True)} of all, {count(maths, 'equivalent')} "
                 f"equivalent); on emit/code: {score(code)} ({score(code, raw=True)} of all); target: at least "
                 "98% on the maths.\n"), "## Surviving mutants\n",
            "| where | operator | original | mutated | explanation |", "| --- | --- | --- | --- | --- |"]
    for m in (m for mod in mods for m in mod.mutants if m.outcome == "survived"):
        why = explanation(m)
        out.append(f"| {m.module}:{m.line} #{m.occurrence} | {m.operator} | {cell(m.original)} | "
                   f"{cell(m.mutated)} | {'equivalent: ' + why if why else '**not explained: to kill**'} |")
    return "\n".join(out) + "\n"


def results(mods: list[Any]) -> str:
    """benchmarks/mutation.json: every mutant that ran, with its outcome (for `--again`)."""
    rows = [{"module": m.module, "operator": m.operator, "occurrence": m.occurrence, "line": m.line,
             "original": m.original, "mutated": m.mutated, "outcome": outcome(m), "seconds": round(m.seconds, 1)}
            for mod in mods for m in mod.mutants]
    return json.dumps(rows, indent=1) + "\n"
