"""The exercise as text: the loss history as CSV and the answer key as Markdown, LaTeX or
HTML, on disk or on paper."""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrinter

from tutor.exercise.atomic import write_atomically
from tutor.exercise.history_csv import history_csv
from tutor.session import TrainingHistory
from tutor.teaching.answer_key import answer_key
from tutor.terminal import clean

from ..document import Document

KEY_FORMATS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex",
               ".html": "html", ".htm": "html"}
KEY_FILTERS = {"markdown": "Markdown (*.md)", "latex": "LaTeX (*.tex)",
               "html": "HTML page (*.html)"}
KEY_SUFFIXES = {"markdown": ".md", "latex": ".tex", "html": ".html"}


def export_loss_csv(history: TrainingHistory, path: str | os.PathLike[str]) -> int:
    """Write the loss history as CSV (see :mod:`tutor.exercise.history_csv`); returns rows."""
    write_atomically(path, history_csv(history.losses, edits=history.edits,
                                       current=history.current))
    return len(history)


def key_format(path: str | os.PathLike[str], selected_filter: str = "") -> str:
    """The answer key's format from the file's suffix, else from the chosen filter."""
    by_suffix = KEY_FORMATS.get(Path(path).suffix.lower())
    if by_suffix is not None:
        return by_suffix
    return next((fmt for fmt, f in KEY_FILTERS.items() if f == selected_filter), "markdown")


def document_key(document: Document, fmt: str, reveal_hidden: bool = False) -> str:
    """The whole exercise's answer key in the document's current granularity, without the
    control characters a file's title or prompt may hold (as the command line writes it)."""
    # the document's trace is of one sample when a sample is picked: the key shows them all
    trace = document.trace if document.sample is None else None
    return clean(answer_key(document.exercise, fmt, document.granularity.value,
                            reveal_hidden=reveal_hidden, trace=trace))


def export_answer_key(document: Document, path: str | os.PathLike[str], fmt: str | None = None,
                      reveal_hidden: bool = False) -> str:
    """Write the answer key (format from the suffix unless given); returns the format."""
    fmt = fmt or key_format(path)
    write_atomically(path, document_key(document, fmt, reveal_hidden))
    return fmt


def answer_key_document(document: Document, reveal_hidden: bool = False) -> QTextDocument:
    """The HTML key as Qt's rich text understands it, for printing."""
    text = QTextDocument()
    base = text.defaultFont().pointSizeF()
    text.setHtml(for_rich_text(document_key(document, "html", reveal_hidden), base))
    return text


def for_rich_text(page: str, base_points: float) -> str:
    """Qt's rich text ignores ``<li value>`` and ``rem`` lengths: number each list from its
    first step (so printed numbers are the app's step numbers), give lengths in points and
    pad the table's cells with the attribute Qt reads."""
    style, separator, body = page.partition("</style>")  # a teacher's text stays as written
    style = re.sub(r"padding:[^;]*;", "", style)
    style = re.sub(r"(\d*\.?\d+)rem\b", lambda m: f"{float(m[1]) * base_points:g}pt", style)
    body = re.sub(r'<ol class="steps">(\s*)<li value="(\d+)">',
                  r'<ol class="steps" start="\2">\1<li value="\2">', body)
    body = body.replace("<table>", '<table cellpadding="4" cellspacing="0">')
    return style + separator + body


def print_answer_key(document: Document, printer: QPrinter, reveal_hidden: bool = False) -> None:
    answer_key_document(document, reveal_hidden).print_(printer)


def has_hidden_questions(document: Document) -> bool:
    exercise = document.exercise
    return any(q.id in exercise.hidden for q in exercise.questions)
