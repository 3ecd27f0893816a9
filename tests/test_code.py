"""`derive code`: the printer, the in-place statements, golden modules, same bytes, bad input."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli import cli
from derive.emit.code.inplace import NotInPlace, into, matrix_into, scale
from derive.emit.code.losses import residual_scale
from derive.emit.code.plan import module_source
from derive.emit.code.printer import render
from derive.backprop.matrix_form import Model

GOLDEN = {  # two modules kept byte for byte in tests/golden/
    "mlp_1_3_1.py": ("1,3,1", "tanh", "sum-of-squares", "float64"),  # Bishop fig. 5.3
    "mlp_4_8_8_3.py": ("4,8,8,3", "relu,softplus", "cross-entropy", "float32"),
}


def lines(m: Model) -> dict[str, str]:
    return {a.target.name: render(a.value) for a in m.forward() + m.backward()}


def test_printer_renders_the_batch_major_equations() -> None:
    printed = lines(Model.of((1, 3, 1), ("tanh",), "sum-of-squares"))
    assert printed["A1"] == "X @ W1.T + b1"  # eq. (6): b of shape (M,) broadcasts over rows
    assert printed["Z1"] == "np.tanh(A1)"
    assert printed["Delta2"] == "2.0 * (Z2 - T)"  # no 1/2 in the exercise's E
    assert printed["Delta1"] == "(1.0 - Z1 * Z1) * (Delta2 @ W2)"  # h' from z
    assert printed["dW1"] == "Delta1.T @ X"
    assert printed["db1"] == "Delta1.sum(axis=0)"


def test_printer_uses_stable_forms_and_keeps_matmul_apart_from_elementwise() -> None:
    printed = lines(Model.of((2, 3, 3, 2), ("sigmoid", "softplus"), "cross-entropy"))
    assert printed["Z1"] == "np.exp(-np.logaddexp(-A1, 0.0))"  # logistic, no overflow
    assert printed["Z2"] == "np.logaddexp(A2, 0.0)"  # softplus
    assert printed["Z3"] == "np.exp(_log_softmax(A3))"
    assert printed["Delta1"] == "Z1 * (1.0 - Z1) * (Delta2 @ W2)"
    assert printed["Delta3"] == "Z3 - T"
    relu = lines(Model.of((2, 3, 2), ("relu",), "gaussian-nll"))
    assert relu["Z1"] == "np.maximum(A1, 0.0)"
    assert relu["Delta1"] == "np.heaviside(A1, 0.5) * (Delta2 @ W2)"


def test_in_place_statements() -> None:
    m = Model.of((1, 3, 1), ("tanh",), "sum-of-squares")
    steps = {a.target.name: a.value for a in m.forward() + m.backward()}
    assert matrix_into(steps["A1"], "A1") == ["np.matmul(X, W1.T, out=A1)", "A1 += b1"]
    assert matrix_into(steps["Z1"], "A1") == ["np.tanh(A1, out=A1)"]
    assert matrix_into(steps["Delta1"], "Delta1") == [
        "np.matmul(Delta2, W2, out=Delta1)", "Z1 *= Z1", "np.subtract(1.0, Z1, out=Z1)", "Delta1 *= Z1"]
    z = sp.Symbol("Z1")
    assert scale(z * (1 - z), "Z1", "D", clobber=True) == ["D *= Z1", "np.subtract(1.0, Z1, out=Z1)", "D *= Z1"]
    assert scale(1 - z**2, "Z1", "D", clobber=False) == ["D *= 1.0 - Z1 * Z1"]  # Z1 still needed
    with pytest.raises(NotInPlace):
        into(z * sp.tanh(z), "Z1", "Z1")  # needs z after it is overwritten


def test_output_delta_must_be_a_multiple_of_the_residual() -> None:
    assert residual_scale(Model.of((2, 2), (), "sum-of-squares")) == 2

    class Wrong(Model):
        def output_delta(self) -> sp.MatrixExpr:
            return 2 * self.Z(self.L) - self.T  # not c (Y - T)
    with pytest.raises(ValueError, match="not a multiple"):
        residual_scale(Wrong.of((2, 2), (), "sum-of-squares"))


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_modules(golden, name: str) -> None:  # type: ignore[no-untyped-def]
    golden(name, module_source(*GOLDEN[name]))


def test_module_header_and_docstrings() -> None:
    source = module_source("784,128,10", "tanh", "cross-entropy", "float64")
    header = source.splitlines()[:5]
    assert "templates/module.py.j2" in header[2] and "do not edit" in header[2]
    assert header[3].strip().startswith("derive code --widths 784,128,10 --activation tanh "
                                        "--loss cross-entropy --dtype float64")
    assert "import numpy as np" in source and source.count("import ") == 2  # numpy only
    compile(source, "mlp.py", "exec")
    for cite in ("eq. (4)", "eq. (5)", "eq. (6)", "eq. (8)", "eq. (9)", "exercise g", "eq. (5.69)"):
        assert cite in source


def test_same_options_same_bytes(tmp_path: Path) -> None:
    options = ("3,5,4,2", "sigmoid,relu", "gaussian-nll", "float32")
    first = module_source(*options)
    assert module_source(*options) == first
    script = f"from derive.emit.code.plan import module_source; print(module_source(*{options!r}), end='')"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # another set order, another process
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                           check=True, cwd=tmp_path)
    assert other.stdout == first


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["code", *args])


def test_cli_writes_an_importable_module(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "mlp.py"
    result = run("--widths", "2,3,2", "--activation", "relu", "--loss", "cross-entropy", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    namespace: dict[str, object] = {}
    exec(compile(out.read_text(), str(out), "exec"), namespace)
    assert namespace["check_gradients"]() < 1e-6  # type: ignore[operator]


BAD = [
    (["--widths", "3,0,2"], "positive"),
    (["--widths", "3,x,2"], "malformed --widths"),
    (["--widths", "3,4,2", "--activation", "swoosh"], "unknown activation"),
    (["--widths", "3,4,2", "--activation", "tanh,relu"], "hidden layer"),
    (["--widths", "3,4,2", "--loss", "hinge"], "unknown loss"),
    (["--widths", "3,4,2", "--dtype", "float16"], "unknown dtype"),
]


@pytest.mark.parametrize("args,message", BAD)
def test_cli_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path: Path, args: list[str],
                                                             message: str) -> None:
    result = run(*args, "-o", str(tmp_path / "mlp.py"))
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and message in result.output
    assert "Traceback" not in result.output and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["under a file", "a folder"])
def test_cli_unwritable_path(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "mlp.py" if where == "under a file" else tmp_path
    result = run("--widths", "3,4,2", "-o", str(out))
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "cannot write" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no half-written temp file


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["code", "--help"])
    assert result.exit_code == 0 and "Example: derive code" in result.output
