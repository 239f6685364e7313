"""The step inspector: the chain-rule line of the current step, big enough for a projector.

For the step under the cursor it shows the line in symbols, then with numbers, then the
result; for a backward step each contribution split into its local derivative and its
upstream adjoint, which cached adjoints it reads (and which step computed them) and a
plain-language sentence.  The HTML is built by pure functions so it can be tested alone.
"""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtGui import QFont, QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from tutor.engine import Key, Quantity, Step, Term, Trace
from tutor.engine.notation import adjoint, format_number, shown_indices, to_html
from tutor.engine.trace import format_result
from tutor.session.samples import (
    per_sample_symbol,
    sample_count_of,
    sample_losses_of,
    sample_name,
    sample_template,
    step_sample,
)

from . import style
from .document import Document
from .notices import notice_html
from .text import WORD_JOINER, drawable, phase_text, unbroken

LINE_CHARACTERS = 20  # the fewest a line of the step panel holds before its text shrinks


def value_html(value: float | np.ndarray, lead: str = "", color: str = "black") -> str:
    """A scalar as text; a vector or matrix as one block between brackets drawn as cell
    borders (``color``), with ``lead`` (the "=" of the line) beside its middle: loose table
    rows read as unrelated lines on a projector."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return lead + escape(format_number(float(array)))
    rows = array[None, :] if array.ndim == 1 else array
    columns = shown_indices(rows.shape[1])
    cells = "".join(
        "<tr>" + "".join(f"<td align='right'>{'&nbsp;' * (i > 0)}{_cell(rows, r, c)}</td>"
                         for i, c in enumerate(columns)) + "</tr>"
        for r in shown_indices(rows.shape[0]))
    edge = f"2px solid {color}"
    brackets = [f"<td width='5' style='border-{side}: {edge}; border-top: {edge}; "
                f"border-bottom: {edge}'></td>" for side in ("left", "right")]
    return (f"<table class='matrix' cellspacing='0' cellpadding='0'><tr>"
            f"<td valign='middle'>{lead}</td>{brackets[0]}"
            f"<td><table cellspacing='0' cellpadding='3'>{cells}</table></td>"
            f"{brackets[1]}</tr></table>")


def _cell(rows: np.ndarray, r: int | None, c: int | None) -> str:
    """One entry of a matrix, or the ellipsis standing for the entries a large one hides."""
    if r is None:
        return "⋮"
    return "…" if c is None else escape(format_number(rows[r, c]))


def _node_symbol(trace: Trace, step: Step) -> str:
    """The markup symbol of the node a step is about."""
    prefix = f"\\d{{{trace.loss_symbol}}}{{"
    if step.key.quantity is Quantity.ADJOINT and step.lhs.startswith(prefix):
        return step.lhs[len(prefix):-1]
    return step.lhs


def _value_symbol(trace: Trace, node: str, sample: int | None) -> str:
    found = trace.find(Key(Quantity.VALUE, node, sample))
    return found.lhs if found is not None else node


def term_html(trace: Trace, step: Step, term: Term) -> str:
    """One contribution: local derivative × upstream adjoint (cached, with its step)."""
    consumer = _value_symbol(trace, term.via, step.sample)
    local_name = to_html(adjoint(consumer, _node_symbol(trace, step)))
    if len(term.factors) == 2:
        up_symbol, local_symbol = term.symbol.split(" \\cdot ", 1)
        local_numbers = term.numbers.split(" \\cdot ", 1)[1]
    else:
        up_symbol, local_symbol, local_numbers = "", term.symbol, term.numbers
    local = (f"local <b>{local_name}</b> = {to_html(local_symbol)}"
             + ("" if local_numbers == local_symbol else f" = {to_html(local_numbers)}"))
    if not up_symbol:
        return f"<li>{local}</li>"
    producer = trace.producer.get(Key(Quantity.ADJOINT, term.via, step.sample))
    where = ("" if producer is None
             else f" <span class='dim'>(cached, step&nbsp;{producer + 1})</span>")
    upstream = (f"upstream <b>{to_html(up_symbol)}</b> = "
                f"{escape(format_number(term.factors[0]))}{where}")
    return f"<li>{local}<br>× {upstream}</li>"


def cached_reads_html(trace: Trace, step: Step, template: str = "",
                      losses: tuple[str, str] = ("", "")) -> str:
    """"reads cached: ∂ℓ/∂ŷ (step 7)" for every adjoint the step reuses; a batch step reads
    one per sample, written as its formula writes them: "∂L(x₁, y₁)/∂w₀ (step 10, x₁)"
    (``losses``: :func:`sample_losses_of`)."""
    parts = []
    count = sample_count_of(trace)
    for key in step.cached_adjoints:
        producer = trace.find(key)
        if producer is None:
            continue
        symbol = to_html(producer.lhs)
        where = f"step&nbsp;{producer.number}"  # "step" and its number on one line
        if key.sample is not None and step.sample != key.sample:  # another sample's value
            symbol = to_html(per_sample_symbol(producer.lhs, key, losses))
            where += f", {escape(sample_name(template, key.sample, count))}"
        parts.append(f"{symbol} ({where})")
    return "reads cached: " + ", ".join(parts) if parts else ""


def step_html(trace: Trace, cursor: int, palette: style.Palette, notice: str = "",
              template: str = "", losses: tuple[str, str] = ("", "")) -> str:
    """The whole inspector page for the step at ``cursor``; ``notice`` (HTML) goes right
    under the result; ``template`` is the sheet's name for a sample (``x_{$n}``)."""
    if not len(trace):
        return "<p>This exercise has no steps to show.</p>"
    if cursor < 0:  # the quiz asks step 1: nothing is computed yet
        return "<p>Nothing is computed yet: step 1 comes next.</p>"
    step = trace[cursor]
    lhs = to_html(step.lhs)
    lines = [f"<p class='line'>{lhs} = {to_html(step.formula)}</p>"]
    if step.numbers and step.numbers != step.formula:
        lines.append(f"<p class='line'>&nbsp;&nbsp;= {to_html(step.numbers)}</p>")
    result = step.result
    if np.ndim(result):
        shown = np.reshape(result, (-1, 1)) if step.column and np.size(result) > 1 else result
        lines.append(value_html(shown, "&nbsp;&nbsp;=&nbsp;", palette.text))
    else:
        lines.append(f"<p class='result'>&nbsp;&nbsp;= <b>{to_html(format_result(result))}</b></p>")
    if notice:
        lines.append(notice)
    if step.terms:
        items = "".join(term_html(trace, step, t) for t in step.terms)
        lines.append(f"<ul class='terms'>{items}</ul>")
    cached = cached_reads_html(trace, step, template, losses)
    if cached:
        lines.append(f"<p class='cached'>{cached}</p>")
    if step.explanation:
        lines.append(f"<p class='why'>{escape(step.explanation)}</p>")
    css = (f"p.line, p.result {{ margin: 2px 0; }} "
           f"p.result {{ color: {palette.text}; }} "
           f"p.cached {{ color: {palette.adjoint}; }} "  # the badge's pink is too pale for text
           f"span.dim {{ color: {palette.pending}; }} "
           f"p.why {{ font-style: italic; }} ")
    return f"<html><head><style>{css}</style></head><body>{''.join(lines)}</body></html>"


class StepInspector(QWidget):
    """Renders the document's current step; holds no state of its own."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("step_inspector")
        self._document = document
        self.phase_label = QLabel(objectName="inspector_phase")
        # wraps: unwrapped, "Backward 5 / 6 · sample 2 of 2" in large type held the dock
        # (and a projector's diagram beside it) to its width
        self.phase_label.setWordWrap(True)
        self.browser = QTextBrowser(objectName="inspector_text")
        self.browser.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.browser, 1)
        document.cursor_changed.connect(self._on_cursor_change)
        document.trace_changed.connect(self._refresh)
        style.theme().changed.connect(self._on_theme_change)
        self._html: str | None = None  # what the browser shows: an edit refreshes twice
        self._on_theme_change()

    def text(self) -> str:
        """What the inspector shows, as plain text (for tests and copying)."""
        text = self.browser.toPlainText().replace("\u200d", "").replace(WORD_JOINER, "")
        return text.replace("\xa0", " ")  # the joiners and no-break spaces only lay it out

    def _on_cursor_change(self, _index: int) -> None:
        self._refresh()

    def _on_theme_change(self) -> None:
        theme = style.theme()
        self._fit_font()
        self.phase_label.setFont(theme.font(1.3, bold=True))
        self._refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_font()

    def _fit_font(self) -> None:
        """The text 1.7 times the theme's size; when the step is longer than its panel and a
        line would hold fewer than ``LINE_CHARACTERS``, smaller (down to the theme's size):
        a third of a 1024×768 projector at twice the size held 11 characters a line, the
        number −0.0821787 broke before its bracket and a step took three pages."""
        theme = style.theme()
        font, smallest = QFont(theme.font(1.7)), theme.font(1.0).pointSizeF()  # a copy: the
        # theme's fonts are shared
        room = self.browser.viewport().width() - 2 * self.browser.document().documentMargin()
        fits = room / QFontMetricsF(font).averageCharWidth()
        if 0 < fits < LINE_CHARACTERS and self._overflows(font):
            font.setPointSizeF(max(smallest, font.pointSizeF() * fits / LINE_CHARACTERS))
        if font != self.browser.font():
            self.browser.setFont(font)

    def _overflows(self, font: QFont) -> bool:
        """Whether the page in ``font`` is taller than the panel (it would scroll)."""
        page = self.browser.document().clone()  # Python's: freed on return
        page.setDefaultFont(font)
        page.setTextWidth(self.browser.viewport().width())
        return page.size().height() > self.browser.viewport().height()

    def _refresh(self) -> None:
        document = self._document
        template = sample_template(document.exercise.problem)
        where = step_sample(document.trace, document.cursor, template)
        phase = phase_text(document.trace, document.cursor)
        self.phase_label.setText(f"{phase} · {where}" if where else phase)
        notice = notice_html(document.flags.for_step())
        html = step_html(document.trace, document.cursor, style.theme().palette, notice,
                         template, sample_losses_of(document.exercise.problem))
        if html != self._html:  # laying out the same page again costs ~0.5 ms
            self._html = html
            self.browser.setHtml(drawable(unbroken(html)))  # hats over their letters
            self._fit_font()  # a long step may need smaller text, a short one not
