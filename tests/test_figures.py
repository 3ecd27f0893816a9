"""The figures: fig. 5.3's training against PyTorch, adam_step against torch.optim.Adam, h)'s numbers,
the same bytes in every run, and `derive figure` (files written, bad input one line and exit 2)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.emit.code.plan import module_source
from derive.emit.code.verify_code import load
from derive.emit.figures import bishop_5_3, fit, minibatch, output, render
from derive.exercises import h_minibatch as h

torch = pytest.importorskip("torch")
TOL = 1e-9  # relative, between the NumPy module's losses and PyTorch's, at every step
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam's defaults, in torch.optim.Adam and in adam_step


def torch_losses(steps: int = fit.STEPS, wrong_gradient: bool = False) -> np.ndarray:
    """fig. 5.3's four trainings in PyTorch float64, side by side: the module's init_params(SEED),
    E = sum_n (y_n - t_n)^2 by autograd, Adam written out as torch.optim.Adam does it, the same
    step sizes. Row: target; column: E before each step, then after the last. With
    `wrong_gradient` the hidden units' tanh' is dropped from the backward pass (the forward
    pass, and so E, stays right): a wrong gradient fed to the same optimiser."""
    start = fit.emitted().init_params(fit.SEED)
    w = {k: torch.tensor(np.stack([v] * len(fit.TARGETS)), dtype=torch.float64, requires_grad=True)
         for k, v in start.items()}  # (targets, ...) each
    x = torch.tensor(fit.inputs(), dtype=torch.float64)
    t = torch.tensor(np.stack([target.f(fit.inputs()) for target in fit.TARGETS]), dtype=torch.float64)
    m = {k: torch.zeros_like(v) for k, v in w.items()}
    v2 = {k: torch.zeros_like(v) for k, v in w.items()}

    def E() -> torch.Tensor:
        a = x[None, :, None] * w["W1"][:, None, :, 0] + w["b1"][:, None, :]  # (targets, N, 3)
        z = torch.tanh(a)
        if wrong_gradient:
            z = a + (z - a).detach()  # same values, derivative 1 in place of tanh'
        y = (z * w["W2"][:, None, 0, :]).sum(dim=-1) + w["b2"]  # (targets, N)
        return ((y - t) ** 2).sum(dim=-1)

    losses = []
    for k in range(steps):
        loss = E()
        losses.append(loss.detach().numpy().copy())
        grads = torch.autograd.grad(loss.sum(), list(w.values()))  # the targets are independent
        lr, step = fit.rate(k, steps), k + 1
        with torch.no_grad():
            for (name, p), g in zip(w.items(), grads):
                m[name].mul_(BETA1).add_(g, alpha=1 - BETA1)
                v2[name].mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
                denom = (v2[name].sqrt() / (1 - BETA2 ** step) ** 0.5).add_(EPS)
                p.addcdiv_(m[name], denom, value=-lr / (1 - BETA1 ** step))
    with torch.no_grad():
        losses.append(E().numpy().copy())
    return np.stack(losses, axis=1)


def worst(numpy_losses: np.ndarray, torch_losses: np.ndarray) -> float:
    return float(np.max(np.abs(numpy_losses - torch_losses) / np.abs(torch_losses)))


def test_training_agrees_with_pytorch_at_every_step() -> None:
    ours = np.array([f.losses for f in fit.fits()])
    assert ours.shape == (len(fit.TARGETS), fit.STEPS + 1)
    assert worst(ours, torch_losses()) <= TOL
    assert np.all(ours[:, -1] < ours[:, 0] / 10)  # and it trained


def test_the_comparison_fails_on_a_wrong_gradient() -> None:
    steps = 300
    ours = np.array([fit.fit(target, steps=steps).losses for target in fit.TARGETS])
    assert worst(ours, torch_losses(steps)) <= TOL  # the same run, shorter
    wrong = torch_losses(steps, wrong_gradient=True)
    assert worst(ours[:, :1], wrong[:, :1]) <= TOL  # the same start ...
    assert worst(ours, wrong) > 1e-3  # ... then another path, caught


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_adam_step_is_torch_optim_adam(dtype: str) -> None:
    module = load(module_source("3,4,2", "tanh", "sum-of-squares", dtype), f"adam_{dtype}")
    rng = np.random.default_rng(5)
    params = module.init_params(1)
    theirs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    adam = torch.optim.Adam(theirs.values(), lr=0.01, betas=(BETA1, BETA2), eps=EPS)
    state = module.adam_state(params)
    tol = 1e-13 if dtype == "float64" else 1e-5
    for _ in range(5):
        grads = {k: rng.standard_normal(v.shape).astype(v.dtype) * 10.0 ** rng.integers(-3, 2)
                 for k, v in params.items()}
        before = {k: v.copy() for k, v in params.items()}
        assert module.adam_step(params, grads, state, 0.01) is state
        for k, p in theirs.items():
            p.grad = torch.tensor(grads[k], dtype=torch.float64)
        adam.step()
        for k, v in params.items():
            assert v.dtype == np.dtype(dtype)
            want = theirs[k].detach().numpy()
            moved = np.max(np.abs(want - before[k]))
            assert np.max(np.abs(v - want)) <= tol * max(moved, 1e-300), k
    assert state["t"] == 5


def test_the_data_and_the_fits() -> None:
    x = fit.inputs()
    assert len(x) == fit.N == 50 and -1 < x[0] and x[-1] < 1 and 0.0 not in x
    assert np.allclose(np.diff(x), 2 / fit.N) and np.allclose(x, -x[::-1])
    for f in fit.fits():
        assert f.hidden(f.x).shape == (fit.N, fit.HIDDEN)  # their sum is forward(), checked inside
        assert f.E == pytest.approx(fit.emitted().loss(f.params, f.x[:, None], f.t), rel=1e-15)
    errors = bishop_5_3.Rendered({}, fit.fits()).errors
    assert list(errors) == ["square", "sine", "abs", "step"] and max(errors.values()) < 0.2


def test_the_histogram_uses_the_check_of_h() -> None:
    s = minibatch.sample()
    assert str(s.factor) == "B/N" and (s.size, s.batch) == (h.SIZE, h.BATCH) and s.pick.shape == (h.DRAWS, 17)
    passed, detail = h.sampled_gradients(s.factor, "sum")  # what `derive verify --only h` runs
    assert passed and f"{s.z.max():.2f} standard errors" in detail
    assert f"within {s.z.max():.2f} standard errors" in minibatch.caption(s)
    assert s.names[:2] == ("w_{10}^{(1)}", "w_{11}^{(1)}") and len(s.names) == 17


def test_captions_carry_the_computed_numbers() -> None:
    text = bishop_5_3.caption(fit.fits())
    for f in fit.fits():
        assert f"$E = {bishop_5_3.e_text(f.E)}$" in text
    assert "H(0) = 1/2" in text and "5.3" in text and str(fit.STEPS) in text


def test_same_bytes_twice_and_in_a_fresh_process(tmp_path: Path) -> None:
    first = {**bishop_5_3.rendered().files, **minibatch.rendered().files}
    second = {**bishop_5_3.rendered().files, **minibatch.rendered().files}
    assert first == second and sorted(first) == sorted(output.figure_files())
    assert first["bishop-5-3.pdf"].startswith(b"%PDF") and first["bishop-5-3.png"].startswith(b"\x89PNG")
    assert b"CreationDate" not in first["bishop-5-3.pdf"]
    env = {**os.environ, "PYTHONHASHSEED": "4321"}
    done = subprocess.run([sys.executable, "-m", "derive", "figure", "-o", str(tmp_path / "out")],
                          check=False, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "out" / name) for name in sorted(first)]
    for name, data in first.items():
        assert (tmp_path / "out" / name).read_bytes() == data, name


def test_cli_writes_the_formats_asked_for(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["figure", "-o", str(tmp_path / "new"), "--format", "png"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["bishop-5-3.png", "minibatch-gradients.png"]
    assert result.output.split() == [str(tmp_path / "new" / n) for n in ("bishop-5-3.png", "minibatch-gradients.png")]


@pytest.mark.parametrize("args, words", [
    (["--format", "bogus"], "unknown figure format 'bogus'"),
    (["--format", ","], "no figure format given"),
    (["-o", "{file}"], "is a file, not a folder"),
    (["-o", "{file}/below"], "is a file, not a folder"),
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    args = [a.replace("{file}", str(blocker)) for a in args]
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["figure", "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
    assert words in result.output and "Traceback" not in result.output
    assert time.perf_counter() - start < 5  # refused before any training
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"] and blocker.read_text() == "keep"


def test_render_refuses_an_unknown_format() -> None:
    with pytest.raises(Exception, match="unknown figure format 'svg'"):
        render.parse_formats("png,svg")
    assert render.parse_formats(" PNG , pdf ") == ("pdf", "png")
