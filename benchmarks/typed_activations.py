"""Typed activations through verify, code and check, timed: writes benchmarks/typed_activations.md.

    python benchmarks/typed_activations.py

Each row is one `derive` command run in a fresh process (so its seconds include start-up),
its exit status and the line of its output that says what happened.
"""
from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
DERIVE = [sys.executable, "-m", "derive"]
J = (r"\delta_j^{(l)} = HP \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)} \\ "
     r"\frac{\partial E}{\partial w_{ji}^{(l)}} = \delta_j^{(l)} z_i^{(l-1)}")
ELU_PRIME = r"\begin{cases} 1 & a_j^{(l)} > 0 \\ e^{a_j^{(l)}} & \text{otherwise} \end{cases}"


def commands(tmp: str) -> list[list[str]]:
    return [
        ["verify", "--activation", "swish=a*sigmoid(a)", "--only", "activation,d,j,vectorised,code"],
        ["verify", "--widths", "3,5,5,2", "--activation",
         "elu=Piecewise((a, a > 0), (exp(a) - 1, True)),lrelu=max(a, 0.01*a)", "--only", "activation,j,vectorised"],
        ["verify", "--activation", "elu3=max(a,0)+min(0,exp(a)-1)", "--only", "activation,j,vectorised"],
        ["verify", "--activation", "softsign2=a/(1+abs(a))", "--only", "activation,j,vectorised"],
        ["verify", "--activation", "gelu2=a*Phi(a)", "--only", "activation,j,vectorised"],
        ["verify", "--widths", "784,128,10", "--activation", "swish=a*sigmoid(a)"],
        ["verify", "--widths", "784,128,10", "--activation", "swish=a*sigmoid(a)", "--only", "activation,d,j,vectorised"],
        ["code", "--widths", "784,128,10", "--activation", "gelu2=a*Phi(a)", "-o", f"{tmp}/mlp_gelu.py"],
        ["code", "--widths", "784,128,10", "--activation", "lrelu=max(a, 0.01*a)", "--loss", "binary-cross-entropy",
         "--reduction", "mean", "-o", f"{tmp}/mlp_lrelu.py"],
        ["check", "j", J.replace("HP", r"(1 - \tanh^2(a_j^{(l)}))"), "--activation", "tanh"],
        ["check", "j", J.replace("HP", ELU_PRIME), "--activation", "elu"],
        ["check", "j", J.replace("HP", ELU_PRIME.replace("e^{a_j^{(l)}}", "a_j^{(l)}")), "--activation", "elu"],
        ["check", "j", J.replace("HP", r"(1 - \tanh^2(a_j^{(l)}))")],
        ["verify", "--activation", "step=Piecewise((1, a > 0), (0, True))", "--only", "j"],
        ["verify", "--activation", "x=__import__('os')", "--only", "j"],
    ]


def said(out: str) -> str:
    lines = [line for line in out.splitlines() if line.strip()]
    for key in ("all verified", "FAILED:", "Error:", "correct", "wrong", "incomplete"):
        hit = [line for line in lines if line.startswith(key)]
        if hit:
            return hit[0]
    return lines[-1] if lines else ""


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for args in commands(tmp):
            start = time.perf_counter()
            run = subprocess.run(DERIVE + args, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            shown = shlex.join(["derive", *args]).replace(tmp, "/tmp")
            rows.append(f"| `{shown}` | {run.returncode} | {seconds:.1f} | {said(run.stdout + run.stderr)[:110]} |")
            print(rows[-1], flush=True)
    text = ("# Typed activations through verify, code and check\n\n"
            "`python benchmarks/typed_activations.py`: each command in a fresh process (seconds include "
            "start-up) on this machine.\n\n| command | exit | seconds | what it said |\n|---|---|---|---|\n"
            + "\n".join(rows) + "\n")
    (HERE / "typed_activations.md").write_text(text)


if __name__ == "__main__":
    main()
