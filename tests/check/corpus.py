"""Answers to exercises i, j, k, l with the verdict and mistakes derive must give them."""
from __future__ import annotations

D9 = r"\delta_j^{(l)} = "
DW = r"\frac{\partial E}{\partial w_{ji}^{(l)}} = "
DL = r"\delta_j^{(L)} = "
SUM = r"\sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}"
HP = r"h_l'(a_j^{(l)})"

CORRECT = [  # (exercise, answer, verdict, convention)
    ("j", D9 + HP + " " + SUM + r" \\ " + DW + r"\delta_j^{(l)} z_i^{(l-1)}", "correct", None),
    ("j", D9 + r"\sum_{m=1}^{M_{l+1}} \delta_m^{(l+1)} w_{mj}^{(l+1)} h'_l(a_j^{(l)}) \\ " + DW
     + r"z_i^{(l-1)} \delta_j^{(l)}", "correct", None),
    ("j", D9 + r"\frac{\partial E}{\partial a_j^{(l)}} = \sum_k \frac{\partial E}{\partial a_k^{(l+1)}} "
     r"\frac{\partial a_k^{(l+1)}}{\partial a_j^{(l)}} = \left(" + SUM + r"\right) " + HP + r" \\ " + DW
     + r"\delta_j^{(l)} z_i^{(l-1)}", "correct", None),
    ("j", r"\delta_m^{(l)} = h_l'(a_m^{(l)}) \sum_{j} w_{jm}^{(l+1)} \delta_j^{(l+1)} \\ " + DW
     + r"\frac{\partial E}{\partial a_j^{(l)}} z_i^{(l-1)}", "correct", None),
    ("i", DL + "y_j - t_j", "correct", None),
    ("i", DL + r"-t_j + y_j", "correct", None),
    ("i", r"\delta_j^{(L)} = \frac{\partial}{\partial a_j^{(L)}}\left(-\sum_k t_k \log y_k\right) = "
     r"\frac{e^{a_j^{(L)}}}{\sum_{k'} e^{a_{k'}^{(L)}}} - t_j", "correct", None),
    ("i", "y_j - t_j", "correct", None),
    ("k", DL + r"2(y_j - t_j) h_L'(a_j^{(L)})", "correct", None),
    ("k", DL + r"h'_L(a_j^{(L)}) \cdot 2 \left(y_j - t_j\right)", "correct", None),
    ("k", DL + r"2 y_j h_L'(a_j^{(L)}) - 2 t_j h_L'(a_j^{(L)})", "correct", None),
    ("l", DW + r"\sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l-1)}", "correct", None),
    ("l", DW + r"\sum_{m=1}^{N} z_{mi}^{(l-1)} \delta_{mj}^{(l)}", "correct", None),
    ("l", DW + r"\sum_n \frac{\partial E_n}{\partial w_{ji}^{(l)}} = \sum_n \delta_{nj}^{(l)} z_{ni}^{(l-1)}",
     "correct", None),
    ("k", DL + r"(y_j - t_j) h_L'(a_j^{(L)})", "convention", "half-sum-of-squares"),
    ("k", DL + r"h_L'(a_j^{(L)}) (y_j - t_j)", "convention", "half-sum-of-squares"),
    ("l", DW + r"\frac{1}{N} \sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l-1)}", "convention", "mean-over-data"),
    ("j", D9 + HP + " " + SUM, "incomplete", None),
    ("j", D9 + r"\ldots", "incomplete", None),
    ("i", DL + r"\ldots", "incomplete", None),
]

MISTAKES = [  # (exercise, answer, mistake id)
    ("j", D9 + SUM, "missing-derivative"),
    ("k", DL + r"2(y_j - t_j)", "missing-derivative"),
    ("k", DL + r"2 y_j - 2 t_j", "missing-derivative"),
    ("j", D9 + r"h_l(a_j^{(l)}) " + SUM, "activation-not-derivative"),
    ("k", DL + r"2(y_j - t_j) h_L(a_j^{(L)})", "activation-not-derivative"),
    ("j", D9 + r"\frac{\partial E}{\partial a_j^{(l)}} = h_l(a_j^{(l)}) " + SUM, "activation-not-derivative"),
    ("j", D9 + HP + r" \sum_k w_{jk}^{(l+1)} \delta_k^{(l+1)}", "swapped-indices"),
    ("l", DW + r"\sum_{n=1}^N \delta_{ni}^{(l)} z_{nj}^{(l-1)}", "swapped-indices"),
    ("j", D9 + HP + r" \sum_{m} w_{jm}^{(l+1)} \delta_m^{(l+1)}", "swapped-indices"),
    ("j", D9 + HP + r" \sum_k w_{kj}^{(l)} \delta_k^{(l+1)}", "wrong-layer"),
    ("j", D9 + HP + r" \sum_k w_{kj}^{(l+1)} \delta_k^{(l)}", "wrong-layer"),
    ("l", DW + r"\sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l)}", "wrong-layer"),
    ("i", DL + "t_j - y_j", "sign"),
    ("j", D9 + "-" + HP + " " + SUM, "sign"),
    ("l", DW + r"-\sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l-1)}", "sign"),
    ("j", D9 + "2" + HP + " " + SUM, "factor"),
    ("i", DL + "3(y_j - t_j)", "factor"),
    ("k", DL + r"4(y_j - t_j) h_L'(a_j^{(L)})", "factor"),
    ("j", D9 + r"h_l'(a_i^{(l)}) \sum_k w_{ki}^{(l+1)} \delta_k^{(l+1)}", "free-index"),
    ("i", DL + "y_k - t_k", "free-index"),
    ("l", DW + r"\sum_{n=1}^N \delta_{nk}^{(l)} z_{ni}^{(l-1)}", "free-index"),
    ("l", DW + r"\sum_{n=1}^N \sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l-1)}", "reused-index"),
    ("j", D9 + HP + r" \sum_k \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}", "reused-index"),
    ("i", DL + r"\sum_k \sum_k t_k y_j - t_j", "reused-index"),
]
