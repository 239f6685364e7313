"""The template picker shared by File ▸ Make variants…, Open variant by code… and the
template editor: a bundled template's name, or a file chosen with Browse…."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDir
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QWidget

from tutor.teaching.library import bundled_templates
from tutor.teaching.template import Template, load_template


class TemplateChooser(QWidget):
    """A bundled template's name, or a template file chosen with Browse…."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(objectName="template_combo")
        for name, path in bundled_templates().items():
            self.combo.addItem(name, str(path))
        browse = QPushButton("Browse…", objectName="template_browse")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(browse)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Template", QDir.homePath(),
                                              "Templates (*.json)")
        if path:
            self.combo.addItem(Path(path).name, path)
            self.combo.setCurrentIndex(self.combo.count() - 1)

    def template(self) -> Template:
        return load_template(self.combo.currentData())
