"""Worksheets: one box per asked quantity, the given numbers, no answers on the student's copy."""

import shutil
import subprocess

import pytest

from tutor.engine import Phase
from tutor.exercise import load
from tutor.exercise.library import exercises_dir
from tutor.teaching.answer_key import answer_key
from tutor.teaching.library import bundled_templates
from tutor.teaching.template import load_template
from tutor.teaching.variants import make_variant
from tutor.teaching.worksheet import label_latex, worksheet, worksheet_latex


def test_one_box_per_question(cmu):
    sheet = worksheet(cmu)
    assert [b.number for b in sheet.boxes] == [1, 2, 3, 4, 5, 6]
    assert [b.label for b in sheet.boxes][:3] == ["a_1", "ŷ", "ℓ"]
    # the sheet's numbers: a₁ = 3, ŷ = 7, ℓ = 8, ∂ℓ/∂ŷ = 4, ∂ℓ/∂β₁ = 12, ∂ℓ/∂α₁,₁ = 4
    assert [b.values for b in sheet.boxes] == [(3.0,), (7.0,), (8.0,), (4.0,), (12.0,), (4.0,)]
    assert {b.tolerance for b in sheet.boxes} == {0.001}


def test_the_given_numbers_in_the_sheets_notation(cmu):
    sheet = worksheet(cmu)
    assert ("α", "\\mat{2,1,0;0,2,0}") in [(g.symbol, g.value) for g in sheet.givens[0]]
    assert ("β_{1}", "1") in [(g.symbol, g.value) for g in sheet.givens[1]]
    assert [(g.symbol, g.value) for g in sheet.samples[0]] == [("x_{1}", "1"), ("x_{2}", "2"),
                                                                ("y", "3")]
    assert sheet.equations[0].startswith("a_{1} = α_{1,0}")
    assert sheet.equations[-1] == "ℓ = ½(ŷ − y)^2"


def test_every_step_of_a_phase(inf264):
    trace = inf264.problem.trace("node")
    backward = worksheet(inf264, "backward")
    expected = [s for s in trace if s.phase in (Phase.BACKWARD, Phase.GRADIENT)
                or (s.phase is Phase.AVERAGE and s.key.quantity.value == "adjoint")]
    assert len(backward.boxes) == len(expected) > 10
    # per-sample steps carry the sample, as the sheet names a sample's loss: ∂L(x₁, y₁)/∂ŷ
    assert backward.boxes[0].label == "\\d{L(x_{1}, y_{1})}{ŷ}"
    forward = [b.label for b in worksheet(inf264, "forward").boxes]
    assert forward == ["z^{(1)}", "h^{(1)}", "ŷ^{(1)}", "L(x_{1}, y_{1})",
                       "z^{(2)}", "h^{(2)}", "ŷ^{(2)}", "L(x_{2}, y_{2})", "𝓛"]
    update = worksheet(inf264, "update")
    assert len(update.boxes) == 6  # five parameters and the loss after the update
    assert len(worksheet(inf264).samples) == 2
    with pytest.raises(ValueError, match="unknown phase"):
        worksheet(inf264, "sideways")


def test_the_student_copy_has_no_answers(cmu):
    text = worksheet_latex(worksheet(cmu))
    assert text.count(r"\answerbox{") == 6
    assert "12" not in text.split(r"\section*{Your answers")[1]


def test_prose_in_a_prompt_stays_prose():
    assert label_latex("w_3 after one step") == r"w\ensuremath{_{3}} after one step"
    assert label_latex("\\d{ℓ}{β_1}").startswith("$")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("phase", [None, "backward"])
def test_latex_worksheet_compiles(tmp_path, inf264, phase):
    source = tmp_path / "sheet.tex"
    source.write_text(worksheet_latex(worksheet(inf264, phase)), encoding="utf-8")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                             source.name], cwd=tmp_path, capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("name", sorted(bundled_templates()))
def test_a_variants_worksheet_and_key_compile(tmp_path, name):
    exercise = make_variant(load_template(bundled_templates()[name]), 3).exercise
    for stem, text in (("sheet", worksheet_latex(worksheet(exercise))),
                       ("key", answer_key(exercise, "latex", reveal_hidden=True))):
        (tmp_path / f"{stem}.tex").write_text(text, encoding="utf-8")
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                                 f"{stem}.tex"], cwd=tmp_path, capture_output=True,
                                timeout=120, check=False)
        assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]


def test_an_expression_sheet_says_expression():
    exercise = load(exercises_dir() / "chain-rule-discussion-expression.json")
    sheet = worksheet(exercise)
    assert sheet.structure == "The expression"
    assert [(g.symbol, g.value) for g in sheet.givens[0]] == [("x", "2")]
    assert sheet.equations[0] == "f = x^{2}"
