"""The welcome page: shown on the first start, and from Help ▸ Welcome afterwards.

It offers the bundled exercises grouped by the course sheet they reproduce (a title reads
"COURSE: what it shows"), then the lecture demos (their source says they are demonstrations
written for the app), and the way to the guide and the keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tutor import exercise as exercises

from .pages import fit_to_screen

DEMOS = "Demonstrations (train in a few seconds)"
SEEN_KEY = "help/welcome_seen"
AT_START_KEY = "help/welcome_at_start"
INTRO = ("<h2>Welcome to Backprop Tutor</h2>"
         "<p>Pick a worked example to step through: each reproduces a course sheet in its own "
         "notation. Press <b>→</b> or <b>Space</b> for the next step, <b>←</b> to go back, "
         "<b>P</b> to play; click a weight to change it and watch every number follow.</p>")


def _is_demo(path: Path) -> bool:
    try:
        source = json.loads(path.read_text(encoding="utf-8")).get("source", "")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(source, str) and "demonstration" in source.lower()


def courses() -> dict[str, list[exercises.BundledExercise]]:
    """The bundled exercises by course sheet, in name order; the demos last."""
    groups: dict[str, list[exercises.BundledExercise]] = {}
    demos = []
    for item in exercises.bundled():
        course, colon, _ = item.title.partition(":")
        if _is_demo(item.path):
            demos.append(item)
        else:
            groups.setdefault(course.strip() if colon else "Other exercises", []).append(item)
    ordered = dict(sorted(groups.items(), key=lambda pair: pair[0].lower()))
    if demos:
        ordered[DEMOS] = demos
    return ordered


def _flag(key: str, default: bool) -> bool:
    value = QSettings().value(key, default)
    return value in (True, "true", "1", 1)


def should_show_at_start() -> bool:
    return not _flag(SEEN_KEY, False) or _flag(AT_START_KEY, False)


def mark_seen() -> None:
    QSettings().setValue(SEEN_KEY, True)


class WelcomeDialog(QDialog):
    def __init__(self, open_path: Callable[[Path], object], show_guide: Callable[[], object],
                 show_shortcuts: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help_welcome")
        self.setWindowTitle("Welcome to Backprop Tutor")
        self._open_path = open_path
        intro = QLabel(INTRO, self, wordWrap=True, objectName="welcome_intro")
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.tree = QTreeWidget(self, objectName="welcome_exercises")
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(18)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        self.tree.setToolTip("Double-click an exercise to open it")
        for course, items in courses().items():
            branch = QTreeWidgetItem(self.tree, [course])
            font = branch.font(0)
            font.setBold(True)
            branch.setFont(0, font)
            branch.setFirstColumnSpanned(True)
            branch.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for item in items:
                course_part, colon, rest = item.shown_title.partition(":")
                text = rest.strip() if colon and course_part.strip() == course \
                    else item.shown_title
                leaf = QTreeWidgetItem(branch, [text, item.name])
                leaf.setForeground(1, self.palette().placeholderText())
                leaf.setData(0, Qt.ItemDataRole.UserRole, str(item.path))
                leaf.setToolTip(0, f"{item.shown_title}\n({item.name})")
        self.tree.expandAll()
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(lambda item, _column: self._open(item))
        self.tree.currentItemChanged.connect(self._update_open_button)
        self.at_start = QCheckBox("Show this page at every start", self,
                                  objectName="welcome_at_start")
        self.at_start.setChecked(_flag(AT_START_KEY, False))
        self.at_start.setToolTip("Help ▸ Welcome shows it at any time")
        self.at_start.toggled.connect(lambda on: QSettings().setValue(AT_START_KEY, on))
        buttons = QDialogButtonBox(self)
        self.open_button = buttons.addButton("Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setToolTip("Open the selected exercise")
        self.open_button.setEnabled(False)
        guide = QPushButton("User guide", toolTip="A short illustrated guide (F1)")
        keys = QPushButton("Keyboard shortcuts", toolTip="Every action and its keys")
        buttons.addButton(guide, QDialogButtonBox.ButtonRole.HelpRole)
        buttons.addButton(keys, QDialogButtonBox.ButtonRole.HelpRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setToolTip("Keep the exercise that is open now")
        self.open_button.clicked.connect(lambda: self._open(self.tree.currentItem()))
        guide.clicked.connect(show_guide)
        keys.clicked.connect(show_shortcuts)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.at_start)
        layout.addWidget(buttons)
        fit_to_screen(self, 720, 640)

    def _update_open_button(self, item: QTreeWidgetItem | None) -> None:
        self.open_button.setEnabled(item is not None and self._path(item) is not None)

    @staticmethod
    def _path(item: QTreeWidgetItem | None) -> Path | None:
        value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return Path(value) if value else None

    def _open(self, item: QTreeWidgetItem | None) -> None:
        path = self._path(item)
        if path is not None and self._open_path(path) is not False:
            self.accept()

    def exercise_names(self) -> list[tuple[str, str]]:
        """(group, file stem) in the order shown, for tests."""
        shown = []
        for index in range(self.tree.topLevelItemCount()):
            branch = self.tree.topLevelItem(index)
            for child in range(branch.childCount()):
                path = self._path(branch.child(child))
                shown.append((branch.text(0), path.stem if path else ""))
        return shown
