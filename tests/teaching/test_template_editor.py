"""The template editor edits decimals_phases and max_tries, and its preview obeys them."""

import json

import numpy as np
import pytest

from tutor.teaching.library import bundled_templates
from tutor.teaching.template import load_template, make_code, template_from_dict
from tutor.teaching.variants import ConstraintError, make_variant

pytest.importorskip("PySide6")


@pytest.fixture
def editor(qtbot):
    from tutor.ui.template_editor import TemplateEditor

    editor = TemplateEditor()
    qtbot.addWidget(editor)
    editor.chooser.combo.setCurrentIndex(editor.chooser.combo.findText("cmu-recitation-5"))
    return editor


def _doc(name):
    return json.loads(bundled_templates()[name].read_text(encoding="utf-8"))


def test_an_untouched_template_keeps_its_document_and_codes(editor):
    assert editor.document() == _doc("cmu-recitation-5")
    assert [p for p, box in editor.phases.items() if box.isChecked()] == [
        "forward", "backward", "gradient"]
    assert editor.tries.value() == 1000 and "max_tries" not in editor.document()
    assert editor.status.text().startswith("Variant PFKP-000001: accepted after 9 draws")


def test_adding_the_update_phase_makes_the_preview_keep_one_decimal_there(editor):
    editor.phases["update"].setChecked(True)
    doc = editor.document()
    assert doc["constraints"]["decimals_phases"] == ["forward", "backward", "gradient",
                                                     "update"]
    template = template_from_dict(doc)
    expected = make_variant(template, 1)
    assert make_code(template, 1) == "7H5J-000001" and expected.tries == 15
    assert editor.status.text() == "Variant 7H5J-000001: accepted after 15 draws."
    # the preview is that variant: its updated weights (η = 0.1) have one decimal at most
    updated = [float(s.result) for s in expected.exercise.problem.trace("node")
               if s.phase.value == "update"]
    assert updated and np.allclose(np.round(np.array(updated) * 10), np.array(updated) * 10)
    assert expected.exercise.title.split(" — ")[0] in editor.preview.toPlainText()
    numbers = json.loads(expected.text)["parameters"]["W1"]
    assert numbers != json.loads(make_variant(load_template(
        bundled_templates()["cmu-recitation-5"]), 1).text)["parameters"]["W1"]


def test_no_phase_ticked_is_said_before_anything_is_drawn(editor):
    for phase in ("backward", "gradient"):
        editor.phases[phase].setChecked(False)
    before = editor.preview.toPlainText()  # a variant checked on the forward phase alone
    editor.phases["forward"].setChecked(False)
    assert "Tick at least one phase for Max decimals" in editor.status.text()
    assert editor.preview.toPlainText() == before
    editor.decimals.setValue(-1)  # "any": the phases no longer matter
    assert not editor.phases_row.isEnabled()
    assert "decimals_phases" not in editor.document()["constraints"]
    assert editor.status.text().startswith("Variant ")


def test_max_tries_is_written_and_obeyed(editor):
    editor.tries.setValue(1)
    assert editor.document()["max_tries"] == 1
    with pytest.raises(ConstraintError) as caught:  # (max_tries is in the hash: new draws)
        make_variant(template_from_dict(editor.document()), 1)
    assert "in 1 tries" in caught.value.problem and "raise max_tries" in caught.value.problem
    assert caught.value.problem in editor.status.text()
    editor.tries.setValue(50)
    template = template_from_dict(editor.document())
    variant = make_variant(template, 1)
    assert variant.tries > 1  # the draw that max_tries = 1 refused
    assert editor.status.text() == (f"Variant {make_code(template, 1)}: accepted after "
                                    f"{variant.tries} draws.")
    editor.tries.setValue(1000)  # the default again: the template and its codes are back
    assert editor.document() == _doc("cmu-recitation-5")
    assert editor.status.text().startswith("Variant PFKP-000001")


def test_the_relu_constraints_are_named_and_kept(editor):
    assert not editor.kept.isVisibleTo(editor)  # the CMU template has none
    editor.chooser.combo.setCurrentIndex(editor.chooser.combo.findText("inf264-homework-4"))
    # the sheet's symbols: INF264's hidden pre-activation is z, its samples x₁, x₂ (its
    # inputs are x[0], x[1]); the JSON names stay in the tooltip
    assert editor.kept.text() == ("Also kept from the file (edit them in the JSON): z > 0 "
                                  "for x₁ (its ReLU on); z < 0 for x₂ (its ReLU off).")
    assert editor.kept.toolTip() == ('relu_active: [{"node": "z1[0]", "sample": 0}]\n'
                                     'relu_inactive: [{"node": "z1[0]", "sample": 1}]')
    assert "z1[0]" not in editor.kept.text()
    assert editor.document() == _doc("inf264-homework-4")
    editor.phases["update"].setChecked(True)
    constraints = editor.document()["constraints"]
    assert constraints["relu_inactive"] == [{"node": "z1[0]", "sample": 1}]


def test_a_relu_constraint_reads_in_cmus_symbols(editor):
    """CMU names its hidden pre-activations a₁, a₂ and its inputs x₁, x₂, so a second sample
    is x⁽²⁾ there, not x₂."""
    doc = _doc("cmu-recitation-5")
    doc["exercise"]["data"]["inputs"].append([1, 1])
    doc["exercise"]["data"]["targets"].append([1])
    doc["constraints"]["relu_active"] = [{"node": "z1[1]", "sample": 1}]
    editor.load(doc)
    assert editor.kept.text() == ("Also kept from the file (edit them in the JSON): a₂ > 0 "
                                  "for x⁽²⁾ (its ReLU on).")
    assert editor.kept.toolTip() == 'relu_active: [{"node": "z1[1]", "sample": 1}]'
