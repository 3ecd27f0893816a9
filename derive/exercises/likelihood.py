"""Exercises e-h: losses from maximum likelihood, the sigma^2 optimum, minibatch gradients."""
from __future__ import annotations
