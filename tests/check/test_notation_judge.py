"""The notation of test_notation_extra.py end to end: each construct in a correct answer (correct) and a wrong one."""
from __future__ import annotations

from functools import cache

import pytest

from derive.check.judge import Checker, Verdict, check

D9 = r"\delta_j^{(l)} = "
DW = r" \\ \frac{\partial E}{\partial w_{ji}^{(l)}} = \delta_j^{(l)} z_i^{(l-1)}"
SUM = r"\sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}"
DL = r"\delta_j^{(L)} = "
SS = r"\sum_{d=1}^{D} (y_{nd} - t_{nd})^2"

CASES = [  # (construct, exercise, a correct answer, a wrong one)
    ("evaluation bar", "j", D9 + r"\left.\frac{d h_l(a)}{d a}\right|_{a=a_j^{(l)}} " + SUM + DW,
     D9 + r"\left.\frac{d h_l(a)}{d a}\right|_{a=a_k^{(l+1)}} " + SUM + DW),
    ("evaluation bar in a chain", "i", DL + r"\left. \frac{\partial E}{\partial a}\right|_{a = a_j^{(L)}} = y_j - t_j",
     DL + r"\left. \frac{\partial E}{\partial a}\right|_{a = a_j^{(L)}} = t_j - y_j"),
    ("\\Big| bar", "i", DL + r"\frac{\partial E}{\partial a_j^{(L)}}\Big|_{a_j^{(L)} = a_j^{(L)}} = y_j - t_j",
     DL + r"\frac{\partial E}{\partial a_j^{(L)}}\Big|_{a_j^{(L)} = a_j^{(L)}} = y_j + t_j"),
    ("set braces", "i", DL + r"\frac{\exp\{a_j^{(L)}\}}{\sum_{k=1}^{K} \exp\{a_k^{(L)}\}} - t_j",
     DL + r"\frac{\exp\{a_j^{(L)}\}}{\sum_{k=1}^{K} \exp\{a_k^{(L)}\}} - 2 t_j"),
    ("\\in a set", "j", D9 + r"h_l'(a_j^{(l)}) \sum_{k \in \{1, \ldots, M_{l+1}\}} w_{kj}^{(l+1)} \delta_k^{(l+1)}" + DW,
     D9 + r"h_l'(a_j^{(l)}) \sum_{k \in \{1, \ldots, M_{l+1}\}} w_{jk}^{(l+1)} \delta_k^{(l+1)}" + DW),
    ("\\in a size", "e", r"E = \sum_{n \in N} " + SS, r"E = \sum_{n \in \{0, \ldots, N\}} " + SS),
    ("\\in {1..K}", "g", r"E = -\sum_{n=1}^{N} \sum_{k \in \{1..K\}} t_{nk} \log y_{nk}",
     r"E = -\sum_{n=1}^{N} \sum_{k \in \{1..K\}} y_{nk} \log t_{nk}"),
    ("1 \\le n \\le N", "e", r"E = \sum_{1 \le n \le N} " + SS, r"E = \sum_{1 \le n < N} " + SS),
    ("second derivative", "f", r"\sigma^2 = \frac{1}{2}\frac{\partial^2}{\partial \sigma^2}\left(\frac{E \sigma^2}{ND}\right)",
     r"\sigma^2 = \frac{\partial^2}{\partial \sigma^2}\left(\frac{E \sigma^2}{ND}\right)"),
    ("second derivative as a fraction", "f", r"\sigma^2 = \frac{\partial^2 (E \sigma^2)}{\partial \sigma^2} \frac{1}{2ND}",
     r"\sigma^2 = \frac{\partial^2 (E \sigma^2)}{\partial \sigma \partial \sigma} \frac{1}{ND}"),
    ("d-fractions", "j", D9 + r"\frac{d h_l(a_j^{(l)})}{d a_j^{(l)}} " + SUM
     + r" \\ \frac{dE}{dw_{ji}^{(l)}} = \delta_j^{(l)} z_i^{(l-1)}",
     D9 + r"\frac{d h_l(a_j^{(l)})}{d a_j^{(l)}} " + SUM + r" \\ \frac{dE}{dw_{ji}^{(l)}} = \delta_i^{(l)} z_j^{(l-1)}"),
    ("d/dx slash", "i", DL + r"dE/da_j^{(L)} = y_j - t_j", DL + r"dE/da_j^{(L)} = y_j"),
    ("d operator", "i", DL + r"\frac{d}{da_j^{(L)}} \left(-\sum_k t_k \log y_k\right) = y_j - t_j",
     DL + r"\frac{d}{da_j^{(L)}} \left(\sum_k t_k \log y_k\right) = y_j - t_j"),
    ("\\hat{y}", "i", DL + r"\hat{y}_j - t_j", DL + r"t_j - \hat{y}_j"),
    ("\\hat{\\sigma}", "f", r"\hat{\sigma}^2 = \frac{E}{ND}", r"\hat{\sigma}^2 = \frac{E}{N}"),
    ("\\sigma_{ML}", "f", r"\sigma^2_{\text{ML}} = \frac{E}{ND}", r"\sigma_{ML}^2 = \frac{E}{D}"),
    ("softmax", "i", DL + r"\mathrm{softmax}(a^{(L)})_j - t_j", DL + r"\operatorname{softmax}(a^{(L)})_j + t_j"),
    ("softmax of an entry", "i", DL + r"\text{softmax}(a_j^{(L)}) - t_j", DL + r"\text{softmax}(a_j^{(L)})"),
    ("\\operatorname{log}", "g", r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \operatorname{log}(y_{nk})",
     r"E = \sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \operatorname{log}(y_{nk})"),
    ("\\log_e", "g", r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \log_e y_{nk}",
     r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} y_{nk} \log_e t_{nk}"),
    ("cases", "f", r"\sigma^2 = \begin{cases} \frac{E}{ND} & N \geq 1 \\ 0 & \text{otherwise} \end{cases}",
     r"\sigma^2 = \begin{cases} \frac{E}{N} & N \geq 1 \\ 0 & \text{otherwise} \end{cases}"),
    ("|x|", "e", r"E = \sum_{n=1}^{N} \sum_{d=1}^{D} |y_{nd} - t_{nd}|^2",
     r"E = \sum_{n=1}^{N} \sum_{d=1}^{D} \lvert y_{nd} - t_{nd} \rvert"),
    ("\\boxed", "i", DL + r"\boxed{y_j - t_j}", r"\boxed{\delta_j^{(L)} = y_j + t_j}"),
    ("\\max", "f", r"\sigma^2 = \frac{E}{\max(N, 1) D}", r"\sigma^2 = \frac{E}{\max(N, 1)}"),
    ("\\mathrm{e}", "i", DL + r"\frac{\mathrm{e}^{a_j^{(L)}}}{\sum_{k=1}^{K} \mathrm{e}^{a_k^{(L)}}} - t_j",
     DL + r"\frac{\mathrm{e}^{a_j^{(L)}}}{\sum_{k=1}^{K} \mathrm{e}^{a_k^{(L)}}} - t_k"),
]


@cache
def checker(exercise: str) -> Checker:
    return Checker(exercise)


def judged(exercise: str, answer: str) -> Verdict:
    return checker(exercise).check(answer)


@pytest.mark.parametrize("construct, exercise, right, wrong", CASES, ids=[c[0] for c in CASES])
def test_the_construct_in_a_correct_and_a_wrong_answer(construct: str, exercise: str, right: str, wrong: str) -> None:
    good, bad = judged(exercise, right), judged(exercise, wrong)
    assert good.verdict == "correct", (construct, good.verdict, good.message, good.read_as)
    assert bad.verdict == "wrong", (construct, bad.verdict, bad.message, bad.read_as)


def test_a_hat_on_t_is_unreadable_with_the_reason() -> None:
    v = check("i", DL + r"\hat{y}_j - \hat{t}_j")
    assert v.verdict == "unreadable" and "targets t are data" in v.message


def test_the_read_back_shows_the_filled_in_set_range() -> None:
    v = judged("e", r"E = \sum_{n \in N} " + SS)
    assert "n ∈ N" not in v.read_as and "Σ_{n=1}^{N}" in v.read_as and "N as a set" in v.read_as
