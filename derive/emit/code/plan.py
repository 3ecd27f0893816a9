"""The plan of an emitted module: every line of code, prepared here, laid out by module.py.j2.

From the verified batch-major model (derive/vectorised.py) this module prepares

- the readable forward pass (`_logits`, `forward`, `loss`): the printer's line per equation;
- the fast `gradients`: the same assignments as in-place statements into buffers made once
  per batch size N, each block under its readable line as a comment, in an order that lets
  the backward pass overwrite what it no longer needs: for l = L, ..., 1 first Delta^(l),
  then dW^(l) = Delta^(l)T Z^(l-1) and db^(l), and only then Delta^(l-1), which overwrites
  Z^(l-1) with h'(.) (eq. 9).
The output layer and the loss come from derive/emit/code_losses.py. relu'(0) is taken as 0,
as PyTorch does (the step A > 0); SymPy's Heaviside(0) is 1/2.
"""
from __future__ import annotations

import shlex

import sympy as sp

from derive.backprop.matrix_form import Assignment, Model
from derive.core import losses
from derive.core.errors import DeriveError
from derive.core.options import parse_activations, parse_widths
from derive.emit import environment
from derive.emit.code import losses as code_losses
from derive.emit.code.inplace import matrix_into
from derive.emit.code.printer import DTYPES, Block, render

TEMPLATE = "module.py.j2"
ONES = "ones"  # the kept vector of N ones


class Emitted(Model):
    """The verified model with PyTorch's relu'(0) = 0: Heaviside(a) becomes Heaviside(a, 0)."""

    def h_prime(self, l: int) -> sp.MatrixExpr:
        step_at_zero: sp.MatrixExpr = super().h_prime(l).replace(
            sp.Heaviside, lambda x, *_: sp.Heaviside(x, 0))
        return step_at_zero


def model_of(widths: str, activation: str, loss: str, dtype: str, reduction: str = "sum") -> Model:
    """The `derive code` options as a Model; one-line DeriveError for anything invalid."""
    shape = parse_widths(widths)
    names = parse_activations(activation, len(shape) - 2)
    losses.get(loss)  # an unknown loss raises with the choices (derive.core.losses)
    losses.check_reduction(reduction)
    if dtype not in DTYPES:
        raise DeriveError(f"unknown dtype {dtype!r}; choose from: {', '.join(DTYPES)}")
    return Emitted.of(shape, names, loss, reduction=reduction)


def readable(a: Assignment) -> str:
    return f"{a.target.name} = {render(a.value)}"


def needed_later(m: Model, name: str) -> bool:
    """Does the backward pass read the matrix `name` (then it needs a buffer of its own)?"""
    return any(name in {s.name for s in a.value.atoms(sp.MatrixSymbol)} for a in m.backward())


def buffers(m: Model) -> list[tuple[str, int]]:
    """Work arrays (name, width): A<l>, Z<l> where h' reads A<l>, Delta<l> for l < L."""
    out = [(f"A{l}", m.widths[l]) for l in range(1, m.L + 1)]
    out += [(f"Z{l}", m.widths[l]) for l in range(1, m.L) if needed_later(m, f"A{l}")]
    out += [(f"Delta{l}", m.widths[l]) for l in range(1, m.L)]
    return out + code_losses.buffers(m)


def allocations(m: Model) -> list[tuple[str, str]]:
    """(name, NumPy call) of every kept array; `ones` makes db = Delta^T 1 one GEMV, which
    measured twice as fast as Delta.sum(axis=0) from N = 50 to N = 1024."""
    made = [(name, f"np.empty((N, {width}), DTYPE)") for name, width in buffers(m)]
    return made + [(ONES, "np.ones(N, DTYPE)")]


def forward_blocks(m: Model) -> list[Block]:
    """Eqs. (5)-(6) into buffers; Z<l> overwrites A<l> unless the backward pass reads A<l>."""
    own = {name for name, _ in buffers(m)}
    blocks = []
    for a in m.forward()[:-1]:  # Z<L> belongs to the output layer
        name = a.target.name
        if isinstance(a.value, sp.MatrixSymbol):  # identity: Z<l> is A<l>
            lines = [readable(a)]
        else:
            out = name if name in own else f"A{name[1:]}"
            lines = matrix_into(a.value, out)
            if out != name:  # name the result: Z1 = np.tanh(A1, out=A1), or Z1 = A1 after +=
                augmented = lines[-1].startswith((f"{out} ", f"np.copyto({out},"))
                lines = lines + [f"{name} = {out}"] if augmented else lines[:-1] + [f"{name} = {lines[-1]}"]
        blocks.append(Block(f"{readable(a)}  {a.cite}", lines))
    return blocks


def backward_blocks(m: Model) -> list[Block]:
    """Delta<l> (eq. 9, h' computed in place of the dead Z<l> or A<l>), dW<l>, db<l> (eq. 8)."""
    steps = {a.target.name: a for a in m.backward()}
    blocks = []
    for l in range(m.L, 0, -1):
        if l < m.L:
            a = steps[f"Delta{l}"]
            blocks.append(Block(f"{readable(a)}  {a.cite}", matrix_into(a.value, f"Delta{l}")))
        dW, db = steps[f"dW{l}"], steps[f"db{l}"]  # the readable dW line is already the fast one
        blocks.append(Block("", [f"{readable(dW)}  # {dW.cite}"]))
        blocks.append(Block("", [f"db{l} = {render(db.value, ONES)}  # {readable(db)}, {db.cite}"]))
    return blocks


def quote(name: str) -> str:
    return f'"{name}"'


def quoted(names: tuple[str, ...]) -> str:
    """A tuple of strings written with double quotes: ("tanh",), ("tanh", "relu")."""
    return "(" + ", ".join(map(quote, names)) + ("," if len(names) == 1 else "") + ")"


CHECK = {"float64": ("1e-06", "1e-06"), "float32": ("0.003", "0.02")}  # (eps, tol) of check_gradients


def context(m: Model, dtype: str) -> dict[str, object]:
    """Every string the template places."""
    names = [f"{p}{l}" for l in range(1, m.L + 1) for p in ("W", "b")]
    hidden = tuple(a.name for a in m.hidden)
    typed = ",".join(a.typed or a.name for a in m.hidden)  # NAME=EXPR for a typed activation
    command = ["derive", "code", "--widths", ",".join(map(str, m.widths)),
               "--activation", typed or "identity", "--loss", m.loss, "--dtype", dtype]
    if m.reduction != "sum":
        command[-2:-2] = ["--reduction", m.reduction]
    out = code_losses.output(m)
    work = [name for name, _ in allocations(m)]
    return {
        "template": f"templates/{TEMPLATE}",
        "command": shlex.join(command),
        "widths": repr(m.widths),
        "widths_text": "-".join(map(str, m.widths)),
        "activations": quoted(hidden),
        "activations_text": f"{'/'.join(hidden)} hidden" if hidden else "no hidden layer",
        "loss": m.loss,
        "loss_text": f"{m.loss} loss" + ("" if m.reduction == "sum" else f", {m.reduction} reduction"),
        "reduction": m.reduction,
        "dtype": dtype,
        "eps": CHECK[dtype][0],
        "tol": CHECK[dtype][1],
        "equations": [f"{readable(a):44s} {a.cite}" for a in m.forward() + m.backward()],
        "relu": any(a.name == "relu" for a in m.hidden),
        "notes": notes(m),
        "scipy": needs_scipy(m),
        "unpack": ", ".join(names) + " = " + ", ".join(f"params[{q}]" for q in map(quote, names)),
        "logits": [readable(a) for a in m.forward()[:-1]],
        "logits_name": f"A{m.L}",
        "output": out,
        "targets": code_losses.targets(m),
        "buffers": allocations(m),
        "buffer_names": ", ".join(work) + ("," if len(work) == 1 else ""),
        "blocks": forward_blocks(m) + code_losses.fast_blocks(m) + backward_blocks(m),
        "grads": ", ".join(f"{quote(n)}: d{n}" for n in names),
        "softmax": m.spec.output == "softmax",
    }


def needs_scipy(m: Model) -> bool:
    """erf (exact GELU) comes from scipy.special: NumPy has none, and math.erf takes scalars."""
    return any(act.h.has(sp.erf) or act.dh.has(sp.erf) for act in m.hidden)


def notes(m: Model) -> list[str]:
    """Header lines: each typed activation's formula, each kink's convention, SciPy where needed."""
    out = []
    for act in dict.fromkeys(m.hidden):
        if act.typed:
            out.append(f"{act.name} was typed as {act.typed!r}.")
        if act.convention and act.name != "relu":
            out.append(act.convention + ".")
    if needs_scipy(m):
        out.append("erf comes from scipy.special (NumPy has none): this module needs SciPy.")
    return out


def source_of(m: Model, dtype: str) -> str:
    """The text of the emitted module of the model (from model_of) in this dtype."""
    return environment().get_template(TEMPLATE).render(**context(m, dtype))


def module_source(widths: str, activation: str, loss: str, dtype: str, reduction: str = "sum") -> str:
    """The text of the emitted module for these options (same options, same bytes)."""
    return source_of(model_of(widths, activation, loss, dtype, reduction), dtype)
