"""The trace table: rows follow the trace, pending rows hide numbers, markup renders once."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tutor.ui import trace_table
from tutor.ui.document import Document
from tutor.ui.trace_table import PENDING, Column, TraceTable


def _row_of(model, lhs: str) -> int:
    return next(r for r in range(model.rowCount())
                if model.index(r, Column.QUANTITY).data() == lhs)


def test_rows_show_the_sheet_gradient_once_revealed(qtbot, document: Document) -> None:
    table = TraceTable(document)
    qtbot.addWidget(table)
    model = table.model()
    row = _row_of(model, "∂ℓ/∂α₁,₁")
    assert model.index(row, Column.RESULT).data() == PENDING
    document.set_cursor(row)
    assert model.index(row, Column.RESULT).data() == "4"
    assert table.selectionModel().currentIndex().row() == row


def test_markup_is_rendered_once_per_cell_not_per_paint(qtbot, document: Document,
                                                        monkeypatch) -> None:
    calls = []
    real = trace_table.to_unicode
    monkeypatch.setattr(trace_table, "to_unicode", lambda m: calls.append(m) or real(m))
    table = TraceTable(document)
    qtbot.addWidget(table)
    document.last()  # every row revealed: numbers and results are rendered too
    model = table.model()
    for _ in range(3):
        for row in range(model.rowCount()):
            for column in Column:
                model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
    # four markup columns (the phase is plain text), each rendered once however often painted
    assert len(calls) == 4 * len(document.trace)


def test_a_new_trace_renders_only_the_cells_asked_for(qtbot, document: Document,
                                                      monkeypatch) -> None:
    table = TraceTable(document)
    qtbot.addWidget(table)
    document.last()
    calls = []
    real = trace_table.to_unicode
    monkeypatch.setattr(trace_table, "to_unicode", lambda m: calls.append(m) or real(m))
    document.set_granularity("layer")  # a new trace: nothing of the old one is reused
    document.last()
    row = len(document.trace) - 1
    before = len(calls)
    model = table.model()
    assert model.index(row, Column.NUMBERS).data() == real(document.trace[row].numbers)
    assert model.index(row, Column.NUMBERS).data() == real(document.trace[row].numbers)
    assert len(calls) == before + 1
    assert before <= 3 * len(document.trace)  # the sized columns, not "With numbers"


def test_the_bold_current_row_always_fits_its_phase_and_quantity(qtbot, document: Document
                                                                 ) -> None:
    table = TraceTable(document)
    qtbot.addWidget(table)
    model = table.model()
    labels = (Column.PHASE, Column.QUANTITY)
    bold_first = [table.sizeHintForIndex(model.index(0, c)).width() for c in labels]
    for row in range(model.rowCount()):
        document.set_cursor(row)
        for column in labels:
            bold = table.sizeHintForIndex(model.index(row, column)).width()
            assert table.columnWidth(column) >= bold, (row, column)
    # bold takes more room: the first row, current at the start, is narrower now
    assert all(table.sizeHintForIndex(model.index(0, c)).width() < bold
               for c, bold in zip(labels, bold_first, strict=True))
