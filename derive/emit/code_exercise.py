"""Exercise "code": the module `derive code` writes, run and checked (registered by verify and the sheet).

It sits outside derive.emit.code, which may not import the exercises. `registered()` adds it
to the registry, last, while `derive verify` or `derive sheet` runs; the exercise's own sheet
leaves it out (derive.emit.sheet.EXERCISE_SHEET), a network's sheet shows it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from derive.core import activations, losses
from derive.core.checks import Check
from derive.backprop.matrix_form import Model
from derive.emit.code import verify_code
from derive.emit.code.plan import readable
from derive.exercises.base import REGISTRY, Config, Exercise, exercise

ID = "code"


def build(config: Config) -> Exercise:
    """The emitted module for config's architecture, each loss and reduction, against route 2 and FD."""
    shape = ",".join(map(str, config.widths))
    hidden = ",".join(config.activations) or "no hidden layer"
    names = (losses.get(config.loss).name,) if config.loss is not None else tuple(losses.names())
    reductions = ((losses.check_reduction(config.reduction),) if config.reduction is not None
                  else losses.REDUCTIONS)
    return Exercise(
        ID, "emitted NumPy module: loss, gradients, sgd_step",
        f"The module that derive code writes for widths {shape} ({hidden}; {', '.join(names)}; each "
        f"with --reduction {' and '.join(reductions)}; float64), imported and run: its loss, gradients() "
        "and sgd_step() agree with route 2 and with central differences of its own loss; then the "
        f"same for widths {','.join(map(str, SWEEP_WIDTHS))} with every other activation in both "
        f"hidden layers ({', '.join(SWEEP_LOSSES)}, reduction sum).",
        conventions=[("W<l> (M_l, M_{l-1}) with row j the unit j, b<l> (M_l,); X (N, D) one example "
                      "per row; E summed over the batch (mean: divided by N, the number of examples)"),
                     *equations(config, names[0], reductions[0])],
        extra_checks=verify_code.checks(config.widths, config.activations, reductions=reductions, names=names)
        + every_activation(config, names if config.loss is not None else SWEEP_LOSSES))


def equations(config: Config, loss: str, reduction: str) -> list[str]:
    """The module's equations for the first loss, as its header writes them (readable NumPy)."""
    if loss == "cross-entropy" and config.widths[-1] < 2:
        return []
    m = Model.of(config.widths, config.activations, loss, reduction=reduction)
    lines = [f"{readable(a)}  ({a.cite})" for a in m.forward() + m.backward()]
    return [f"The equations it computes ({loss}, {reduction}): " + "; ".join(lines) + "."]


SWEEP_WIDTHS = (3, 4, 3, 2)  # two hidden layers: every activation the emitter knows, in turn
SWEEP_LOSSES = ("sum-of-squares", "gaussian-nll", "cross-entropy")  # the others' output layers: config's widths


def every_activation(config: Config, names: tuple[str, ...] = verify_code.LOSSES) -> list[Check]:
    """The same checks for each registered activation not in config's (each printed its own way)."""
    others = [name for name in activations.names() if name not in config.activations]
    return [c for name in others for c in verify_code.checks(SWEEP_WIDTHS, (name, name), seed=1, names=names)]


@contextmanager
def registered() -> Iterator[None]:
    """The registry with exercise "code" last, for the duration; as it was afterwards."""
    before = dict(REGISTRY)
    REGISTRY.pop(ID, None)
    exercise(ID)(build)
    try:
        yield
    finally:
        REGISTRY.clear()
        REGISTRY.update(before)
