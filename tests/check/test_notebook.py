"""A Verdict shows itself in a notebook as Markdown with its maths; `%load_ext derive` gives the %%check magic."""
from __future__ import annotations

import pytest

from derive.check.judge import check

RIGHT = r"\delta_j^{(L)} = y_j - t_j"
ACTIVATION = r"\delta_j^{(l)} = h_l(a_j^{(l)}) \sum_k w_{kj}^{(l+1)} \delta_k^{(l+1)}"


def test_a_verdict_is_markdown_with_its_read_back_as_maths() -> None:
    md = check("i", RIGHT)._repr_markdown_()
    assert md.startswith("**Exercise i: correct") and r"$$\delta _j^{(L)} = y_j - t_j$$" in md


def test_a_wrong_verdict_names_its_mistakes_and_the_limits_it_filled_in() -> None:
    md = check("j", ACTIVATION)._repr_markdown_()
    assert "**Exercise j: wrong**" in md and "`activation-not-derivative`" in md
    assert r"\sum_{k=1}^{M_{l+1}}" in md and "*Σ\\_k: limits left out" in md


def test_an_unreadable_verdict_shows_where() -> None:
    md = check("i", r"\delta_j^{(L)} = \bar")._repr_markdown_()
    assert "unreadable" in md and "```\nline 1, column 18" in md and "^" in md


@pytest.fixture(scope="module")
def ipython():  # type: ignore[no-untyped-def]
    pytest.importorskip("IPython")
    from IPython.testing.globalipapp import start_ipython
    shell = start_ipython()
    shell.display_formatter.formatters["text/markdown"].enabled = True  # as a notebook's kernel has it
    shell.run_line_magic("load_ext", "derive")
    return shell


def test_the_cell_magic_judges_the_cell(ipython) -> None:  # type: ignore[no-untyped-def]
    shown = ipython.run_cell_magic("check", "j", ACTIVATION + "\n")
    assert shown.verdict.verdict == "wrong" and shown.verdict.mistakes == ("activation-not-derivative",)
    md = shown._repr_markdown_()
    assert r"$$\delta_{j}^{(l)} = h_{l}(a_{j}^{(l)}) \sum_{k=1}^{M_{l+1}}" in md  # the sheet's own LaTeX


def test_a_cell_shows_its_verdict_as_markdown(ipython) -> None:  # type: ignore[no-untyped-def]
    result = ipython.run_cell("%%check i\n" + RIGHT, store_history=True)
    assert result.success and result.result.verdict.verdict == "correct"
    data, _ = ipython.display_formatter.format(result.result)
    assert data["text/markdown"].startswith("**Exercise i: correct") and "text/plain" in data


def test_the_magic_needs_an_exercise(ipython) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="needs the exercise"):
        ipython.run_cell_magic("check", "", RIGHT)
