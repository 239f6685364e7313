"""File ▸ Make variants… writes what the command line writes; Open variant by code opens it."""

import csv
import json

from PySide6.QtWidgets import QDialog

from tutor.teaching.commands import write_variant
from tutor.teaching.library import bundled_templates
from tutor.teaching.template import load_template
from tutor.teaching.variants import make_variant
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow
from tutor.ui.variants_dialog import MakeVariantsDialog, OpenVariantDialog


def test_make_variants_runs_to_the_end_with_progress(qtbot, tmp_path):
    dialog = MakeVariantsDialog()
    qtbot.addWidget(dialog)
    dialog.chooser.combo.setCurrentIndex(dialog.chooser.combo.findText("inf264-homework-4"))
    dialog.count.setValue(3)
    dialog.seed.setValue(11)
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.outputs["sheet_pdf"].setChecked(False)
    dialog.outputs["lms_qti"].setChecked(True)
    dialog.start()
    assert dialog.running and not dialog.make_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running and dialog.make_button.isEnabled(),
                    timeout=60_000)
    assert dialog.progress.value() == dialog.progress.maximum() == 3
    assert "3 variants" in dialog.status.text()
    rows = list(csv.DictReader((tmp_path / "out" / "roster.csv").read_text(encoding="utf-8")
                               .splitlines()))
    assert [r.keys() for r in rows[:1]] == [{"code", "exercise", "key_md", "key_html"}]
    assert (tmp_path / "out" / "qti.zip").is_file()
    # the same bytes as the command line's writer
    template = load_template(bundled_templates()["inf264-homework-4"])
    again = tmp_path / "again"
    again.mkdir()
    write_variant(make_variant(template, rows[0]["code"]), again, ["md"])
    name = rows[0]["key_md"]
    assert (again / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


def test_a_bad_template_is_said_in_the_dialog(qtbot, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"template_version": 1}', encoding="utf-8")
    dialog = MakeVariantsDialog()
    qtbot.addWidget(dialog)
    dialog.chooser.combo.addItem("bad", str(bad))
    dialog.chooser.combo.setCurrentIndex(dialog.chooser.combo.count() - 1)
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.start()
    assert "required property" in dialog.status.text() and not dialog.running


def test_open_variant_by_code_finds_its_template(qtbot):
    dialog = OpenVariantDialog()
    qtbot.addWidget(dialog)
    dialog.chooser.combo.setCurrentIndex(dialog.chooser.combo.findText("cmu-recitation-5"))
    dialog.code.setText("b397-000007")  # a chain-rule code, typed in lower case
    dialog.open_variant()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.exercise.problem.values == {"x": 2.1}
    assert dialog.exercise.title.endswith("variant B397-000007")


def test_a_wrong_code_stays_in_the_dialog(qtbot):
    dialog = OpenVariantDialog()
    qtbot.addWidget(dialog)
    dialog.code.setText("nonsense")
    dialog.open_variant()
    assert dialog.exercise is None and "not a variant code" in dialog.status.text()


def test_the_file_menu_has_both_actions(qtbot, cmu):
    window = MainWindow(Document(cmu))
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    names = [a.objectName() for a in file_menu.actions()]
    assert names.index("action_make_variants") + 1 == names.index("action_open_variant")


def test_template_editor_previews_and_names_a_bad_field(qtbot):
    from tutor.ui.template_editor import TemplateEditor

    editor = TemplateEditor()
    qtbot.addWidget(editor)
    editor.chooser.combo.setCurrentIndex(editor.chooser.combo.findText("cmu-recitation-5"))
    assert editor.table.rowCount() == 4
    assert editor.status.text().startswith("Variant PFKP-000001")
    assert "Your answers" in editor.preview.toPlainText()
    editor.next_variant()
    assert editor.status.text().startswith("Variant PFKP-000002")
    editor.table.item(0, 1).setText("-1.5")  # off the integer grid
    assert "draw[0].range" in editor.status.text()
    editor.table.item(0, 1).setText("-2")
    assert editor.status.text().startswith("Variant PFKP-000002")
    assert editor.document() == json.loads(
        bundled_templates()["cmu-recitation-5"].read_text(encoding="utf-8"))


def test_template_editor_adds_and_removes_rules(qtbot):
    from tutor.ui.template_editor import TemplateEditor

    editor = TemplateEditor()
    qtbot.addWidget(editor)
    editor.chooser.combo.setCurrentIndex(editor.chooser.combo.findText("inf264-homework-4"))
    assert editor.table.rowCount() == 5
    editor.add_rule()
    assert editor.table.rowCount() == 6 and editor.document()["draw"][-1]["field"] == "data.inputs"
    assert editor.status.text().startswith("Variant ")
    editor.table.setCurrentCell(2, 0)  # the rule that keeps w₃ away from 0
    editor.remove_rule()
    fields = [rule["field"] for rule in editor.document()["draw"]]
    assert "parameters.W2[0][0]" not in fields and len(fields) == 5
