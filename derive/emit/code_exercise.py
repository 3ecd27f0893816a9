"""Exercise "code": the module `derive code` writes, run and checked (registered by `derive verify`).

It sits outside derive.emit.code, which may not import the exercises. `registered()` adds it
to the registry, last, only while `derive verify` runs: the solution sheet, which builds the
whole registry, is about the derivations and has no section for it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from derive.core import activations
from derive.core.checks import Check
from derive.emit.code import verify_code
from derive.exercises.base import REGISTRY, Config, Exercise, exercise

ID = "code"


def build(config: Config) -> Exercise:
    """The emitted module for config's architecture, each loss, against route 2 and FD."""
    shape = ",".join(map(str, config.widths))
    hidden = ",".join(config.activations) or "no hidden layer"
    return Exercise(
        ID, "emitted NumPy module: loss, gradients, sgd_step",
        f"The module `derive code --widths {shape}` writes ({hidden}; sum-of-squares, "
        "gaussian-nll, cross-entropy; float64), imported and run: its loss, gradients() and "
        "sgd_step() agree with route 2 and with central differences of its own loss; then the "
        f"same for widths {','.join(map(str, SWEEP_WIDTHS))} with every other activation in both "
        "hidden layers.",
        conventions=["W<l> (M_l, M_{l-1}) with row j the unit j, b<l> (M_l,); X (N, D) one example "
                     "per row; E summed over the batch; gaussian-nll is route 2's half sum of squares "
                     "plus N K/2 log 2 pi"],
        extra_checks=verify_code.checks(config.widths, config.activations) + every_activation(config))


SWEEP_WIDTHS = (3, 4, 3, 2)  # two hidden layers: every activation the emitter knows, in turn


def every_activation(config: Config) -> list[Check]:
    """The same checks for each registered activation not in config's (each printed its own way)."""
    others = [name for name in activations.names() if name not in config.activations]
    return [c for name in others for c in verify_code.checks(SWEEP_WIDTHS, (name, name), seed=1)]


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
