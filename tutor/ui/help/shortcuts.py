"""Help ▸ Keyboard shortcuts: every action and shortcut of the window, read from the window.

Nothing here lists keys by hand: the rows come from the window's QActions (grouped by the
menu that shows them) and QShortcuts, so a new or changed shortcut appears by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import getCppPointer

from .pages import fit_to_screen

OTHER = "Other keys"
VIEWS = "In the diagram and the graph"


@dataclass(frozen=True, slots=True)
class ShortcutRow:
    group: str  # the menu path, e.g. "File ▸ Export", or OTHER / VIEWS
    name: str  # the action's text without its mnemonic ampersand
    keys: tuple[str, ...]  # as the platform writes them, e.g. ("Right", "Space")
    tip: str


def plain(text: str) -> str:
    """A menu text as a person reads it: no mnemonic ``&``, no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def key_names(sequences: list[QKeySequence]) -> tuple[str, ...]:
    names = (s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)
    return tuple(dict.fromkeys(n for n in names if n))


def _identity(action: QAction) -> int:
    return getCppPointer(action)[0]


def _menu_groups(window: QMainWindow) -> dict[int, str]:
    """Each action's menu path, in menu-bar order (the first menu that shows it wins)."""
    groups: dict[int, str] = {}

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{path} ▸ {plain(action.text())}")
            elif not action.isSeparator():
                groups.setdefault(_identity(action), path)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), plain(top.text()))
    return groups


def shortcut_rows(window: QMainWindow) -> list[ShortcutRow]:
    """Every action with a shortcut (by menu, then the others), then the views' shortcuts."""
    groups = _menu_groups(window)
    order = {group: index for index, group in enumerate(dict.fromkeys(groups.values()))}
    rows: list[ShortcutRow] = []
    seen: set[int] = set()
    for action in window.findChildren(QAction):
        keys = key_names(action.shortcuts())
        if not keys or _identity(action) in seen:
            continue
        seen.add(_identity(action))
        group = groups.get(_identity(action), OTHER)
        rows.append(ShortcutRow(group, plain(action.text()), keys, action.toolTip()))
    rows.sort(key=lambda row: order.get(row.group, len(order)))  # stable: creation order
    view_keys: dict[str, tuple[str, ...]] = {}  # the same keys in several views: one row
    for shortcut in window.findChildren(QShortcut):
        name = shortcut.whatsThis() or "Shortcut without a description"
        keys = key_names([shortcut.key()])
        view_keys[name] = tuple(dict.fromkeys(view_keys.get(name, ()) + keys))
    return rows + [ShortcutRow(VIEWS, name, keys, "") for name, keys in view_keys.items() if keys]


class ShortcutsDialog(QDialog):
    """The rows in a filterable two-column tree, one branch per menu."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setObjectName("help_shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        self.filter = QLineEdit(self, objectName="shortcuts_filter", clearButtonEnabled=True)
        self.filter.setPlaceholderText("Type to find an action or a key…")
        self.filter.setToolTip("Show only the actions whose name or keys contain this text")
        self.tree = QTreeWidget(self, objectName="shortcuts_tree")
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self._fill(shortcut_rows(window))
        self.filter.textChanged.connect(self._apply_filter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        fit_to_screen(self, 620, 720)

    def _fill(self, rows: list[ShortcutRow]) -> None:
        branches: dict[str, QTreeWidgetItem] = {}
        for row in rows:
            branch = branches.get(row.group)
            if branch is None:
                branch = QTreeWidgetItem(self.tree, [row.group])
                font = branch.font(0)
                font.setBold(True)
                branch.setFont(0, font)
                branch.setFirstColumnSpanned(True)
                branch.setFlags(Qt.ItemFlag.ItemIsEnabled)
                branches[row.group] = branch
            item = QTreeWidgetItem(branch, [row.name, ",  ".join(row.keys)])
            item.setToolTip(0, row.tip)
        self.tree.expandAll()

    def rows(self) -> list[tuple[str, str, str]]:
        """(group, action, keys) as shown, for tests and for the filter."""
        shown = []
        for index in range(self.tree.topLevelItemCount()):
            branch = self.tree.topLevelItem(index)
            for child in range(branch.childCount()):
                item = branch.child(child)
                shown.append((branch.text(0), item.text(0), item.text(1)))
        return shown

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for index in range(self.tree.topLevelItemCount()):
            branch = self.tree.topLevelItem(index)
            visible = 0
            for child in range(branch.childCount()):
                item = branch.child(child)
                hit = not needle or needle in f"{item.text(0)} {item.text(1)}".lower()
                item.setHidden(not hit)
                visible += hit
            branch.setHidden(visible == 0)
