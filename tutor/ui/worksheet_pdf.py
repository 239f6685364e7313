"""Worksheets and their keys as PDF through Qt's text engine (no TeX needed).

The content comes from :mod:`tutor.teaching.worksheet`; this module only lays it out as rich
text and prints it with :class:`QPdfWriter`.  Each answer box is a bordered, empty table cell,
as wide as the numbers it must hold.  Usable without a window: the command line calls
:func:`write_pdf` after :func:`ensure_application`.
"""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from tutor.engine.notation import to_html
from tutor.exercise import Exercise
from tutor.exercise.atomic import replace_atomically
from tutor.teaching.answer_key import answer_key
from tutor.teaching.worksheet import Given, Worksheet

from .exports import for_rich_text

RESOLUTION = 300  # dots per inch of the PDF's coordinate system
BOX_HEIGHT_PT = 24
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


def worksheet_html(sheet: Worksheet, title_pt: int = 16) -> str:
    """The student's copy as the rich text Qt renders: no answers anywhere (``title_pt``:
    a smaller title for an on-screen preview)."""
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
    out.append(f"<h2>Your answers ({html.escape(sheet.asks)})</h2>")
    out.append(f"<p>{html.escape(sheet.instructions)}</p>")
    out.append('<table cellspacing="6" cellpadding="4">')
    for box in sheet.boxes:
        width = 110 if box.size == 1 else min(110 + 60 * box.size, 420)
        out.append(f'<tr><td>({box.number})</td><td class="math">{to_html(box.label)} =</td>'
                   f'<td class="box" width="{width}" height="{BOX_HEIGHT_PT}">&nbsp;</td></tr>')
    out.append("</table></body></html>")
    return "\n".join(out)


def _print(document: QTextDocument, path: str | os.PathLike[str], title: str) -> None:
    ensure_application()

    def write(temporary: str) -> None:
        writer = QPdfWriter(temporary)
        writer.setTitle(title)
        writer.setCreator("Backprop Tutor")
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Portrait,
                                         QMarginsF(18, 18, 18, 18),
                                         QPageLayout.Unit.Millimeter))
        document.print_(writer)  # lays the text out on the writer's pages itself

    replace_atomically(path, write, suffix=".pdf")


def _document(text: str) -> QTextDocument:
    ensure_application()
    document = QTextDocument()
    document.setHtml(text)
    return document


def write_pdf(sheet: Worksheet, path: str | os.PathLike[str]) -> None:
    """The student's worksheet as PDF (atomically)."""
    _print(_document(worksheet_html(sheet)), path, sheet.title)


def write_key_pdf(exercise: Exercise, path: str | os.PathLike[str]) -> None:
    """The teacher's answer key (every step, hidden answers shown) as PDF."""
    ensure_application()
    base = QTextDocument().defaultFont().pointSizeF()
    page = for_rich_text(answer_key(exercise, "html", reveal_hidden=True), base)
    _print(_document(page), Path(path), f"Answer key: {exercise.title}")
