"""Worksheets and their keys as PDF through Qt's text engine (no TeX needed).

The content comes from :mod:`tutor.teaching.worksheet`; this module only lays it out as rich
text and prints it with :class:`QPdfWriter`.  Each answer box is a bordered, empty table cell,
as wide as the numbers it must hold.  Usable without a window: the command line calls
:func:`write_pdf` after :func:`ensure_application`.

Qt's rich text has no ``page-break-inside: avoid``: a table row that does not fit is moved to
the next page and the row before it stretched to the page's foot (a box twice as tall).  So
the sheet is laid out, every question whose row starts a new page gets its own table that
begins with ``page-break-before`` (the "Your answers" heading too, when its first question
moves), and the pages are painted from that layout.
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
    QTextTable,
)

from tutor.engine.notation import to_html
from tutor.exercise import Exercise
from tutor.exercise.atomic import replace_atomically
from tutor.teaching.answer_key import answer_key
from tutor.teaching.worksheet import Given, Worksheet

from .exports import for_rich_text

RESOLUTION = 300  # dots per inch of the PDF's coordinate system
BOX_HEIGHT_PT = 24
PAGE_MARGIN_MM = 18  # the page's own margin, plus the text's below: as QTextDocument.print_
TEXT_MARGIN = 2 / 2.54 * 96  # 2 cm in the document's units (1/96 in, scaled to the device)
_TABLE = '<table cellspacing="6" cellpadding="4"{}>'
_BREAK = ' style="page-break-before: always"'
_STYLE = """
body { font-family: "DejaVu Sans"; font-size: 11pt; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 12pt; }
.math { font-family: "DejaVu Serif"; }
.small { font-size: 9pt; color: #333; }
td.box { border: 1px solid #000; }
"""


def ensure_application() -> QGuiApplication:
    """The running application, or a headless one for the command line."""
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(sys.argv[:1])
    return app


def _givens(row: tuple[Given, ...]) -> str:
    return ", &nbsp; ".join(f'<span class="math">{to_html(g.symbol)} = {to_html(g.value)}'
                            f"</span>" for g in row)


def worksheet_html(sheet: Worksheet, title_pt: int = 16,
                   breaks: frozenset[int] = frozenset()) -> str:
    """The student's copy as the rich text Qt renders: no answers anywhere (``title_pt``:
    a smaller title for an on-screen preview; ``breaks``: box numbers that start a page)."""
    style = _STYLE.replace("h1 { font-size: 16pt; }", f"h1 {{ font-size: {title_pt}pt; }}")
    out = [f"<html><head><style>{style}</style></head><body>",
           f"<h1>{html.escape(sheet.title)}</h1>",
           "<p>Name: ________________________________</p>"]
    if sheet.source:
        out.append(f'<p class="small">{html.escape(sheet.source)}</p>')
    if sheet.description:
        out.append(f"<p>{to_html(sheet.description)}</p>")
    out.append(f"<h2>{sheet.structure}</h2><p>")
    out.append("<br>".join(f'<span class="math">{to_html(eq)}</span>' for eq in sheet.equations))
    out.append("</p><h2>Given</h2>")
    out += [f"<p>{_givens(row)}</p>" for row in sheet.givens]
    for n, sample in enumerate(sheet.samples):
        label = f"Sample {n + 1}: " if len(sheet.samples) > 1 else ""
        out.append(f"<p>{label}{_givens(sample)}</p>")
    first = sheet.boxes[0].number if sheet.boxes else None
    # the heading moves with its first question rather than stay alone at a page's foot
    out.append(f"<h2{_BREAK if first in breaks else ''}>{html.escape(answers_heading(sheet))}</h2>")
    out.append(f"<p>{html.escape(sheet.instructions)}</p>")
    out.append(_TABLE.format(""))
    for box in sheet.boxes:
        if box.number in breaks and box.number != first:
            out.append("</table>" + _TABLE.format(_BREAK))
        width = 110 if box.size == 1 else min(110 + 60 * box.size, 420)
        out.append(f'<tr><td>({box.number})</td><td class="math">{to_html(box.label)} =</td>'
                   f'<td class="box" width="{width}" height="{BOX_HEIGHT_PT}">&nbsp;</td></tr>')
    out.append("</table></body></html>")
    return "\n".join(out)


def answers_heading(sheet: Worksheet) -> str:
    """The heading above the boxes, as the laid-out document's block reads."""
    return f"Your answers ({sheet.asks})"


def pdf_writer(path: str, title: str) -> QPdfWriter:
    """An A4 writer at :data:`RESOLUTION` with the page margins every sheet and key uses."""
    writer = QPdfWriter(path)
    writer.setTitle(title)
    writer.setCreator("Backprop Tutor")
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(*(PAGE_MARGIN_MM,) * 4),
                                     QPageLayout.Unit.Millimeter))
    return writer


def _paginate(document: QTextDocument, writer: QPdfWriter) -> float:
    """Lay ``document`` out on ``writer``'s pages; the page height in device pixels."""
    document.documentLayout().setPaintDevice(writer)
    frame = document.rootFrame().frameFormat()
    frame.setMargin(TEXT_MARGIN)
    document.rootFrame().setFrameFormat(frame)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    return float(writer.height())


def row_pages(document: QTextDocument, page_height: float) -> list[int]:
    """The page (from 0) each answer row starts on, in order over all the sheet's tables."""
    layout = document.documentLayout()
    return [int(layout.blockBoundingRect(table.cellAt(row, 0).firstCursorPosition().block())
                .top() // page_height)
            for table in document.rootFrame().childFrames() if isinstance(table, QTextTable)
            for row in range(table.rows())]


def heading_page(document: QTextDocument, heading: str, page_height: float) -> int | None:
    """The page (from 0) of the first block reading ``heading``; None when there is none."""
    block = document.begin()
    while block.isValid():
        if block.text() == heading:
            return int(document.documentLayout().blockBoundingRect(block).top() // page_height)
        block = block.next()
    return None


def worksheet_document(sheet: Worksheet, writer: QPdfWriter) -> QTextDocument:
    """The sheet laid out on ``writer``'s pages with no question row split from the page it
    starts on: each row Qt would push to the next page starts a new table there."""
    breaks: set[int] = set()
    while True:  # each round adds a break, so at most one round per box
        document = _document(worksheet_html(sheet, breaks=frozenset(breaks)))
        height = _paginate(document, writer)
        pages = row_pages(document, height)
        heading = heading_page(document, answers_heading(sheet), height)
        starts = [pages[0] if heading is None and pages else heading, *pages]
        moved = next((box.number for box, before, page in zip(sheet.boxes, starts, pages,
                                                               strict=False)
                      if page != before and box.number not in breaks), None)
        if moved is None:
            return document
        breaks.add(moved)


def _paint(document: QTextDocument, writer: QPdfWriter) -> None:
    """Every page of the laid-out ``document``, numbered at the foot as print_ numbers them."""
    size = document.pageSize()
    layout = document.documentLayout()
    margin = TEXT_MARGIN * writer.logicalDpiY() / 96
    painter = QPainter(writer)
    try:
        font = document.defaultFont()
        metrics = QFontMetricsF(font, writer)
        for page in range(document.pageCount()):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * size.height())
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = QRectF(0, page * size.height(), size.width(), size.height())
            painter.setClipRect(context.clip)
            layout.draw(painter, context)
            painter.restore()
            painter.setFont(font)
            number = str(page + 1)
            painter.drawText(QPointF(size.width() - margin - metrics.horizontalAdvance(number),
                                     size.height() - margin + metrics.ascent()
                                     + 5 * writer.logicalDpiY() / 72), number)
    finally:
        painter.end()


def _print(document: Callable[[QPdfWriter], QTextDocument], path: str | os.PathLike[str],
           title: str) -> None:
    ensure_application()

    def write(temporary: str) -> None:
        writer = pdf_writer(temporary, title)
        _paint(document(writer), writer)

    replace_atomically(path, write, suffix=".pdf")


def _document(text: str) -> QTextDocument:
    ensure_application()
    document = QTextDocument()
    document.setHtml(text)
    return document


def write_pdf(sheet: Worksheet, path: str | os.PathLike[str]) -> None:
    """The student's worksheet as PDF (atomically)."""
    _print(lambda writer: worksheet_document(sheet, writer), path, sheet.title)


def write_key_pdf(exercise: Exercise, path: str | os.PathLike[str]) -> None:
    """The teacher's answer key (every step, hidden answers shown) as PDF."""
    ensure_application()
    base = QTextDocument().defaultFont().pointSizeF()
    page = for_rich_text(answer_key(exercise, "html", reveal_hidden=True), base)

    def laid_out(writer: QPdfWriter) -> QTextDocument:
        document = _document(page)
        _paginate(document, writer)
        return document

    _print(laid_out, Path(path), f"Answer key: {exercise.title}")
