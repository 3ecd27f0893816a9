"""Issue #11: every crash and silent wrong answer a new user found, each closed in one line, exit 2."""
from __future__ import annotations

import errno
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner, Result

from derive.cli import cli
from derive.core.errors import DeriveError
from derive.emit import report
from derive.emit.code import module as code_module
from derive.emit.code import plan
from derive.emit.code.module import write_module


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line_error(result: Result, needle: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"emitted_{path.stem}_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def emitted(tmp_path: Path, widths: str, activation: str, loss: str, dtype: str = "float64") -> ModuleType:
    return load(write_module(widths, activation, loss, dtype, str(tmp_path / "mlp.py")))


# --- 1. an OSError on any path is one line ---------------------------------------------------------
def test_code_into_an_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    real = Path.is_dir

    def is_dir(self: Path) -> bool:  # root reads everything: simulate a folder we may not list
        if locked in (self, *self.parents):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "is_dir", is_dir)
    one_line_error(invoke("code", "--widths", "2,3,2", "-o", str(locked / "x.py")), "Permission denied")
    assert list(tmp_path.iterdir()) == []


def test_any_os_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.EIO, "Input/output error", "/mnt/usb/mlp.py")
    monkeypatch.setattr(code_module, "write_module", broken)
    result = invoke("code", "--widths", "2,3,2", "-o", "mlp.py")
    one_line_error(result, "cannot read or write /mnt/usb/mlp.py: Input/output error")


@pytest.mark.parametrize("args, needle", [
    (["sheet", "-o", "{file}", "--format", "md"], "cannot write into"),
    (["sheet", "-o", "{file}/sub", "--format", "md"], "is a file, not a folder"),
    (["verify", "--only", "a", "--json", "{file}/r.json"], "is a file, not a folder"),
    (["verify", "--only", "a", "--json", "{dir}/"], "names a folder"),
    (["code", "--widths", "2,3,2", "-o", "{file}/deep/m.py"], "is a file, not a folder"),
])
def test_paths_under_a_file_fail_before_any_work(tmp_path: Path, args: list[str], needle: str) -> None:
    """A real file system, in a subprocess: one line on stderr, exit 2, checked before the run."""
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    argv = [a.format(file=tmp_path / "file", dir=tmp_path / "dir") for a in args]
    done = subprocess.run([sys.executable, "-m", "derive", *argv], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "file"] and not any((tmp_path / "dir").iterdir())


# --- 2. softmax over one class ---------------------------------------------------------------------
@pytest.mark.parametrize("widths", ["2,3,1", "4,1"])
def test_cross_entropy_with_one_output_is_refused(tmp_path: Path, widths: str) -> None:
    out = tmp_path / "m.py"
    one_line_error(invoke("code", "--widths", widths, "--loss", "cross-entropy", "-o", str(out)), "K >= 2")
    assert not out.exists()
    with pytest.raises(DeriveError, match="K >= 2"):
        write_module(widths, "tanh", "cross-entropy", "float64", str(out))
    assert invoke("code", "--widths", widths, "--loss", "sum-of-squares", "-o", str(out)).exit_code == 0


# --- 3. -o: folders refused, names that cannot be imported warned about -----------------------------
@pytest.mark.parametrize("name", ["newdir/", "existing", ""])
def test_output_naming_a_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    one_line_error(invoke("code", "--widths", "2,3,2", "-o", name), "cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"] and not any((tmp_path / "existing").iterdir())


@pytest.mark.parametrize("name, needle", [
    ("my-model.py", "not a valid module name"), ("numpy.py", "shadows the module numpy"),
    ("math.py", "shadows the module math"), ("sys.py", "shadows"), ("class.py", "not a valid module name"),
    ("mlp", "does not end in .py"),
])
def test_unimportable_names_are_written_with_a_warning(tmp_path: Path, name: str, needle: str) -> None:
    result = invoke("code", "--widths", "2,3,2", "-o", str(tmp_path / name))
    assert result.exit_code == 0 and (tmp_path / name).exists()
    assert result.stdout.strip() == str(tmp_path / name)
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("warning: ") and needle in warning[0]


def test_a_module_name_gets_no_warning(tmp_path: Path) -> None:
    result = invoke("code", "--widths", "2,3,2", "-o", str(tmp_path / "my_model.py"))
    assert result.exit_code == 0 and result.stderr == ""


# --- 4. widths: ASCII digits only -----------------------------------------------------------------
@pytest.mark.parametrize("command", [["verify"], ["code", "-o", "never.py"]])
@pytest.mark.parametrize("widths, needle", [
    ("\uff12,\uff13,\uff11", "malformed --widths"), ("1_0,2", "malformed --widths"), ("2,3.0,2", "malformed"),
    ("", "malformed --widths"), ("2,0x3,2", "malformed"), ("2," + "9" * 5000 + ",2", "too large"),
])
def test_widths_are_ascii_integers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str],
                                   widths: str, needle: str) -> None:
    monkeypatch.chdir(tmp_path)
    one_line_error(invoke(*command, "--widths", widths), needle)
    assert list(tmp_path.iterdir()) == []


def test_empty_only_is_an_error() -> None:
    one_line_error(invoke("verify", "--only", ""), "malformed --only")


# --- 5. the emitted module ------------------------------------------------------------------------
def test_float32_module_casts_float64_data(tmp_path: Path) -> None:
    module = emitted(tmp_path, "3,4,2", "tanh", "sum-of-squares", "float32")
    params = module.init_params()
    rng = np.random.default_rng(0)
    X, T = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))  # float64 data
    E, grads = module.gradients(params, X, T)
    assert all(g.dtype == np.float32 for g in grads.values())
    assert all(w.dtype == np.float32 for w in module.sgd_step(params, grads, 0.1).values())
    assert module.forward(params, X).dtype == np.float32
    assert abs(module.loss(params, X, T) - E) <= 1e-4 * abs(E)
    assert module.forward(params, X.tolist()).dtype == np.float32  # lists too


def test_integer_labels_are_class_indices(tmp_path: Path) -> None:
    module = emitted(tmp_path, "3,4,3", "relu", "cross-entropy")
    params = module.init_params()
    X = np.random.default_rng(1).standard_normal((6, 3))
    labels = np.array([0, 2, 1, 1, 0, 2])
    onehot = np.eye(3)[labels]
    E, grads = module.gradients(params, X, labels)
    E1, grads1 = module.gradients(params, X, onehot)
    assert E == E1 and all(np.array_equal(grads[k], grads1[k]) for k in grads)
    assert module.loss(params, X, labels) == module.loss(params, X, onehot)
    with pytest.raises(ValueError, match=r"class label 3 is outside 0\.\.2"):
        module.gradients(params, X, np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ValueError, match="outside"):
        module.loss(params, X, np.array([0, -1, 2, 1, 0, 1]))
    with pytest.raises(ValueError, match="integer class labels"):
        module.gradients(params, X, labels.astype(float))
    with pytest.raises(ValueError, match=r"expected \(6, 3\)"):
        module.gradients(params, X, labels[:4])


def test_targets_and_inputs_of_the_wrong_shape(tmp_path: Path) -> None:
    module = emitted(tmp_path, "3,4,2", "tanh", "sum-of-squares")
    params = module.init_params()
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"T has shape \(5,\); expected \(5, 2\)"):
        module.loss(params, X, np.zeros(5))  # would broadcast to (5, 5) silently
    with pytest.raises(ValueError, match=r"X has shape \(5, 4\)"):
        module.forward(params, np.zeros((5, 4)))
    column = emitted(tmp_path / "k1", "3,4,1", "tanh", "sum-of-squares")
    p = column.init_params()
    assert column.loss(p, X, np.ones(5)) == column.loss(p, X, np.ones((5, 1)))


def test_python_file_runs_check_gradients(tmp_path: Path) -> None:
    path = write_module("2,3,2", "tanh", "cross-entropy", "float64", str(tmp_path / "mlp.py"))
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("check_gradients(): largest relative error ")
    assert float(done.stdout.split("error ")[1].split()[0]) < 1e-6


def test_code_runs_check_gradients_and_writes_nothing_if_it_fails(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    source_of = plan.source_of

    def no_factor_2(m: object, dtype: str) -> str:  # the fast path drops the 2 of E = sum ||y - t||^2
        text = source_of(m, dtype)  # type: ignore[arg-type]
        assert "np.multiply(R, 2.0, out=R)" in text
        return text.replace("np.multiply(R, 2.0, out=R)", "R")
    monkeypatch.setattr(plan, "source_of", no_factor_2)
    out = tmp_path / "mlp.py"
    one_line_error(invoke("code", "--widths", "3,4,2", "-o", str(out)), "failed its own check_gradients()")
    assert list(tmp_path.iterdir()) == []


def test_relu_derivative_at_zero_is_zero_as_in_pytorch(tmp_path: Path) -> None:
    module = emitted(tmp_path, "2,3,2", "relu", "sum-of-squares")
    source = (tmp_path / "mlp.py").read_text()
    assert "relu'(0) = 0 as in PyTorch" in source.split('"""')[1]  # stated in the module header
    params = module.init_params()
    params["W1"][:] = 0.0
    params["b1"][:] = 0.0  # every pre-activation of layer 1 is exactly 0
    X, T = np.ones((4, 2)), np.ones((4, 2))
    _, grads = module.gradients(params, X, T)
    assert np.array_equal(grads["W1"], np.zeros((3, 2))) and np.array_equal(grads["b1"], np.zeros(3))
    torch = pytest.importorskip("torch")
    a = torch.zeros(3, requires_grad=True)
    torch.relu(a).sum().backward()
    assert a.grad is not None and not a.grad.any()  # the same convention


SCHEMES = {  # scheme -> (variance of W1 for fan_in 400, fan_out 300; biases zero)
    "torch": (1 / (3 * 400), False),
    "glorot": (2 / (400 + 300), True),
    "he": (2 / 400, True),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_init_schemes_have_their_variance(tmp_path: Path, scheme: str) -> None:
    module = emitted(tmp_path, "400,300,10", "relu", "cross-entropy")
    params = module.init_params(seed=1, scheme=scheme)
    variance, zero_bias = SCHEMES[scheme]
    W1 = params["W1"]
    assert W1.shape == (300, 400) and W1.dtype == np.float64
    assert abs(W1.var() / variance - 1) < 0.03 and abs(W1.mean()) < 0.05 * np.sqrt(variance)
    assert abs(params["W2"].var() / {"torch": 1 / 900, "glorot": 2 / 310, "he": 2 / 300}[scheme] - 1) < 0.1
    assert (not params["b1"].any()) == zero_bias
    if scheme == "glorot":
        assert np.abs(W1).max() <= np.sqrt(6 / 700)
    assert all(np.array_equal(params[k], module.init_params(seed=1, scheme=scheme)[k]) for k in params)
    with pytest.raises(ValueError, match="unknown scheme"):
        module.init_params(scheme="xavier")


# --- 6. help, -V, the table -----------------------------------------------------------------------
def test_help_lists_the_names_and_ids() -> None:
    from derive import exercises
    from derive.core import activations
    top = invoke("--help")
    assert top.exit_code == 0 and "Examples:" in top.output and "derive code --widths" in top.output
    for command in ("verify", "code"):
        text = " ".join(invoke(command, "--help").output.split())
        assert all(name in text for name in activations.names()), command
    text = " ".join(invoke("verify", "--help").output.split())
    assert f"{', '.join(exercises.REGISTRY)}, code" in text
    assert "cross-entropy" in " ".join(invoke("code", "--help").output.split())


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str) -> None:
    result = invoke(flag)
    assert result.exit_code == 0 and "derive, version" in result.output


def fake(ex_id: str, title: str, routes: list[str]) -> SimpleNamespace:
    checks = [SimpleNamespace(route=r, passed=True) for r in routes] * 40
    return SimpleNamespace(id=ex_id, title=title, routes=routes, counted=checks, checks=checks + checks[:2],
                           powerless=[], status="verified", verified=True, seconds=123.45)


EXERCISES = [fake("f", "The best $w$ is free of the noise variance; the optimal variance",
                  ["exact-mod-p", "exact-rational", "float64", "mpmath-50", "symbolic"]),
             fake("vectorised", "The matrix form the emitted code computes", ["exact-rational", "float64"]),
             fake("code", "emitted NumPy module: loss, gradients, sgd_step", ["emitted-vs-fd", "emitted-vs-route2"])]


@pytest.mark.parametrize("width", [100, 80])
def test_table_fits_the_width(width: int) -> None:
    text = report.table(EXERCISES, width)  # type: ignore[arg-type]
    assert max(map(len, text.splitlines())) <= width
    words = " ".join(text.split())
    assert "mp50 = mpmath-50" in words and "vs-route2 = emitted-vs-route2" in words  # abbreviated, a legend
    assert set(EXERCISES[0].title.replace("$", "").split()) <= set(words.split())  # wrapped, all there
    assert "all verified: 3/3" in text


def test_table_keeps_full_names_where_they_fit_and_the_default_is_100() -> None:
    narrow = [fake("a", "One hidden layer", ["exact-rational", "symbolic"])]
    text = report.table(narrow)  # type: ignore[arg-type]
    assert "exact-rational, symbolic" in text and "routes:" not in text
    assert max(map(len, report.table(EXERCISES).splitlines())) <= 100  # type: ignore[arg-type]


def test_verify_table_in_100_columns_and_json_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = invoke("verify", "--only", "a", "--json", str(out))
    assert result.exit_code == 0, result.output
    assert max(map(len, result.stdout.splitlines())) <= 100
    routes = {c["route"] for ex in json.loads(out.read_text())["exercises"] for c in ex["checks"]}
    assert "exact-rational" in routes  # the JSON keeps the full route names


def test_a_time_out_is_undecided_and_exits_3(tmp_path: Path) -> None:
    """--timeout scales every limit; out of time is UNDECIDED (exit 3), never FAILED."""
    from derive.core.checks import SCALE
    out = tmp_path / "r.json"
    try:
        result = CliRunner().invoke(cli, ["verify", "--only", "d", "--timeout", "0.01", "--json", str(out)])
    finally:
        SCALE["limits"] = 1.0
    assert result.exit_code == 3, result.output
    assert "UNDECIDED: 0/1" in result.output and "FAILED" not in result.output
    report = json.loads(out.read_text())
    assert report["status"] == "undecided" and report["exercises"][0]["status"] == "undecided"
    assert any(c["status"] == "undecided" for c in report["exercises"][0]["checks"])


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "x"])
def test_a_bad_timeout_is_one_line(value: str) -> None:
    result = CliRunner().invoke(cli, ["verify", "--only", "a", "--timeout", value])
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["verify"], ["code", "-o", "never.py"]])
def test_a_network_too_large_for_the_machine_is_refused_before_any_work(command: list[str], tmp_path: Path) -> None:
    args = [command[0], "--widths", "100000,100000"] + [a if a != "never.py" else str(tmp_path / a) for a in command[1:]]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --widths 100000,100000: 10,000,100,000 weights is more than the limit of 100,000,000"]
    assert not (tmp_path / "never.py").exists()
