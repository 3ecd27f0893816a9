"""derive: a symbolic derivation engine for the mathematics of feed-forward networks.

It builds an L-layer feed-forward network symbolically (Bishop, PRML ch. 5), derives the
answers to DTU 02456 Exercise 1 (a to l) step by step, verifies every step by two
independent routes, and renders the verified derivations as solution sheets and as NumPy
code.
"""
from __future__ import annotations

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:  # type: ignore[no-untyped-def]
    """`%load_ext derive`: the %%check cell magic (derive.check.magic); IPython is imported only here."""
    from derive.check.magic import register
    register(ipython)
