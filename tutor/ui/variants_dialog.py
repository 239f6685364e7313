"""File ▸ Make variants… and File ▸ Open variant by code…: the teaching commands in the app.

The dialogs only collect choices and show progress; drawing, checking and writing are
:mod:`tutor.teaching` (the same functions as ``backprop-tutor variants``), so the files are
byte for byte those of the command line.  Variants are made one per timer tick, so the window
stays responsive and the progress bar moves; Cancel stops between two variants.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from PySide6.QtCore import QDir, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tutor.exercise import Exercise, ExerciseError
from tutor.exercise.atomic import write_atomically
from tutor.teaching.commands import lms_name, roster_csv, write_variant
from tutor.teaching.library import bundled_templates
from tutor.teaching.lms import LMS_FORMATS, write_lms
from tutor.teaching.template import Template, load_template, variant_seeds
from tutor.teaching.variants import Variant, distinct, make_variant

from . import worksheet_pdf
from .actions import make_action
from .document import Document
from .files import FileController
from .template_chooser import TemplateChooser
from .template_editor import TemplateEditor

OUTPUTS = {"key_md": "Keys (Markdown)", "key_tex": "Keys (LaTeX)", "key_html": "Keys (HTML)",
           "sheet_pdf": "Worksheets (PDF)", "sheet_tex": "Worksheets (LaTeX)",
           "lms_moodle": "Moodle XML", "lms_moodle-cloze": "Moodle cloze",
           "lms_qti": "QTI 1.2 (Canvas)"}
DEFAULT_ON = ("key_md", "key_html", "sheet_pdf")
MAX_COUNT = 10_000


class MakeVariantsDialog(QDialog):
    """Count, seed, folder and formats; a progress bar while the variants are written."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make variants")
        self.setObjectName("make_variants_dialog")
        self.chooser = TemplateChooser()
        self.count = QSpinBox(objectName="variants_count", minimum=1, maximum=MAX_COUNT,
                              value=30)
        self.seed = QSpinBox(objectName="variants_seed", minimum=0, maximum=2**31 - 1,
                             value=secrets.randbelow(2**31))
        self.seed.setToolTip("The same template, count and seed give the same codes and "
                             "files again; a new seed gives new codes.")
        self.count.setToolTip("One variant per student: each sheet and key carries its code.")
        self.folder = QLineEdit(str(Path(QDir.homePath()) / "variants"),
                                objectName="variants_folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.outputs = {key: QCheckBox(text, objectName=f"output_{key}")
                        for key, text in OUTPUTS.items()}
        for key in DEFAULT_ON:
            self.outputs[key].setChecked(True)
        boxes = QVBoxLayout()
        for group in (("key_md", "key_tex", "key_html"), ("sheet_pdf", "sheet_tex"),
                      tuple(f"lms_{f}" for f in LMS_FORMATS)):
            line = QHBoxLayout()
            for key in group:
                line.addWidget(self.outputs[key])
            line.addStretch(1)
            boxes.addLayout(line)
        self.progress = QProgressBar(objectName="variants_progress", format="%v of %m variants")
        self.progress.hide()  # an empty bar before anything runs only puzzles
        self.status = QLabel(" ", objectName="variants_status", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.make_button = self.buttons.addButton("Make", QDialogButtonBox.ButtonRole.ActionRole)
        self.make_button.setObjectName("variants_make")
        self.make_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self._close)
        form = QFormLayout()
        form.addRow("Template:", self.chooser)
        form.addRow("Variants (one per student):", self.count)
        form.addRow("Seed:", self.seed)
        form.addRow("Folder:", folder_row)
        form.addRow("Write:", boxes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._pending: list[int] = []
        self._made: list[Variant] = []
        self._rows: list[dict[str, str]] = []
        self._template: Template | None = None

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for the variants",
                                                self.folder.text())
        if path:
            self.folder.setText(path)

    def _chosen(self, prefix: str) -> list[str]:
        return [key[len(prefix):] for key, box in self.outputs.items()
                if key.startswith(prefix) and box.isChecked()]

    @property
    def running(self) -> bool:
        return bool(self._pending)

    def start(self) -> None:
        try:
            self._template = self.chooser.template()
            Path(self.folder.text()).mkdir(parents=True, exist_ok=True)
        except (ExerciseError, OSError) as error:
            self._fail(str(error))
            return
        self._pending = variant_seeds(self._template, self.seed.value(), self.count.value())
        self._made, self._rows = [], []
        self.progress.setRange(0, len(self._pending))
        self.progress.setValue(0)
        self.progress.show()
        self.make_button.setEnabled(False)
        self.status.setText("Drawing…")
        QTimer.singleShot(0, self._next)

    def _next(self) -> None:
        if not self._pending or self._template is None:
            return
        try:
            variant = make_variant(self._template, self._pending.pop(0))
            self._rows.append(write_variant(variant, Path(self.folder.text()),
                                            self._chosen("key_"), self._chosen("sheet_"),
                                            lambda: worksheet_pdf))
        except (ExerciseError, OSError, ValueError) as error:
            self._pending = []
            self._fail(str(error))
            return
        self._made.append(variant)
        self.progress.setValue(len(self._made))
        if self._pending:
            QTimer.singleShot(0, self._next)
        else:
            self._finish()

    def _finish(self) -> None:
        folder = Path(self.folder.text())
        try:
            write_atomically(folder / "roster.csv", roster_csv(self._rows))
            for fmt in self._chosen("lms_"):
                write_lms([v.exercise for v in self._made], fmt, folder / lms_name(fmt))
        except (OSError, ValueError) as error:
            self._fail(str(error))
            return
        self.make_button.setEnabled(True)
        unique = distinct(self._made)
        note = "" if unique == len(self._made) else (
            f" Only {unique} have different numbers: widen the template's ranges for more.")
        self.status.setText(f"{len(self._made)} variants and roster.csv in {folder} "
                            f"(seed {self.seed.value()}).{note}")

    def _fail(self, message: str) -> None:
        self.make_button.setEnabled(True)
        self.status.setText(f'<span style="color:#b00020">{message}</span>')

    def _close(self) -> None:
        if self._pending:  # Cancel: stop between two variants
            self._pending = []
            self._fail(f"Stopped after {len(self._made)} variants.")
            return
        self.reject()


class OpenVariantDialog(QDialog):
    """A template and a code from a student's sheet → that variant."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open variant by code")
        self.setObjectName("open_variant_dialog")
        self.chooser = TemplateChooser()
        self.code = QLineEdit(objectName="variant_code", placeholderText="e.g. PFKP-7D00MK")
        self.status = QLabel(" ", objectName="variant_status", wordWrap=True)
        self.exercise: Exercise | None = None
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.open_variant)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Template:", self.chooser)
        form.addRow("Code:", self.code)
        form.addRow(self.status)
        form.addRow(buttons)

    def open_variant(self) -> None:
        """The code's own template when it is a bundled one (its prefix says which), else
        the chosen template."""
        try:
            bundled = [load_template(p) for p in bundled_templates().values()]
            prefix = self.code.text().strip().upper()[:4]
            template = next((t for t in bundled if t.prefix == prefix), None)
            template = template or self.chooser.template()
            self.exercise = make_variant(template, self.code.text()).exercise
        except (ExerciseError, ValueError) as error:
            self.status.setText(f'<span style="color:#b00020">{error}</span>')
            return
        self.accept()


def add_teaching_actions(window: QMainWindow, menu: QMenu, files: FileController,
                         document: Document) -> None:
    """File ▸ Make variants… and Open variant by code… (opened unsaved, like File ▸ New)."""
    make = make_action(window, "action_make_variants", "Make &variants…",
                       "Write variants of a template with keys, worksheets and LMS files")
    make.triggered.connect(lambda: MakeVariantsDialog(window).exec())
    by_code = make_action(window, "action_open_variant", "Open variant by &code…",
                          "Open the variant printed on a student's sheet")

    def open_by_code() -> None:
        dialog = OpenVariantDialog(window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.exercise is not None \
                and files.maybe_save():
            document.reset(dialog.exercise, None)
            files.message.emit(f"Opened {dialog.exercise.title}")

    by_code.triggered.connect(open_by_code)
    edit = make_action(window, "action_edit_template", "Edit &template…",
                       "A template's ranges and constraints next to a preview variant")

    def open_editor() -> None:
        TemplateEditor(window).exec()

    edit.triggered.connect(open_editor)
    menu.addActions([make, by_code, edit])
    menu.addSeparator()
