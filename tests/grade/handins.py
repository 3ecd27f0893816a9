"""A synthetic class built from the blank notebook (read, never copied): each hand-in with the rows it must get."""
from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path

import nbformat

from tests.check.corpus import C4, C5, C6, C7, CE, DL, DW, EXCHANGED, GW, HP, SS, SUM, a_answer, b_answer

ROOT = Path(__file__).resolve().parents[2]
BLANK = Path(os.environ.get("DERIVE_BLANK", ROOT.parent / "shared" / "reference" / "exercise-1-blank.ipynb"))
D9 = r"\delta_j^{(l)} = "
J_OK = D9 + HP + " " + SUM + r" \\ " + DW + r"\delta_j^{(l)} z_i^{(l-1)}"
Expected = dict[str, tuple[str, "str | None", tuple[str, ...]]]  # exercise -> (verdict, convention, mistakes)


def blank() -> nbformat.NotebookNode:
    return nbformat.read(str(BLANK), as_version=4)


def question(nb: nbformat.NotebookNode, ex: str) -> int:
    """The index of the cell with exercise ex's heading."""
    return next(n for n, c in enumerate(nb.cells) if c.cell_type == "markdown" and f"## Exercise {ex})" in c.source)


def template(nb: nbformat.NotebookNode, ex: str, latex: str) -> None:
    """The question's own $$ ... \\ldots ... $$ replaced by the answer (answered in the question cell)."""
    cell = nb.cells[question(nb, ex)]
    start = cell.source.rindex("$$", 0, cell.source.rindex("$$"))
    cell.source = cell.source[:start] + "$$\n" + latex + "\n$$"


def append(nb: nbformat.NotebookNode, ex: str, text: str) -> None:
    """Text added at the end of the question cell."""
    nb.cells[question(nb, ex)].source += "\n\n" + text


def new_cell(nb: nbformat.NotebookNode, ex: str, text: str, kind: str = "markdown", **extra: object) -> None:
    """A new cell after the question cell (and after the cells added before it)."""
    at = question(nb, ex) + 1
    while at < len(nb.cells) and nb.cells[at].get("metadata", {}).get("added"):
        at += 1
    cell = nbformat.v4.new_code_cell(text) if kind == "code" else nbformat.v4.new_markdown_cell(text)
    cell.metadata["added"] = True
    cell.update(extra)
    nb.cells.insert(at, cell)


def display(latex: str) -> str:
    return f"$$\n{latex}\n$$"


def align(*rows: str) -> str:
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"


MISSING: Expected = {e: ("missing", None, ()) for e in "abcdefghijkl"}
Maker = Callable[[nbformat.NotebookNode], None]
CLASS: list[tuple[str, Maker, Expected]] = []


def student(name: str, expected: Expected) -> Callable[[Maker], Maker]:
    def register(make: Maker) -> Maker:
        CLASS.append((name, make, {**MISSING, **expected}))
        return make
    return register


@student("s01_question_cell", {"a": ("correct", None, ()), "b": ("correct", None, ())})
def _(nb):
    template(nb, "a", a_answer("1", "0"))
    template(nb, "b", b_answer("ok"))


@student("s02_new_cells", {"i": ("correct", None, ()), "j": ("correct", None, ())})
def _(nb):
    new_cell(nb, "i", "The output delta:\n\n" + display(DL + "y_j - t_j"))
    new_cell(nb, "j", display(D9 + HP + " " + SUM))
    new_cell(nb, "j", display(DW + r"\delta_j^{(l)} z_i^{(l-1)}"))


@student("s03_align", {"c": ("correct", None, ())})
def _(nb):
    template(nb, "c", align(r"y_j & = z_j^{(L)} &", r"z^{(l)}_j & = h_l(a^{(l)}_j) & l=1,\ldots,L",
                            r"a^{(l)}_j & = \sum_{i=0}^{M_{l-1}} w^{(l)}_{ji} z^{(l-1)}_i & l=2,\ldots,L",
                            r"a^{(1)}_j & = \sum_{i=0}^D w^{(1)}_{ji} x_i &"))


@student("s04_chain", {"i": ("correct", None, ()), "k": ("correct", None, ())})
def _(nb):
    new_cell(nb, "i", "$$\n" + align(r"\delta_j^{(L)} &= \frac{\partial E}{\partial a_j^{(L)}}",
                                      r"&= \frac{e^{a_j^{(L)}}}{\sum_{k'} e^{a_{k'}^{(L)}}} - t_j",
                                      r"&= y_j - t_j") + "\n$$")
    new_cell(nb, "k", "First the loss $E = \\sum_k (y_k - t_k)^2$, then\n\n"
             + display(DL + r"2 y_j h_L'(a_j^{(L)}) - 2 t_j h_L'(a_j^{(L)}) = 2(y_j - t_j) h_L'(a_j^{(L)})"))


@student("s05_chain_false_link", {"i": ("wrong", None, ("factor",))})
def _(nb):
    new_cell(nb, "i", display(DL + r"y_j - t_j = 3(y_j - t_j)"))


@student("s06_nothing", {})
def _(nb):
    pass


@student("s07_attachment", {"j": ("image", None, ())})
def _(nb):
    new_cell(nb, "j", "My derivation:\n\n![photo](attachment:answer.png)",
             attachments={"answer.png": {"image/png": "iVBORw0KGgo="}})


@student("s08_img_tag", {"k": ("image", None, ()), "l": ("image", None, ())})
def _(nb):
    new_cell(nb, "k", '<img src="k_answer.jpg" width="400">')
    new_cell(nb, "l", "![my answer](l_answer.jpg)")


@student("s09_conventions", {"k": ("convention", "half-sum-of-squares", ()), "l": ("convention", "mean-over-data", ()),
                             "e": ("convention", "half-sum-of-squares", ()), "h": ("convention", "mean-over-data", ())})
def _(nb):
    new_cell(nb, "k", display(DL + r"(y_j - t_j) h_L'(a_j^{(L)})"))
    new_cell(nb, "l", display(DW + r"\frac{1}{N} \sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l-1)}"))
    new_cell(nb, "e", display(r"E = \frac{1}{2}" + SS))
    new_cell(nb, "h", "With means instead of sums the factor is $$1$$")


@student("s10_derivative_mistakes", {"j": ("wrong", None, ("missing-derivative",)),
                                     "k": ("wrong", None, ("activation-not-derivative",))})
def _(nb):
    new_cell(nb, "j", display(D9 + SUM + r" \\ " + DW + r"\delta_j^{(l)} z_i^{(l-1)}"))
    new_cell(nb, "k", display(DL + r"2(y_j - t_j) h_L(a_j^{(L)})"))


@student("s11_index_mistakes", {"l": ("wrong", None, ("swapped-indices",)), "i": ("wrong", None, ("free-index",))})
def _(nb):
    new_cell(nb, "l", display(DW + r"\sum_{n=1}^N \delta_{ni}^{(l)} z_{nj}^{(l-1)}"))
    new_cell(nb, "i", display(DL + "y_k - t_k"))


@student("s12_layer_sign", {"j": ("wrong", None, ("wrong-layer",)), "i": ("wrong", None, ("sign",))})
def _(nb):
    new_cell(nb, "j", display(D9 + HP + r" \sum_k w_{kj}^{(l)} \delta_k^{(l+1)} \\ " + DW + r"\delta_j^{(l)} z_i^{(l-1)}"))
    new_cell(nb, "i", display(DL + "t_j - y_j"))


@student("s13_factor_reused", {"k": ("wrong", None, ("factor",)), "l": ("wrong", None, ("reused-index",))})
def _(nb):
    new_cell(nb, "k", display(DL + r"4(y_j - t_j) h_L'(a_j^{(L)})"))
    new_cell(nb, "l", display(DW + r"\sum_{n=1}^N \sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l-1)}"))


@student("s14_bias", {"a": ("wrong", None, ("bias-missing",)), "b": ("wrong", None, ("bias-twice",))})
def _(nb):
    template(nb, "a", a_answer("miss", "0"))
    template(nb, "b", b_answer("twice"))


@student("s15_noise_variance", {"f": ("wrong", None, ("wrong-count",))})
def _(nb):
    new_cell(nb, "f", "Setting the derivative to zero gives " + display(r"\sigma^2 = \frac{E}{N}"))


@student("s16_sigma_squared", {"f": ("wrong", None, ("sigma-not-squared",))})
def _(nb):
    new_cell(nb, "f", display(r"\sigma = \frac{E}{ND}"))


@student("s17_dataset", {"l": ("wrong", None, ("missing-data-index",))})
def _(nb):
    new_cell(nb, "l", display(GW + r"\sum_{n=1}^{N} \delta_j^{(l)} z_{ni}^{(l-1)}"))


@student("s18_sum_misplaced", {"l": ("wrong", None, ("sum-misplaced",))})
def _(nb):
    new_cell(nb, "l", display(GW + r"\left(\sum_{n=1}^{N} \delta_{nj}^{(l)}\right) \left(\sum_{n=1}^{N} z_{ni}^{(l-1)}\right)"))


@student("s19_cross_entropy", {"g": ("wrong", None, ("swapped-arguments",)), "e": ("correct", None, ())})
def _(nb):
    new_cell(nb, "g", display(r"E = -" + CE.replace("t_{nk} \\log y_{nk}", "y_{nk} \\log t_{nk}")))
    new_cell(nb, "e", display(r"E(w) = " + SS))


@student("s20_incomplete", {"j": ("incomplete", None, ()), "a": ("incomplete", None, ())})
def _(nb):
    new_cell(nb, "j", display(D9 + HP + " " + SUM))
    template(nb, "a", r"y_j = h_2\left(\sum_{m=1}^{M} w_{jm}^{(2)} h_1(\ldots)\right)")


@student("s21_conflict", {"i": ("wrong", None, ("sign",))})
def _(nb):
    append(nb, "i", "So $$\\delta_j^{(L)} = y_j - t_j$$")
    new_cell(nb, "i", "Corrected: " + display(DL + "t_j - y_j"))


@student("s22_unreadable", {"i": ("unreadable", None, ())})
def _(nb):
    new_cell(nb, "i", display(DL + r"\bar{y}_j - t_j"))


@student("s23_headings_changed", {"i": ("correct", None, ()), "k": ("correct", None, ()), "b": ("correct", None, ())})
def _(nb):
    new_cell(nb, "k", "### Answer\n\n" + display(DL + r"2(y_j - t_j) h_L'(a_j^{(L)})"))
    template(nb, "b", b_answer("ok"))
    i, k, b = (nb.cells[question(nb, e)] for e in "ikb")
    i.source = i.source.replace("## Exercise i) ", "### Exercise i) - my answer") + "\n\n" + display(DL + "y_j - t_j")
    k.source = k.source.replace("## Exercise k) - optional", "**Exercise k)**")
    b.source = b.source.replace("## Exercise b)\n", "")  # the heading deleted: "b) Write ..." remains


@student("s24_lists_brackets_html", {"i": ("correct", None, ()), "f": ("correct", None, ()), "k": ("correct", None, ())})
def _(nb):
    new_cell(nb, "i", "Steps:\n\n1. the softmax derivative\n2. so $\\delta_j^{(L)} = y_j - t_j$")
    new_cell(nb, "f", "\\[ \\sigma^2 = \\frac{E}{ND} \\]")
    new_cell(nb, "k", '<span style="color:blue">$$' + DL + r"2(y_j - t_j) h_L'(a_j^{(L)})" + "$$</span>"
             + "\n\n<!-- $$\\delta_j^{(L)} = 7$$ -->")


@student("s25_words", {"h": ("not-graded", None, ()), "e": ("not-graded", None, ()), "d": ("not-graded", None, ())})
def _(nb):
    new_cell(nb, "h", "Gradienten på en tilfældig delmængde er i gennemsnit proportional med den sande gradient, "
             "fordi hvert datapunkt vælges med samme sandsynlighed.")
    new_cell(nb, "e", "Taking the log turns the product into a sum and does not move the optimum.")
    new_cell(nb, "d", "Without the non-linearities every layer is a matrix product, so the whole network is linear.")


@student("s26_code", {"h": ("not-graded", None, ()), "g": ("not-graded", None, ())})
def _(nb):
    new_cell(nb, "h", "import numpy as np\nfactor = B / N", kind="code")
    new_cell(nb, "g", "```\nE = -sum(t * log(y))\n```")


@student("s27_copied_question", {"j": ("missing", None, ()), "g": ("missing", None, ())})
def _(nb):
    q = nb.cells[question(nb, "j")].source
    new_cell(nb, "j", q[q.index("$$"):])  # the rule as the question states it, copied: not an answer


@student("s28_one_sided", {"h": ("correct", None, ()), "f": ("correct", None, ())})
def _(nb):
    new_cell(nb, "h", "The expected minibatch gradient is the full one times $\\frac{B}{N}$.")
    new_cell(nb, "f", display(r"\frac{E}{ND}"))


@student("s29_full_marks", {e: ("correct", None, ()) for e in "abcefghijkl"} | {"d": ("not-graded", None, ())})
def _(nb):
    template(nb, "a", a_answer("1", "1"))
    template(nb, "b", b_answer("ok", "p"))
    template(nb, "c", align(C4, C5, C6, C7))
    new_cell(nb, "d", "Each layer is then linear in its input; a composition of linear maps is linear: $$y = W x$$")
    new_cell(nb, "e", display(r"E = \sum_{n=1}^{N} \|y_n - t_n\|^2"))
    new_cell(nb, "f", display(r"\sigma^2 = \frac{1}{N D} E"))
    new_cell(nb, "g", display(r"E = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{nk} \ln y_{nk}"))
    new_cell(nb, "h", display(r"\frac{B}{N}"))
    new_cell(nb, "i", display(DL + "-t_j + y_j"))
    new_cell(nb, "j", display(J_OK))
    new_cell(nb, "k", display(DL + r"h'_L(a_j^{(L)}) \cdot 2 \left(y_j - t_j\right)"))
    new_cell(nb, "l", display(GW + r"\sum_{n=1}^N \delta_{nj}^{(l)} z_{ni}^{(l-1)}"))


@student("s30_words_with_symbols", {"h": ("not-graded", None, ())})
def _(nb):
    new_cell(nb, "h", "Each of the $N$ points is in the subset with probability $B$ over $N$.")


@student("s31_exchanged", {"a": ("wrong", None, ("exchanged-activations",))})
def _(nb):
    new_cell(nb, "a", "With one hidden layer:\n\n" + display(EXCHANGED[0][1]))


def build(folder: Path) -> dict[str, Expected]:
    """Write the class into `folder` (plus a corrupt file, a JSON that is no notebook, an empty notebook and a
    notebook of another exercise); the expected rows per file name."""
    base = blank()
    out: dict[str, Expected] = {}
    for name, make, expected in CLASS:
        nb = copy.deepcopy(base)
        make(nb)
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
        out[f"{name}.ipynb"] = expected
    (folder / "x1_corrupt.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "x2_not_a_notebook.ipynb").write_text('{"hello": "world"}', encoding="utf-8")
    nbformat.write(nbformat.v4.new_notebook(), str(folder / "x3_empty.ipynb"))
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Exercise 2: NumPy"),
                                            nbformat.v4.new_markdown_cell("## Exercise a)\nImplement the forward pass."),
                                            nbformat.v4.new_code_cell("def forward(x):\n    return x @ W")])
    nbformat.write(other, str(folder / "x4_other_exercise.ipynb"))
    out["x1_corrupt.ipynb"] = {"": ("unreadable-notebook", None, ())}
    out["x2_not_a_notebook.ipynb"] = {"": ("unreadable-notebook", None, ())}
    out["x3_empty.ipynb"] = MISSING
    out["x4_other_exercise.ipynb"] = {**MISSING, "a": ("not-graded", None, ())}
    return out
