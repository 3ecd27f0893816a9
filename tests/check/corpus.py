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

# --- the whole corpus: (exercise, answer, verdict, convention, mistake ids it must name) ---------------
Row = tuple[str, str, str, "str | None", tuple[str, ...]]
Y = "y_j = "
H1 = r"h_1\left({inner}\right)"
IN0 = r"\sum_{{{i}=0}}^{{D}} w_{{{m}{i}}}^{{(1)}} x_{i}"
IN1 = r"w_{{{m}0}}^{{(1)}} + \sum_{{{i}=1}}^{{D}} w_{{{m}{i}}}^{{(1)}} x_{i}"


def a_answer(outer: str, inner: str, m: str = "m", i: str = "i") -> str:
    """y_j for one hidden layer; outer/inner: "0" (sum from 0), "1" (bias written out), "miss", "twice"."""
    body = {"0": IN0, "1": IN1, "miss": r"\sum_{{{i}=1}}^{{D}} w_{{{m}{i}}}^{{(1)}} x_{i}",
            "twice": r"w_{{{m}0}}^{{(1)}} + \sum_{{{i}=0}}^{{D}} w_{{{m}{i}}}^{{(1)}} x_{i}"}[inner].format(m=m, i=i)
    s = rf"\sum_{{{m}=1}}^{{M}} w_{{j{m}}}^{{(2)}} h_1\left({body}\right)"
    top = {"1": r"w_{j0}^{(2)} + " + s, "miss": s, "twice": r"w_{j0}^{(2)} + " + s.replace(f"{m}=1", f"{m}=0")}[outer]
    return Y + rf"h_2\left({top}\right)"


def b_answer(bias: str, k: str = "k") -> str:
    inner = rf"\sum_{{i=0}}^{{D}} w_{{{k}i}}^{{(1)}} x_i" if bias != "miss1" else rf"\sum_{{i=1}}^{{D}} w_{{{k}i}}^{{(1)}} x_i"
    mid = rf"\sum_{{{k}=1}}^{{M_1}} w_{{m{k}}}^{{(2)}} h_1\left({inner}\right)"
    mid = mid if bias == "miss2" else (r"w_{m0}^{(2)} + " + (mid.replace(f"{k}=1", f"{k}=0") if bias == "twice" else mid))
    return Y + rf"h_3\left(w_{{j0}}^{{(3)}} + \sum_{{m=1}}^{{M_2}} w_{{jm}}^{{(3)}} h_2\left({mid}\right)\right)"


C4 = r"y_j = z_j^{(L)}"
C5 = r"z_j^{(l)} = h_l(a_j^{(l)})"
C6 = r"a_j^{(l)} = \sum_{i=0}^{M_{l-1}} w_{ji}^{(l)} z_i^{(l-1)}"
C7 = r"a_j^{(1)} = \sum_{i=0}^{D} w_{ji}^{(1)} x_i"
SS = r"\sum_{n=1}^{N} \sum_{d=1}^{D} (y_{nd} - t_{nd})^2"
CE = r"\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log y_{nk}"
GW = r"\frac{\partial E}{\partial w_{ji}^{(l)}} = "


def rows() -> list[Row]:
    out: list[Row] = [(e, a, v, c, ()) for e, a, v, c in CORRECT] + [(e, a, "wrong", None, (m,)) for e, a, m in MISTAKES]
    for m, i in (("m", "i"), ("k", "i"), ("q", "p"), ("r", "s"), ("u", "v"), ("a", "b")):  # a: the bias either way, any index names
        out += [("a", a_answer("1", "0", m, i), "correct", None, ()), ("a", a_answer("1", "1", m, i), "correct", None, ()),
                ("a", a_answer("miss", "0", m, i), "wrong", None, ("bias-missing",)),
                ("a", a_answer("1", "miss", m, i), "wrong", None, ("bias-missing",)),
                ("a", a_answer("twice", "0", m, i), "wrong", None, ("bias-twice",)),
                ("a", a_answer("1", "twice", m, i), "wrong", None, ("bias-twice",))]
    for k in ("k", "p", "r", "q"):
        out += [("b", b_answer("ok", k), "correct", None, ()), ("b", b_answer("miss1", k), "wrong", None, ("bias-missing",)),
                ("b", b_answer("miss2", k), "wrong", None, ("bias-missing",)),
                ("b", b_answer("twice", k), "wrong", None, ("bias-twice",))]
    eqs = [C4, C5, C6, C7]
    out += [("c", r" \\ ".join(eqs), "correct", None, ()), ("c", r" \\ ".join(reversed(eqs)), "correct", None, ()),
            ("c", r" \\ ".join([C4, C5, C6.replace("{i=0}", "{m=0}").replace("_{ji}", "_{jm}").replace("z_i", "z_m"), C7]),
             "correct", None, ()),
            ("c", r" \\ ".join([C4, C5, r"a_j^{(l)} = w_{j0}^{(l)} + \sum_{i=1}^{M_{l-1}} w_{ji}^{(l)} z_i^{(l-1)}", C7]),
             "correct", None, ())]
    out += [("c", r" \\ ".join(eqs[:n] + eqs[n + 1:]), "incomplete", None, ()) for n in range(4)]
    out += [("c", r" \\ ".join([C4, C5, C6.replace("{i=0}", "{i=1}"), C7]), "wrong", None, ("bias-missing",)),
            ("c", r" \\ ".join([C4, C5, C6, C7.replace("{i=0}", "{i=1}")]), "wrong", None, ("bias-missing",)),
            ("c", r" \\ ".join([C4, C5, r"a_j^{(l)} = w_{j0}^{(l)} + " + C6[12:], C7]), "wrong", None, ("bias-twice",)),
            ("c", r" \\ ".join([C4, C5, C6, r"a_j^{(1)} = w_{j0}^{(1)} + " + C7[12:]]), "wrong", None, ("bias-twice",)),
            ("c", r" \\ ".join([C4, C5, C6.replace("(l-1)", "(l)"), C7]), "wrong", None, ("wrong-layer",)),
            ("c", r" \\ ".join([C4, C5, C6.replace("w_{ji}", "w_{ij}"), C7]), "wrong", None, ("swapped-indices",))]
    for lhs in ("E = ", "E(w) = "):
        out += [("e", lhs + SS, "correct", None, ()), ("e", lhs + r"\sum_{n=1}^{N} \|y_n - t_n\|^2", "correct", None, ()),
                ("e", lhs + r"\sum_{n=1}^{N} \sum_{d=1}^{D} (t_{nd} - y_{nd})^2", "correct", None, ()),
                ("e", lhs + r"\frac{1}{2}" + SS, "convention", "half-sum-of-squares", ()),
                ("e", lhs + r"\frac12 \sum_{n=1}^{N} \|y_n - t_n\|^2", "convention", "half-sum-of-squares", ()),
                ("e", lhs + r"\frac{1}{N}" + SS, "convention", "mean-over-data", ()),
                ("e", lhs + "-" + SS, "wrong", None, ("sign",)), ("e", lhs + "3" + SS, "wrong", None, ("factor",)),
                ("e", lhs + r"\sum_{n=1}^{N} \sum_{n=1}^{D} (y_{nn} - t_{nn})^2", "wrong", None, ("reused-index",))]
    for lhs, sq in ((r"\sigma^2 = ", False), (r"\sigma^{2} = ", False), (r"\sigma = ", True)):
        f = (lambda s: rf"\sqrt{{{s}}}") if sq else (lambda s: s)
        out += [("f", lhs + f(r"\frac{E}{ND}"), "correct", None, ()), ("f", lhs + f(r"\frac{E}{DN}"), "correct", None, ()),
                ("f", lhs + f(r"\frac{1}{N D} E"), "correct", None, ()), ("f", lhs + f(r"E / (N D)"), "correct", None, ()),
                ("f", lhs + f(r"\frac{E}{N}"), "wrong", None, ("wrong-count",)),
                ("f", lhs + f(r"\frac{E}{D}"), "wrong", None, ("wrong-count",)),
                ("f", lhs + f(r"\frac{E}{(N-1) D}"), "wrong", None, ("wrong-count",)),
                ("f", lhs + f(r"\frac{E}{ND - 1}"), "wrong", None, ("wrong-count",))]
    out += [("f", r"\sigma = \frac{E}{ND}", "wrong", None, ("sigma-not-squared",)),
            ("f", r"\sigma^2 = \sqrt{\frac{E}{ND}}", "wrong", None, ("sigma-not-squared",)),
            ("f", r"\sigma = \frac{1}{ND} E", "wrong", None, ("sigma-not-squared",)), ("f", r"\frac{E}{ND}", "correct", None, ())]
    for lhs in ("E = ", "E(w) = ", ""):
        out += [("g", lhs + "-" + CE, "correct", None, ()),
                ("g", lhs + r"-\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \ln y_{nk}", "correct", None, ()),
                ("g", lhs + r"\sum_{n=1}^{N} \sum_{k=1}^{K} (-t_{nk}) \log y_{nk}", "correct", None, ()),
                ("g", lhs + r"-\sum_{m=1}^{N} \sum_{c=1}^{K} \log(y_{mc}) t_{mc}", "correct", None, ()),
                ("g", lhs + "-" + CE.replace("t_{nk} \\log y_{nk}", "y_{nk} \\log t_{nk}"), "wrong", None, ("swapped-arguments",)),
                ("g", lhs + CE, "wrong", None, ("sign",)),
                ("g", lhs + r"-\sum_{n=1}^{N} \sum_{n=1}^{K} t_{nn} \log y_{nn}", "wrong", None, ("reused-index",))]
    for form in (r"\frac{B}{N}", r"B/N", r"\frac{1}{N} B", r"B \cdot \frac{1}{N}"):
        out += [("h", form, "correct", None, ())]
    out += [("h", s, "convention", "mean-over-data", ()) for s in ("1", r"\frac{N}{N}", r"\frac{B}{B}")]
    out += [("h", s, "wrong", None, ("wrong-count",)) for s in (r"\frac{1}{N}", r"\frac{B}{N-1}", r"\frac{B-1}{N}", "B")]
    out += [("h", s, "wrong", None, ()) for s in (r"\frac{N}{B}", r"\frac{B^2}{N}")]
    for n in ("n", "m", "p", "q", "r", "s", "u", "v", "b"):
        z, dl = rf"z_{{{n}i}}^{{(l-1)}}", rf"\delta_{{{n}j}}^{{(l)}}"
        out += [("l", GW + rf"\sum_{{{n}=1}}^{{N}} {dl} {z}", "correct", None, ()),
                ("l", GW + rf"\sum_{{{n}=1}}^{{N}} \delta_j^{{(l)}} {z}", "wrong", None, ("missing-data-index",)),
                ("l", GW + rf"\sum_{{{n}=1}}^{{N}} {dl} z_i^{{(l-1)}}", "wrong", None, ("missing-data-index",)),
                ("l", GW + rf"\left(\sum_{{{n}=1}}^{{N}} {dl}\right) \left(\sum_{{{n}=1}}^{{N}} {z}\right)", "wrong", None,
                 ("sum-misplaced",))]
    return out


HOSTILE: list[Row] = [(e, a, "unreadable", None, ()) for e in ("a", "f", "l") for a in (
    r"\input{/etc/passwd}", "__import__('os').system('ls')", "x" * 10**6, "{" * 500 + "y" + "}" * 500,
    r"y_j = \foo", "}}}", "\\" * 5000, r"\sigma^2 = \frac{E}{", "")]
CORPUS: list[Row] = rows() + HOSTILE

# --- notation around the exercise's own (tests/check/test_notation_*.py): bars, sets, d, hats, cases, |x| ----
NOTATION: list[Row] = [
    ("i", DL + r"\left. \frac{\partial E}{\partial a}\right|_{a = a_j^{(L)}} = y_j - t_j", "correct", None, ()),
    ("i", DL + r"\left. \frac{\partial E}{\partial a}\right|_{a = a_j^{(L)}} = t_j - y_j", "wrong", None, ("sign",)),
    ("j", D9 + r"\left.\frac{d h_l(a)}{d a}\right|_{a=a_j^{(l)}} " + SUM, "incomplete", None, ()),
    ("i", DL + r"\frac{\exp\{a_j^{(L)}\}}{\sum_{k \in \{1..K\}} \exp\{a_k^{(L)}\}} - t_j", "correct", None, ()),
    ("e", r"E = \sum_{n \in N} \sum_{1 \le d \le D} (y_{nd} - t_{nd})^2", "correct", None, ()),
    ("e", r"E = \sum_{n \in \{0, \ldots, N\}} \sum_{d=1}^{D} (y_{nd} - t_{nd})^2", "wrong", None, ()),
    ("f", r"\sigma^2 = \frac{1}{2}\frac{\partial^2}{\partial \sigma^2}\left(\frac{E \sigma^2}{ND}\right)", "correct", None, ()),
    ("f", r"\sigma^2 = \frac{\partial^2}{\partial \sigma^2}\left(\frac{E \sigma^2}{ND}\right)", "wrong", None, ("factor",)),
    ("i", DL + r"dE/da_j^{(L)} = y_j - t_j", "correct", None, ()),
    ("i", DL + r"\frac{d}{da_j^{(L)}} \left(-\sum_k t_k \log y_k\right) = t_j - y_j", "wrong", None, ("sign",)),
    ("i", DL + r"\hat{y}_j - t_j", "correct", None, ()),
    ("i", DL + r"\hat{y}_j - \hat{t}_j", "unreadable", None, ()),
    ("f", r"\hat{\sigma}^2 = \frac{E}{N}", "wrong", None, ("wrong-count",)),
    ("f", r"\sigma^2_{\text{ML}} = \frac{E}{ND}", "correct", None, ()),
    ("i", DL + r"\mathrm{softmax}(a^{(L)})_j - t_j", "correct", None, ()),
    ("i", DL + r"\operatorname{softmax}(a^{(L)})_j + t_j", "wrong", None, ()),
    ("g", r"E = -\sum_{n \in N} \sum_{k \in K} t_{nk} \mathrm{ln}\, \hat{y}_{nk}", "correct", None, ()),
    ("f", r"\sigma^2 = \begin{cases} \frac{E}{N} & N \geq 1 \\ 0 & \text{otherwise} \end{cases}", "wrong", None,
     ("wrong-count",)),
    ("e", r"E = \sum_{n=1}^{N} \sum_{d=1}^{D} |y_{nd} - t_{nd}|^2", "correct", None, ()),
    ("i", r"\boxed{\delta_j^{(L)} = y_j - t_j}", "correct", None, ()),
    ("i", DL + r"\mathbf{y}^T - t_j", "unreadable", None, ()),
]
CORPUS += NOTATION

# g's y is a softmax output, drawn in (0, 1) and summing to 1 over k: these need it (log of a positive y)
SOFTMAX_Y: list[Row] = [
    ("g", r"E = \sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log \frac{1}{y_{nk}}", "correct", None, ()),
    ("g", r"E = -\sum_{n=1}^{N} \log \prod_{k=1}^{K} y_{nk}^{t_{nk}}", "correct", None, ()),
    ("g", r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log \frac{y_{nk}}{\sum_{m=1}^{K} y_{nm}}", "correct", None, ()),
    ("g", r"E = \sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log y_{nk}^{-1}", "correct", None, ()),
    ("g", r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log (1 - y_{nk})", "wrong", None, ()),
    ("g", r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log \frac{y_{nk}}{\sum_{m=1}^{K} t_{nm}}", "wrong", None, ()),
]
CORPUS += SOFTMAX_Y

# found while grading notebooks (tests/check/test_grading_fixes.py): the sizes of a layer and its neighbours
# differ at some point, dE/da_j^(L) is delta_j^(L), a restated definition gives no result, side conditions
GRADING: list[Row] = [
    ("j", D9 + HP + r" \sum_{k=1}^{M_l} w_{kj}^{(l+1)} \delta_k^{(l+1)} \\ " + DW + r"\delta_j^{(l)} z_i^{(l-1)}",
     "wrong", None, ("wrong-layer",)),
    ("j", D9 + HP + r" \sum_{k=1}^{M_{l+1}} w_{kj}^{(l+1)} \delta_k^{(l+1)} \\ " + DW + r"\delta_j^{(l)} z_i^{(l-1)}",
     "correct", None, ()),
    ("i", r"\frac{\partial E}{\partial a_j^{(L)}} = y_j - t_j", "correct", None, ()),
    ("i", r"\frac{\partial E_n}{\partial a_j^{(L)}} = y_j - t_j", "correct", None, ()),
    ("i", r"\frac{\partial E_n}{\partial a_j^{(L)}} = t_j - y_j", "wrong", None, ("sign",)),
    ("k", r"\frac{\partial E}{\partial a_j^{(L)}} = 2(y_j - t_j) h_L'(a_j^{(L)})", "correct", None, ()),
    ("i", DL + r"\frac{\partial E}{\partial a_j^{(L)}}", "incomplete", None, ()),
    ("k", DL + r"\frac{\partial E}{\partial a_j^{(L)}}", "incomplete", None, ()),
    ("i", DL + r"\frac{\partial E}{\partial a_j^{(L)}} = y_j - t_j", "correct", None, ()),
    ("i", DL + r"y_j - t_j \quad \text{for all } j", "correct", None, ()),
    ("i", DL + r"y_j - t_j \quad \text{for } j = 1, \ldots, K", "correct", None, ()),
    ("i", DL + r"y_j - t_j \quad \forall j", "correct", None, ()),
    ("i", DL + r"y_j - t_j, \; j = 1..K", "correct", None, ()),
    ("i", DL + r"y_j + t_j \quad \text{for all } j", "wrong", None, ()),
]
CORPUS += GRADING

# two layers' activations traded (h_1 outside, h_2 inside): the nesting is right, the functions are not
EXCHANGED: list[Row] = [
    ("a", a_answer("1", "0").replace("h_2", "h_X").replace("h_1", "h_2").replace("h_X", "h_1"), "wrong", None,
     ("exchanged-activations",)),
    ("a", a_answer("1", "1", "k", "p").replace("h_2", "h_X").replace("h_1", "h_2").replace("h_X", "h_1"), "wrong",
     None, ("exchanged-activations",)),
    ("b", b_answer("ok").replace("h_3", "h_X").replace("h_1", "h_3").replace("h_X", "h_1"), "wrong", None,
     ("exchanged-activations",)),
    ("b", b_answer("ok").replace("h_3", "h_X").replace("h_2", "h_3").replace("h_X", "h_2"), "wrong", None,
     ("exchanged-activations",)),
]
CORPUS += EXCHANGED
