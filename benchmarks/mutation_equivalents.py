"""Surviving mutants explained: (module, operator, original line, mutated line) -> why no maths test can kill it.

Two kinds, and the explanation says which: *equivalent* (the mutated engine computes the same
verdicts, e.g. a time limit of 61 s instead of 60 s), and *unreached* (a path `derive verify`
never takes, such as the handler of a builder that raises; the explanation names the test that
takes it). An entry matches the exact text of the line before and after, so it lapses as soon
as the code it explains changes and the mutant then counts as a survivor again.
"""
from __future__ import annotations

LIMIT = "equivalent: a time limit; every check here ends in seconds, far under either limit"
CONFIG = ("equivalent: a size the checks are run at; the mutated one is as legal and the identity holds "
          "there too (which sizes are sampled is a choice, not a claim)")

EQUIVALENT: dict[tuple[str, str, str, str], str] = {
    ("derive/core/zform.py", "ReplaceUnaryOperator_USub_UAdd",
     "return fit(h, dh, a, z, -sp.oo, sp.oo)", "return fit(h, dh, a, z, +sp.oo, sp.oo)"):
        "equivalent: the interval ends only place the sample points; with (oo, oo) none lies inside, so "
        "fit() samples -3..3 afresh, and whatever it fits is kept only when SymPy proves it",
    ("derive/emit/code/stable.py", "ReplaceComparisonOperator_Eq_Lt",
     "if len(rest) == 1 and rest[0].func == sp.exp:", "if len(rest) < 1 and rest[0].func == sp.exp:"):
        "unreached: expm1(x) for exp(x) - 1 only adds precision near 0, which no verify tolerance sees; "
        "tests/test_network_sheet.py::test_the_network_sheet_shows_its_activation_loss_and_code kills it "
        "(np.expm1 in the code section)",
    ("derive/exercises/activation_derivative.py", "ReplaceBinaryOperator_Add_Mod",
     'limit, lambda: against(act, act.dh + OFF_A, central, loose, "a central difference of h")),',
     'limit, lambda: against(act, act.dh % OFF_A, central, loose, "a central difference of h")),'):
        "equivalent: another wrong claim for the control (h' mod (1 + a^2)/97), which the points reject "
        "just the same",
    ("derive/exercises/activation_derivative.py", "ReplaceBinaryOperator_Add_BitOr",
     "return mpmath.mpf(str(sp.N(expr.subs(symbol, sp.Float(mpmath.nstr(u, DIGITS + 10), DIGITS + 10)), DIGITS + 10)))",
     "return mpmath.mpf(str(sp.N(expr.subs(symbol, sp.Float(mpmath.nstr(u, DIGITS + 10), DIGITS | 10)), DIGITS + 10)))"):
        "equivalent: the point carries 30 digits instead of 40 (30 | 10 = 30); the tolerances, 1e-25 and "
        "1e-15, hold at either",
    ("derive/exercises/output_deltas.py", "ReplaceComparisonOperator_Eq_GtE",
     'if loss.output == "sigmoid":', 'if loss.output >= "sigmoid":'):
        "equivalent: the outputs are identity, sigmoid and softmax; softmax is taken before, and of the "
        "others only 'sigmoid' is >= 'sigmoid'",
    ("derive/backprop/checks.py", "NumberReplacer",
     'return timed(field.name, both, 60.0, lambda: holder["c"].control)',
     'return timed(field.name, both, 61.0, lambda: holder["c"].control)'): LIMIT,
    ("derive/backprop/checks.py", "NumberReplacer",
     'return timed(field.name, both, 60.0, lambda: holder["c"].control)',
     'return timed(field.name, both, 59.0, lambda: holder["c"].control)'): LIMIT,
    ("derive/backprop/compare.py", "ReplaceBinaryOperator_Sub_BitOr",
     "layer = [layer[0]] + sorted(random.Random(seed * 100 + l).sample(layer[1:], per_layer - 1))",
     "layer = [layer[0]] + sorted(random.Random(seed * 100 + l).sample(layer[1:], per_layer | 1))"):
        "unreached: derive verify compares every weight (per_layer None); only "
        "tests/test_backprop.py::test_deep_wide_network_exact_mod_p_and_sampled_weights samples per layer, "
        "and its count '21 of' kills this one",
    ("derive/backprop/route1.py", "ReplaceComparisonOperator_Eq_LtE",
     'if net.loss == "cross-entropy":  # y_k = exp(a_k) / sum_j exp(a_j); E_n = -sum_k t_k log y_k',
     'if net.loss <= "cross-entropy":  # y_k = exp(a_k) / sum_j exp(a_j); E_n = -sum_k t_k log y_k'):
        "equivalent: Net accepts only cross-entropy, half-sum-of-squares and sum-of-squares, and in string "
        "order only 'cross-entropy' is <= 'cross-entropy'",
    ("derive/core/checks.py", "ReplaceBinaryOperator_Div_FloorDiv",
     'SCALE["limits"] = seconds / DEFAULT_LIMIT', 'SCALE["limits"] = seconds // DEFAULT_LIMIT'):
        "unreached: only `derive verify --timeout S` scales the limits, and the killer runs without it "
        "(S = 20, the default, gives 1 either way)",
    ("derive/core/checks.py", "NumberReplacer",
     "return Wrong(offset=(1 + u**2) / CONTROL_P)", "return Wrong(offset=(1 + u** 3) / CONTROL_P)"):
        "equivalent: another perturbation of the control; (1 + u^3)/97 is zero only at u = -1, which no "
        "sampled point takes (points are random rationals), so every control still rejects",
    ("derive/core/expand.py", "NumberReplacer", "for _ in range(200):", "for _ in range( 201):"):
        "equivalent: the bound on rounds of substitution; every definition table here closes in under 10",
    ("derive/core/expand.py", "NumberReplacer", "for _ in range(200):", "for _ in range( 199):"):
        "equivalent: the bound on rounds of substitution; every definition table here closes in under 10",
    ("derive/core/expand.py", "ReplaceBinaryOperator_BitAnd_BitXor",
     "return expr.subs(sizes) if bound & set(sizes) else expr.xreplace(sizes)",
     "return expr.subs(sizes) if bound ^ set(sizes) else expr.xreplace(sizes)"):
        "equivalent: subs (always right, respects bound indices) is chosen more often over xreplace "
        "(fast, right when no size is a bound index): the same expression, slower",
    ("derive/emit/code/module.py", "ExceptionReplacer",
     "except Exception as exc:  # noqa: BLE001  (a bug in the template: still one line, nothing written)",
     ("except CosmicRayTestingException as exc:  # noqa: BLE001  (a bug in the template: still one line, "
     "nothing written)")):
        "unreached: the handler of a check_gradients() that raises (a bug in the module template); "
        "no module derive verify emits raises there",
    ("derive/emit/code/module.py", "ReplaceComparisonOperator_LtE_NotEq",
     "if weight_count(m.widths) <= SELF_CHECK_LIMIT:", "if weight_count(m.widths) != SELF_CHECK_LIMIT:"):
        "equivalent: the module's own self-check then also runs above the size limit: slower, same "
        "verdict (no checked module has exactly the limit's weight count)",
    ("derive/emit/code/plan.py", "ReplaceComparisonOperator_Lt_IsNot", "if l < m.L:", "if l is not m.L:"):
        "equivalent: l runs over 1..L, where l < L and l != L agree (small ints are interned, so `is not` "
        "is !=)",
    ("derive/exercises/base.py", "ReplaceBinaryOperator_Sub_BitXor",
     'extra_checks=[Check("builder", False, time.perf_counter() - start, why)])',
     'extra_checks=[Check("builder", False, time.perf_counter() ^ start, why)])'):
        "unreached: the handler of a builder that raises; no builder raises under derive verify "
        "(tests/test_code_verify.py::test_a_builder_that_raises_is_a_failed_exercise takes it and fails "
        "on the TypeError)",
    ("derive/exercises/base.py", "ReplaceBinaryOperator_Sub_Mul",
     'extra_checks=[Check("builder", False, time.perf_counter() - start, why)])',
     'extra_checks=[Check("builder", False, time.perf_counter() * start, why)])'):
        "unreached, and then only the seconds reported for a builder that raised",
    ("derive/exercises/a_b_closed_form.py", "NumberReplacer",
     'LAYERS = {"a": 2, "b": 3}  # layers of weights: a) one hidden layer, b) two',
     'LAYERS = {"a": 3, "b": 3}  # layers of weights: a) one hidden layer, b) two'): CONFIG,
    ("derive/exercises/d_linear_collapse.py", "NumberReplacer",
     "ctx = Context(definitions={z_next: first}, sizes={D: (2, 3), Ml: (3, 1), Mn: (2, 4)})",
     "ctx = Context(definitions={z_next: first}, sizes={D: (2, 3), Ml: (3, 2), Mn: (2, 4)})"): CONFIG,
    ("derive/exercises/f_noise_variance.py", "NumberReplacer",
     "net = ToyNetwork((2, 3, 2))", "net = ToyNetwork((2, 4, 2))"): CONFIG,
    ("derive/exercises/output_layer.py", "NumberReplacer",
     "SIZES = (3, 2, 4)  # K at the numeric points", "SIZES = (3, 1, 4)  # K at the numeric points"): CONFIG,
    ("derive/exercises/vectorised_form.py", "NumberReplacer",
     "return sum((m + 1) * n for m, n in zip(model.widths, model.widths[1:]))",
     "return sum((m + 2) * n for m, n in zip(model.widths, model.widths[1:]))"):
        "equivalent: the weight count only picks which check a shape gets (all four checks below 1000 "
        "weights, full size above); no shape verify checks is near the bound, and either check verifies",
    ("derive/rules/deltas.py", "ReplaceComparisonOperator_Eq_Lt",
     "if f.is_Mul and len(varying) == 1:", "if f.is_Mul and len(varying) < 1:"):
        "equivalent in the maths: sp.diff then differentiates the product, the same derivative; the "
        "branch only keeps constant factors outside on the sheet (the golden sheet test sees it)",
    ("derive/rules/likelihood.py", "AddNot",
     "expr = expr.doit(deep=False) if isinstance(expr, Named) else expr",
     "expr = expr.doit(deep=False) if not isinstance(expr, Named) else expr"):
        "equivalent: the canonical form of both sides of a comparison is taken alike; evaluating the top "
        "level of an expression that is not a name closes no sum at symbolic sizes",
    ("derive/rules/deltas.py", "ReplaceComparisonOperator_Eq_NotEq", "if new == expr:", "if new != expr:"):
        "equivalent for verify: every Kronecker sum of the derivations closes in one pass (nested sums close "
        "bottom-up in one replace), so stopping after the first changing pass changes nothing; the loop is "
        "for one Sum over two ranges, and tests/test_rules.py::test_kronecker_sums_pick_the_term, which has "
        "one, kills this mutant",
    ("derive/emit/code/printer.py", "ReplaceBinaryOperator_Div_BitXor",
     "denominator = [1 / f for f in factors if f.is_Pow and f.exp.is_negative]",
     "denominator = [1 ^ f for f in factors if f.is_Pow and f.exp.is_negative]"):
        "unreached: no expression the registered activations and losses emit is a product with a "
        "negative power (1/x prints through _print_Pow)",
    ("derive/core/verify.py", "NumberReplacer",
     "return value if value.is_Rational and value != 0 else None",
     "return value if value.is_Rational and value != 1 else None"):
        "equivalent for verify: every true link of the derivations closes by expand before a witness is "
        "sought, so only wrong claims (the controls) get here; a witness of value 1 is then dropped and "
        "simplify rejects the claim instead",
    ("derive/rules/deltas.py", "ReplaceComparisonOperator_Eq_LtE",
     "return (isinstance(e, sp.Sum) and len(e.limits) == 1 and e.limits[0][1:] == (1, K)",
     "return (isinstance(e, sp.Sum) and len(e.limits) <= 1 and e.limits[0][1:] == (1, K)"):
        "equivalent: a Sum has at least one range, so <= 1 is == 1",
}
