"""Editing a network diagram's numbers in place: double-click, type, Enter.

A mixin of :class:`~tutor.ui.diagram.network_scene.NetworkDiagramView`, which provides
``document``, ``item_for``, ``_readout`` and ``_symbol_of``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from tutor.engine.ids import is_parameter
from tutor.engine.notation import format_number, to_unicode
from tutor.engine.numbers import parse_number
from tutor.ui.diagram.edits import editable, is_locked, with_scalar


class InlineEditing:
    """The inline editor over a diagram item; Enter applies, Escape cancels."""

    _editor: QLineEdit | None = None


    def mouseDoubleClickEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        node_id = getattr(item, "node_id", None) or getattr(item, "weight_id", None)
        if node_id is not None and editable(node_id):
            self.begin_edit(node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def begin_edit(self, node_id: str) -> QLineEdit | None:
        """Open an inline editor over the item; Enter applies, Escape cancels."""
        self._cancel_edit()
        item = self.item_for(node_id)
        exercise = self.document.exercise
        if item is None or not editable(node_id) or is_locked(exercise, node_id):
            return None
        value = self._readout.given(node_id) if self._readout else None
        editor = QLineEdit(self.viewport())
        editor.setObjectName("diagram_inline_editor")
        editor.setText("" if value is None else format_number(value).replace("−", "-"))
        editor.selectAll()
        rect = self.mapFromScene(item.sceneBoundingRect()).boundingRect()
        editor.setGeometry(rect.center().x() - 60, rect.center().y() - 14, 120, 28)
        editor.setToolTip(f"New value of {getattr(item, 'symbol', node_id)}; Enter applies")
        editor.returnPressed.connect(lambda: self.commit_edit(node_id, editor.text()))
        editor.editingFinished.connect(self._cancel_edit_later)
        editor.installEventFilter(self)
        editor.show()
        editor.setFocus()
        self._editor = editor
        return editor

    def commit_edit(self, node_id: str, text: str) -> bool:
        """Apply a typed value; an unreadable number keeps the editor open and says so."""
        try:
            value = parse_number(text)
            problem = with_scalar(self.document.exercise.problem, node_id, value,
                                  self._shown_row())
        except ValueError as error:
            if self._editor is not None:
                self._editor.setStyleSheet("border: 2px solid #D55E00;")
                self._editor.setToolTip(str(error) if str(error) else "not a number")
            return False
        self._cancel_edit()
        symbol = to_unicode(self._symbol_of(node_id)) if is_parameter(node_id) else getattr(
            self.item_for(node_id), "symbol", node_id)
        self.document.edit(f"Set {symbol} to {format_number(value)}",
                           self.document.exercise.with_problem(problem))
        return True

    def _shown_row(self) -> int:
        readout = self._readout
        if readout is not None and readout.sample is not None:
            return readout.sample
        if self.document.sample is not None:
            return self.document.sample
        return int(self.document.exercise.problem.first_batch()[0])

    def eventFilter(self, watched, event) -> bool:
        if watched is self._editor and event.type() == event.Type.KeyPress \
                and event.key() == Qt.Key.Key_Escape:
            self._cancel_edit()
            return True
        return super().eventFilter(watched, event)

    def _cancel_edit_later(self) -> None:
        editor = self._editor
        if editor is not None and not editor.hasFocus():
            self._cancel_edit()

    def _cancel_edit(self) -> None:
        editor, self._editor = self._editor, None
        if editor is not None:
            editor.hide()
            editor.deleteLater()
