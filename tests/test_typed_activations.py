"""Activations typed as NAME=EXPR: the grammar, the independent dual-number reading, kinks, z-forms, code, check."""
from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli import cli
from derive.core import activations, dual, typed, zform
from derive.core.activations import NUMERIC, a, z
from derive.core.branches import branches
from derive.core.errors import DeriveError
from derive.emit.code import verify_code
from derive.emit.code.plan import module_source

EXAMPLES = {  # the examples: text -> the function they must be
    "a*sigmoid(a)": a / (1 + sp.exp(-a)),
    "Piecewise((a, a > 0), (exp(a) - 1, True))": sp.Piecewise((a, a > 0), (sp.exp(a) - 1, True)),
    "max(a,0)+min(0,exp(a)-1)": sp.Max(a, 0) + sp.Min(0, sp.exp(a) - 1),
    "max(a, 0.01*a)": sp.Max(a, a / 100),
    "a/(1+abs(a))": a / (1 + sp.Abs(a)),
    "a*Phi(a)": a * (1 + sp.erf(a / sp.sqrt(2))) / 2,
    "a^2/2 - 3e-1*a": a**2 / 2 - sp.Rational(3, 10) * a,
    "2**a + -a": 2**a - a,
}


@pytest.mark.parametrize("text", EXAMPLES)
def test_grammar_reads_plain_maths_in_a(text: str) -> None:
    got = typed.to_sympy(typed.parse(text), a)
    assert sp.simplify(got - EXAMPLES[text]) == 0


BAD = [
    ("a +", "ends too early|cannot read"),
    ("b*a", "unknown name 'b'"),
    ("exp(a, 1)", "takes 1 argument"),
    ("__import__('os').system('true')", "cannot read|unknown"),
    ("a.real", "cannot read"),
    ("lambda: a", "cannot read"),
    ("a^1000", "larger than 64"),
    ("a^a", "constant base"),
    ("3", "does not use a"),
    ("Piecewise((a, a > 0))", "last one"),
    ("max(a)", "two or more"),
    ("exp", "is a function"),
    ("(" * 40 + "a" + ")" * 40, "deeper than"),
    ("a+" * 300 + "a", "characters"),
    ("1" * 40 + "*a", "too many digits"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_grammar_refuses_in_one_line(text: str, message: str) -> None:
    with pytest.raises(DeriveError, match=message) as info:
        typed.parse(text)
    assert "\n" not in str(info.value)


def test_the_dual_reading_is_independent_of_sympy_and_agrees() -> None:
    import mpmath
    for text, f in EXAMPLES.items():
        tree = typed.parse(text)
        for p in map(sp.Rational, ("-1.3", "0.7", "2.1")):
            with mpmath.workdps(40):
                v, d = dual.evaluate(tree, mpmath.mpf(p.p) / p.q)
                assert abs(v - mpmath.mpf(str(sp.N(f.subs(a, p), 40)))) < 1e-30
                assert abs(d - mpmath.mpf(str(sp.N(sp.diff(f, a).subs(a, p), 40)))) < 1e-30


def test_typed_activation_registers_and_a_wrong_dual_rule_stops_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(activations, "REGISTRY", dict(activations.REGISTRY))
    monkeypatch.setattr(activations, "NUMERIC", dict(NUMERIC))
    assert activations.register_typed("cosh1=cosh(a) - 1") == "cosh1"
    assert activations.get("cosh1").dh == sp.sinh(a)
    exp, dexp = dual.UNARY["sinh"]
    monkeypatch.setitem(dual.UNARY, "sinh", (exp, lambda u: dexp(u) * 1.01))  # a wrong rule for (sinh)'
    with pytest.raises(DeriveError, match="h' of sinh2"):
        activations.register_typed("sinh2=sinh(a)")
    assert "sinh2" not in activations.REGISTRY and "sinh2" not in activations.NUMERIC


def test_names_are_checked_and_a_registered_name_keeps_its_meaning() -> None:
    assert activations.register_typed("swish=a*sigmoid(a)") == "silu"  # another name for silu
    assert activations.register_typed("elu=max(a,0)+min(0,exp(a)-1)") == "elu"  # the same function
    with pytest.raises(DeriveError, match="tanh is already"):
        activations.register_typed("tanh=a")
    with pytest.raises(DeriveError, match="NAME"):
        activations.register_typed("2x=a")


def test_kinks_take_the_left_derivative_and_jumps_are_refused() -> None:
    elu, leaky = activations.get("elu"), activations.get("leaky_relu")
    assert elu.kinks == (0,) and elu.dh.subs(a, 0) == 1 and elu.dh.subs(a, -1) == sp.exp(-1)
    assert leaky.dh.subs(a, 0) == sp.Rational(1, 100) and leaky.dh.subs(a, 1) == 1
    assert "derivative from the left" in leaky.convention
    with pytest.raises(DeriveError, match="jumps at a = 0"):
        branches("step", sp.Piecewise((1, a > 0), (0, True)), a)


@pytest.mark.parametrize("name,form", [
    ("tanh", 1 - z**2), ("sigmoid", z * (1 - z)), ("softplus", 1 - sp.exp(-z)), ("identity", sp.Integer(1)),
    ("elu", sp.Piecewise((z + 1, z <= 0), (1, True))), ("leaky_relu", sp.Piecewise((sp.Rational(1, 100), z <= 0), (1, True))),
    ("softsign", sp.Piecewise(((z + 1)**2, z <= 0), ((z - 1)**2, True))),
    ("gelu", None), ("silu", None), ("mish", None)])
def test_the_engine_finds_the_z_form_itself(name: str, form: sp.Expr | None) -> None:
    found = activations.get(name).dh_from_z
    assert (found is None) if form is None else sp.simplify(found - form) == 0, found


def test_a_wrong_z_form_is_not_proven() -> None:
    tanh = activations.get("tanh")
    assert zform.proven(tanh.h, tanh.dh, 1 - z**2, a, z)
    assert not zform.proven(tanh.h, tanh.dh, 1 - z**3, a, z)
    assert not zform.proven(tanh.h, tanh.dh, 1 - z**2 + z**4 / 10**6, a, z)
    with pytest.raises(DeriveError, match="h' of tanh"):
        activations.check_z_form(tanh, 1 - z**2 + z**4 / 10**6)


# --- the emitted code against PyTorch ----------------------------------------------------------
def torch_fn(name: str):  # type: ignore[no-untyped-def]
    import torch
    import torch.nn.functional as F
    return {"elu": F.elu, "gelu": F.gelu, "silu": F.silu, "softsign": F.softsign, "mish": F.mish,
            "leaky_relu": lambda x: F.leaky_relu(x, 0.01), "relu": F.relu, "tanh": torch.tanh,
            "sigmoid": torch.sigmoid, "softplus": F.softplus, "identity": lambda x: x}[name]


def torch_loss_and_grads(params: dict[str, np.ndarray], X: np.ndarray, T: np.ndarray, name: str):  # type: ignore[no-untyped-def]
    import torch
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    h = torch_fn(name)
    z1 = h(torch.tensor(X) @ p["W1"].T + p["b1"])
    E = ((z1 @ p["W2"].T + p["b2"] - torch.tensor(T)) ** 2).sum()
    E.backward()
    return float(E.detach()), {k: v.grad.numpy() for k, v in p.items()}


TYPED_AS_TORCH = [(name, name) for name in ["elu", "gelu", "silu", "softsign", "mish", "leaky_relu", "relu"]] + [
    ("t_elu=max(a,0)+min(0,exp(a)-1)", "elu"), ("t_elu2=Piecewise((a, a > 0), (exp(a) - 1, True))", "elu"),
    ("t_lrelu=max(a, 0.01*a)", "leaky_relu"), ("t_softsign=a/(1+abs(a))", "softsign"), ("t_gelu=a*Phi(a)", "gelu"),
    ("t_swish=a/(1+exp(-a))", "silu"), ("t_mish=a*tanh(log(1+exp(a)))", "mish")]


@pytest.mark.parametrize("activation,name", TYPED_AS_TORCH, ids=[t for t, _ in TYPED_AS_TORCH])
def test_emitted_module_matches_pytorch_also_at_the_kink(activation: str, name: str) -> None:
    """Registered and typed activations alike: loss and every gradient against torch's own function."""
    stem = activation.split("=")[0]
    module = verify_code.load(module_source("3,5,2", activation, "sum-of-squares", "float64"), f"typed_{stem}")
    rng = np.random.default_rng(1)
    params = module.init_params(seed=3)
    X, T = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    X[0] = 0.0
    params["b1"][:2] = 0.0  # example 0 has a = 0 exactly at units 1 and 2: the kink, where conventions show
    E, grads = module.gradients(params, X, T)
    E_t, grads_t = torch_loss_and_grads(params, X, T, name)
    assert abs(E - E_t) <= 1e-12 * abs(E_t)
    for k in grads_t:
        assert np.allclose(grads[k], grads_t[k], rtol=1e-10, atol=1e-12), (k, grads[k], grads_t[k])


@pytest.mark.parametrize("name", sorted(activations.REGISTRY))
def test_emitted_module_is_overflow_free_at_a_thousand(name: str) -> None:
    if name not in NUMERIC:
        pytest.skip("an undefined h")
    module = verify_code.load(module_source("1,2,1", name, "sum-of-squares", "float64"), f"big_{name}")
    params = module.init_params(seed=0)
    params["W1"][:] = [[1000.0], [-1000.0]]
    params["b1"][:] = 0.0
    X, T = np.array([[1.0], [-1.0]]), np.array([[0.5], [0.25]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        E, grads = module.gradients(params, X, T)
    assert np.isfinite(E) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_gelu_module_names_scipy_and_the_others_need_numpy_only() -> None:
    gelu = module_source("2,3,2", "gelu", "sum-of-squares", "float64")
    assert "import scipy.special\n" in gelu and "needs SciPy" in gelu and "math.erf" not in gelu
    assert "scipy" not in module_source("2,3,2", "silu", "sum-of-squares", "float64")


def test_typed_module_header_gives_the_formula_and_the_command_regenerates_it() -> None:
    source = module_source("2,3,2", "lr2=max(a, a/50)", "sum-of-squares", "float64")
    assert "lr2 was typed as 'lr2=max(a, a/50)'" in source and "derivative from the left" in source
    assert "--activation 'lr2=max(a, a/50)'" in source


# --- through the CLI: verify, code, check -------------------------------------------------------
def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_verify_a_typed_activation() -> None:
    result = run("verify", "--activation", "swish2=a*sigmoid(a)", "--only", "j,vectorised")
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def test_bad_typed_activation_is_one_line_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for command in (["verify", "--only", "j"], ["code", "--widths", "2,3,2", "-o", str(tmp_path / "m.py")],
                    ["check", "j", "x"]):
        result = run(*command, "--activation", "q=a+exp(")
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert "cannot read the formula" in result.output or "ends too early" in result.output
    assert not (tmp_path / "m.py").exists()


J = r"\delta_j^{(l)} = HP \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)} \\ \frac{\partial E}{\partial w_{ji}^{(l)}} = \delta_j^{(l)} z_i^{(l-1)}"
ELU_PRIME = r"\begin{cases} 1 & a_j^{(l)} > 0 \\ e^{a_j^{(l)}} & \text{otherwise} \end{cases}"


@pytest.mark.parametrize("activation,h_prime,verdict", [
    ("tanh", r"(1 - \tanh^2(a_j^{(l)}))", "correct"),
    ("tanh", r"h'(a_j^{(l)})", "correct"),
    ("tanh", r"(1 - \tanh(a_j^{(l)}))", "wrong"),
    ("elu", ELU_PRIME, "correct"),
    ("elu", ELU_PRIME.replace("e^{a_j^{(l)}}", "a_j^{(l)}"), "wrong"),
    ("", r"(1 - \tanh^2(a_j^{(l)}))", "wrong"),  # without --activation h is any function
])
def test_check_j_with_the_network_activation(activation: str, h_prime: str, verdict: str) -> None:
    args = ["check", "j", J.replace("HP", h_prime)] + (["--activation", activation] if activation else [])
    result = run(*args)
    assert result.output.startswith(verdict), result.output
    assert result.exit_code == (0 if verdict == "correct" else 1)


def test_registry_check_rejects_a_wrong_formula_for_a_new_activation() -> None:
    gelu = activations.get("gelu")
    with pytest.raises(DeriveError, match="h' of gelu"):
        activations.check(replace(gelu, dh=gelu.dh + (1 + a**2) / 97))


def test_a_wrong_piece_is_found_whatever_was_judged_before() -> None:
    """With kinks, 16 points instead of 4: an answer right on one side of the kink only is wrong in
    every order of judging (leaves are drawn on demand, so earlier answers change what a point holds)."""
    from derive.check.judge import KINKED_SEEDS, Checker
    wrong = J.replace("HP", ELU_PRIME.replace("e^{a_j^{(l)}}", "a_j^{(l)}"))
    others = [J.replace("HP", ELU_PRIME), J.replace("HP", r"h'(a_j^{(l)})"), r"\delta_j^{(l)} = 0"]
    for first in range(len(others) + 1):
        checker = Checker("j", "elu")
        assert checker.seeds == KINKED_SEEDS
        for answer in others[:first]:
            checker.check(answer)
        assert checker.check(wrong).verdict == "wrong"
