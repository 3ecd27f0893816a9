"""The output layer's symbols, shared by exercises i and k.

Logits a_k^(L), outputs y_k, targets t_k, K outputs and sigma; K is checked at SIZES.
"""
from __future__ import annotations

import sympy as sp

from derive.core import notation as nt

k, j, K, sigma = nt.k, nt.j, nt.K, nt.sigma
k2 = sp.Symbol("k'", integer=True, positive=True)  # the softmax denominator's own index
a = sp.IndexedBase(str(nt.base("a", "L")), real=True)  # the logits a_k^(L); a str name: a Symbol label


# without the assumption would make SymPy differentiate a_k to 0
t, y = nt.base("t"), nt.base("y")
h_L = nt.h("L")
SIZES = (3, 2, 4)  # K at the numeric points
