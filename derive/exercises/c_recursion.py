"""Exercise c: the L-layer network as the recursion (4)-(7), unrolled back to a) and b)."""
from __future__ import annotations

from derive.core.network import Network
from derive.exercises.a_b_closed_form import LAYERS, eliminate
from derive.exercises.base import Config, Exercise, exercise


@exercise("c")
def exercise_c(config: Config) -> Exercise:
    """The recursion (4)-(7) is the network's definitions; unrolled it gives a) and b)."""
    derivations = [eliminate(Network.generic(L), f"unrolling (4)-(7) at $L = {L}$ gives {ex})", "z")
                   for ex, L in LAYERS.items()]
    return Exercise("c", "The L-layer recursion",
                    "Exercise c): write the network with L layers of weights as a recursion over "
                    "the layer index $l$: the output (4), the activations (5), the pre-activations "
                    "(6) and the first layer (7) (Bishop eqs. 5.2-5.4 per layer); unrolled, the "
                    "recursion must give back a) and b).",
                    ["$y_j = z_j^{(L)}$ (4); $z_j^{(l)} = h_l(a_j^{(l)})$ for $l = 1, \\dots, L$ (5); "
                     "$a_j^{(l)} = \\sum_{i=0}^{M_{l-1}} w_{ji}^{(l)} z_i^{(l-1)}$ for "
                     "$l = 2, \\dots, L$ (6); $a_j^{(1)} = \\sum_{i=0}^{D} w_{ji}^{(1)} x_i$ (7).",
                     "The sum in (6) runs over the units of layer $l-1$ including the bias unit "
                     "$z_0^{(l-1)} = 1$; the rules below are these four equations applied in turn."],
                    derivations)
