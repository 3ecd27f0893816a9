"""Exercises i-l and the vectorised form: error backpropagation."""
from __future__ import annotations
