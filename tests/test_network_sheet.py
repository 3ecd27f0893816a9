"""`derive sheet --widths --activation --loss --reduction --only`: the sheet for the user's network."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from derive.cli import cli
from derive.emit import sheet
from derive.exercises.base import Config


def test_the_network_sheet_shows_its_activation_loss_and_code(tmp_path: Path) -> None:
    config = Config((3, 4, 2), ("elu2",), "binary-cross-entropy", "mean")
    from derive.core import activations
    activations.register_typed("elu2=max(a,0)+min(0,exp(a)-1)")
    paths = sheet.write_sheet(str(tmp_path), "tex,md,ipynb", config=config, only=["activation", "losses", "code"])
    assert sorted(p.name for p in paths) == ["solutions.ipynb", "solutions.md", "solutions.tex"]
    md = (tmp_path / "solutions.md").read_text()
    assert "This sheet is for the network with widths 3,4,2 (hidden activations: elu2; loss: binary-cross-entropy, " \
           "reduction mean)" in md
    assert "h' of elu2" in md and "typed as elu2=max(a,0)+min(0,exp(a)-1)" in md
    assert "derivative from the left" in md and "write in z = h(a)" in md
    assert "The equations it computes (binary-cross-entropy, mean)" in md and "np.expm1" in md
    assert "binary-cross-entropy" in md and "a) " not in md.split("## ")[0]


def test_without_options_the_exercise_sheet_and_bad_only_is_one_line(tmp_path: Path) -> None:
    assert sheet.EXERCISE_SHEET[:12] == tuple("abcdefghijkl") and "activation" not in sheet.EXERCISE_SHEET
    result = CliRunner().invoke(cli, ["sheet", "-o", str(tmp_path), "--format", "md", "--widths", "2,2",
                                      "--only", "nonesuch"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "unknown exercise 'nonesuch'" in result.output
    result = CliRunner().invoke(cli, ["sheet", "-o", str(tmp_path), "--format", "md", "--loss", "bogus"])
    assert result.exit_code == 2 and "unknown loss 'bogus'" in result.output
    assert not any(tmp_path.iterdir())
