"""The inspector's text: the chain-rule line, its factors and the cached reads, laid out."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QTextCursor, QTextTable

from tutor.engine.notation import to_unicode
from tutor.ui import style
from tutor.ui.document import Document
from tutor.ui.inspector import StepInspector, cached_reads_html, step_html
from tutor.ui.text import WORD_JOINER, phase_text, unbroken

from .conftest import bundled


def _at(document: Document, lhs: str) -> int:
    index = next(s.index for s in document.trace if to_unicode(s.lhs) == lhs)
    document.set_cursor(index)
    return index


def test_phase_text_counts_within_the_phase(document: Document) -> None:
    _at(document, "∂ℓ/∂z₁")  # backward: ∂ℓ/∂ŷ, ∂ℓ/∂z₁, ∂ℓ/∂z₂, ∂ℓ/∂a₁, ∂ℓ/∂a₂
    assert phase_text(document.trace, document.cursor) == "Backward 2 / 5"
    assert phase_text(document.trace, 0) == "Forward 1 / 6"


def test_gradient_step_splits_local_and_upstream(document: Document) -> None:
    index = _at(document, "∂ℓ/∂α₁,₁")
    html = step_html(document.trace, index, style.Palette.light())
    assert "∂a<sub>1</sub>/∂α<sub>1,1</sub>" in html  # the local derivative's name
    assert "= x<sub>1</sub> = 1" in html
    assert "upstream <b>∂ℓ/∂a<sub>1</sub></b> = 4" in html
    assert "(cached, step&nbsp;13)" in html  # never "step" at a line's end, 13 below
    assert "<b>4</b>" in html


def test_cached_reads_name_the_producing_step(document: Document) -> None:
    index = _at(document, "∂ℓ/∂z₁")
    text = cached_reads_html(document.trace, document.trace[index])
    assert text == "reads cached: ∂ℓ/∂ŷ (step&nbsp;7)"
    assert cached_reads_html(document.trace, document.trace[0]) == ""


def test_the_first_backward_step_has_no_upstream(document: Document) -> None:
    index = _at(document, "∂ℓ/∂ŷ")
    html = step_html(document.trace, index, style.Palette.light())
    assert "upstream" not in html
    assert "ŷ − y" in html and "7 − 3" in html


def _tables(browser) -> list[QTextTable]:
    """The top-level tables of the inspector's page, in order."""
    frames = browser.document().rootFrame().childFrames()
    return [f for f in frames if isinstance(f, QTextTable)]


def _cell_text(table: QTextTable, row: int, column: int) -> str:
    cell = table.cellAt(row, column)
    cursor = cell.firstCursorPosition()
    cursor.setPosition(cell.lastCursorPosition().position(), QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\xa0", " ").strip()


@pytest.fixture
def inspector(qtbot, document: Document) -> StepInspector:
    inspector = StepInspector(document)
    qtbot.addWidget(inspector)
    return inspector


def test_a_column_result_is_one_bracketed_block_beside_its_equals_sign(inspector, document):
    document.set_granularity("layer")
    _at(document, "h⁽¹⁾")  # h = ReLU(z) = [3; 2], a column
    assert document.current_step().column
    (table,) = _tables(inspector.browser)  # "=", [, the numbers, ]: one row, not 3 lines
    assert (table.rows(), table.columns()) == (1, 4)
    assert _cell_text(table, 0, 0) == "="
    (inner,) = table.childFrames()  # the numbers' own table, inside the middle cell
    assert (inner.rows(), inner.columns()) == (2, 1)
    assert [_cell_text(inner, r, 0) for r in range(2)] == ["3", "2"]
    for side in (1, 3):  # the brackets are drawn borders, not characters
        cell = table.cellAt(0, side).format().toTableCellFormat()
        assert cell.topBorder() > 0 and cell.bottomBorder() > 0
        assert (cell.leftBorder() if side == 1 else cell.rightBorder()) > 0


def test_a_matrix_result_keeps_its_rows_and_columns_in_the_block(inspector, document):
    document.set_granularity("layer")
    _at(document, "∂ℓ/∂α")
    (table,) = _tables(inspector.browser)
    (inner,) = table.childFrames()  # the numbers' own table, inside the middle cell
    shown = [[_cell_text(inner, r, c) for c in range(3)] for r in range(2)]
    assert shown == [["4", "4", "8"], ["8", "8", "16"]]


def _line_ends(browser) -> list[str]:
    """The last characters of every laid-out line of the page."""
    ends = []
    block = browser.document().begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        for n in range(layout.lineCount()):
            line = layout.lineAt(n)
            ends.append(text[line.textStart():line.textStart() + line.textLength()].rstrip())
        block = block.next()
    return ends


def test_a_narrow_panel_never_breaks_a_derivative_after_its_slash(qtbot, inspector, document):
    _at(document, "∂ℓ/∂z₁")
    inspector.resize(170, 900)  # a few characters a line, as on a 1024×768 projector
    inspector.show()
    qtbot.waitExposed(inspector)
    ends = _line_ends(inspector.browser)
    assert len(ends) > 8  # it did wrap, a lot
    assert not [e for e in ends if e.endswith(("/", "/" + WORD_JOINER))]
    assert "∂ℓ/∂z1 = ∂ℓ/∂ŷ · β1" in inspector.text()  # the joiners are not in the text


def test_unbroken_leaves_the_tags_alone() -> None:
    html = "∂ℓ/∂h<sub>1</sub> · σ′(z)"
    assert unbroken(html) == f"∂ℓ/{WORD_JOINER}∂h<sub>1</sub> · σ′{WORD_JOINER}(z)"


@pytest.mark.parametrize("name", sorted(style.PALETTES))
def test_every_colour_of_the_page_reads_on_its_background(document, name):
    """"reads cached: …" was in the badge's pale pink, 3:1 on white."""
    palette = style.PALETTES[name]()
    index = _at(document, "∂ℓ/∂z₁")
    html = step_html(document.trace, index, palette)
    colours = set(re.findall(r"color: (#[0-9A-Fa-f]{6})", html))
    assert palette.adjoint in colours  # the cached reads' colour is among them
    background = QColor(palette.background)
    for colour in colours:
        assert style.contrast(QColor(colour), background) >= style.NORMAL_CONTRAST, colour


def test_a_long_phase_line_wraps_instead_of_widening_the_panel(qtbot):
    """Unwrapped, "Backward 5 / 6 · sample 2 of 2" held the step dock to its width: on a
    1024×768 projector the diagram beside it shrank to 40% of the screen."""
    document = Document(bundled("cmu-recitation-5-linear"))
    inspector = StepInspector(document)
    qtbot.addWidget(inspector)
    document.set_cursor(24)
    label = inspector.phase_label
    assert label.text() == "Backward 5 / 6 · sample 2 of 2"
    one_line = label.fontMetrics().horizontalAdvance(label.text())
    assert inspector.minimumSizeHint().width() < one_line / 2
