"""Exports and printing: the diagram as PNG, SVG or PDF, the loss history as CSV, the answer
key as Markdown, LaTeX or HTML, and the diagram or the key on paper.

Each export is a plain function that takes a path (``export_png(scene, path, scale)``), so
tests and scripts call it without a dialog.  :class:`ExportController` owns the actions; its
dialogs sit behind small methods that tests replace, and every failure becomes a message
(status bar and message box), never a traceback.  Files are written through a temporary file
in the same folder and a rename, so an export never leaves half a file behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QRectF, QSize, QSizeF, QStandardPaths, Signal
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsScene,
    QGraphicsView,
    QInputDialog,
    QMenu,
    QMessageBox,
    QWidget,
)

from tutor.exercise.atomic import replace_atomically, write_atomically
from tutor.exercise.history_csv import history_csv
from tutor.teaching.answer_key import answer_key

from .actions import make_action
from .document import Document, TrainingHistory
from .style import theme

APP_NAME = "Backprop Tutor"
MARGIN = 24  # scene units of background around the diagram's items
SCALES = (1, 2, 3, 4)
DEFAULT_SCALE = 2  # sharp on a 1080p slide when the diagram fills it
MAX_PIXELS = 400_000_000  # a bigger bitmap would need gigabytes: refuse it with a message
DEFAULT_DPI = 96.0
KEY_FORMATS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex",
               ".html": "html", ".htm": "html"}
KEY_FILTERS = {"markdown": "Markdown (*.md)", "latex": "LaTeX (*.tex)",
               "html": "HTML page (*.html)"}
KEY_SUFFIXES = {"markdown": ".md", "latex": ".tex", "html": ".html"}


class ExportError(ValueError):
    """An export that cannot be made (nothing to draw, an image too large, a device refused)."""


# --------------------------------------------------------------------------- writing files


def write_via_temporary(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Let ``write`` fill a temporary file next to ``path`` (same suffix: Qt's writers pick
    the format by it), then rename it over ``path``."""
    replace_atomically(path, write, suffix=Path(path).suffix)


# --------------------------------------------------------------------------- the diagram


def export_rect(scene: QGraphicsScene) -> QRectF:
    """What an export shows: every item (not only what the view shows) plus a margin, on
    whole scene units so that a scale of 2 gives exactly twice the pixels."""
    items = scene.itemsBoundingRect()
    if items.isEmpty():
        raise ExportError("there is no diagram to export")
    return QRectF(items.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN).toAlignedRect())


def image_size(scene: QGraphicsScene, scale: float) -> QSize:
    rect = export_rect(scene)
    return QSize(round(rect.width() * scale), round(rect.height() * scale))


def _paint(device: QPaintDevice, scene: QGraphicsScene, source: QRectF, target: QRectF) -> None:
    """The scene's ``source`` into ``target`` of ``device`` on the theme's background."""
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the file could not be opened for writing")
    try:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing
                               | QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(target, theme().palette.color("background"))
        scene.render(painter, target, source)
    finally:
        painter.end()


def render_image(scene: QGraphicsScene, scale: float) -> QImage:
    """The whole diagram as a bitmap, ``scale`` pixels per scene unit."""
    size = image_size(scene, scale)
    if size.width() * size.height() > MAX_PIXELS:
        raise ExportError(f"{size.width()} × {size.height()} pixels is too large; "
                          "choose a smaller scale or SVG")
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise ExportError("not enough memory for an image of that size")
    _set_dpi(image, layout_dpi())  # paint with the fonts' sizes as laid out on screen
    _paint(image, scene, export_rect(scene), QRectF(0, 0, size.width(), size.height()))
    _set_dpi(image, scale * layout_dpi())  # saved so that it prints at the on-screen size
    return image


def layout_dpi() -> float:
    """The resolution the items measured their text at: a device at another resolution
    would draw point-sized fonts larger or smaller than their boxes."""
    screen = QGuiApplication.primaryScreen()
    return screen.logicalDotsPerInch() if screen is not None else DEFAULT_DPI


def _set_dpi(image: QImage, dpi: float) -> None:
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))


def export_png(scene: QGraphicsScene, path: str | os.PathLike[str], scale: float = 1) -> QSize:
    """Write the whole diagram as a PNG at ``scale``; returns the image's size in pixels."""
    image = render_image(scene, scale)

    def save(name: str) -> None:
        if not image.save(name, "PNG"):
            raise OSError("the image could not be written")

    write_via_temporary(path, save)
    return image.size()


def export_svg(scene: QGraphicsScene, path: str | os.PathLike[str], title: str = "") -> QSize:
    """Write the diagram as SVG (text stays text, lines stay lines); returns its size."""
    source = export_rect(scene)
    size = source.size().toSize()

    def save(name: str) -> None:
        generator = QSvgGenerator()
        generator.setFileName(name)
        generator.setSize(size)
        generator.setResolution(round(layout_dpi()))  # its default, 72, shrinks the text
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(title)
        generator.setDescription(f"Made with {APP_NAME}")
        _paint(generator, scene, source, QRectF(0, 0, size.width(), size.height()))

    write_via_temporary(path, save)
    return size


def export_pdf(scene: QGraphicsScene, path: str | os.PathLike[str], title: str = "") -> QSizeF:
    """Write the diagram as a one-page vector PDF the size of the diagram (one scene unit per
    point), ready to include in a LaTeX document or a slide; returns the page size."""
    source = export_rect(scene)
    page = QPageSize(source.size(), QPageSize.Unit.Point, "Diagram",
                     QPageSize.SizeMatchPolicy.ExactMatch)

    def save(name: str) -> None:
        writer = QPdfWriter(name)
        writer.setTitle(title)
        writer.setCreator(APP_NAME)
        writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait,
                                         QMarginsF(0, 0, 0, 0)))
        writer.setResolution(round(layout_dpi()))  # vector output: only the fonts notice
        _paint(writer, scene, source, QRectF(0, 0, writer.width(), writer.height()))

    write_via_temporary(path, save)
    return source.size()


def print_scene(scene: QGraphicsScene, printer: QPrinter) -> None:
    """The whole diagram, as large as fits on the printer's page."""
    printer.setResolution(round(layout_dpi()))  # text as large as its boxes (see layout_dpi)
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    _paint(printer, scene, export_rect(scene), QRectF(0, 0, page.width(), page.height()))


def orientation_for(scene: QGraphicsScene) -> QPageLayout.Orientation:
    rect = export_rect(scene)
    wide = rect.width() > rect.height()
    return QPageLayout.Orientation.Landscape if wide else QPageLayout.Orientation.Portrait


# --------------------------------------------------------------------------- text exports


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
    """The whole exercise's answer key in the document's current granularity."""
    # the document's trace is of one sample when a sample is picked: the key shows them all
    trace = document.trace if document.sample is None else None
    return answer_key(document.exercise, fmt, document.granularity.value,
                      reveal_hidden=reveal_hidden, trace=trace)


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


# --------------------------------------------------------------------------- the controller


class ExportController(QObject):
    """The File ▸ Export menu and the print actions for one window.

    ``current_view`` returns the widget in the window's centre: the network diagram or the
    computation graph, whichever is shown, is what the diagram exports draw.
    """

    message = Signal(str)

    def __init__(self, document: Document, window: QWidget,
                 current_view: Callable[[], QWidget | None]) -> None:
        super().__init__(window)
        self._document = document
        self._window = window
        self._current_view = current_view
        self._folder: Path | None = None  # where the last export went
        self.png_action = self._action("action_export_png", "Diagram as &PNG…",
                                       "Save the diagram as a PNG image", self.export_png_dialog)
        self.svg_action = self._action("action_export_svg", "Diagram as &SVG…",
                                       "Save the diagram as an SVG drawing",
                                       self.export_svg_dialog)
        self.pdf_action = self._action("action_export_pdf", "Diagram as P&DF…",
                                       "Save the diagram as a PDF page", self.export_pdf_dialog)
        self.csv_action = self._action("action_export_loss_csv", "&Loss history as CSV…",
                                       "Save the loss after every update as CSV",
                                       self.export_loss_csv_dialog)
        self.key_action = self._action("action_export_answer_key", "&Answer key…",
                                       "Save every step as Markdown, LaTeX or HTML",
                                       self.export_answer_key_dialog)
        self.print_diagram_action = self._action(
            "action_print_diagram", "&Print diagram…", "Print the diagram",
            self.print_diagram_dialog, (QKeySequence.StandardKey.Print,))
        self.print_key_action = self._action(
            "action_print_answer_key", "Print answer &key…", "Print every step of the trace",
            self.print_answer_key_dialog)
        self.export_menu = QMenu("&Export", window)  # x is taken by Examples
        self.export_menu.setObjectName("menu_export")
        self.export_menu.addActions([self.png_action, self.svg_action, self.pdf_action])
        self.export_menu.addSeparator()
        self.export_menu.addActions([self.key_action, self.csv_action])
        document.history_changed.connect(self._on_history_change)
        self._on_history_change()

    def _action(self, name: str, text: str, tip: str, slot: Callable[[], object],
                shortcuts: tuple = ()) -> QAction:
        action = make_action(self, name, text, tip, shortcuts)
        action.triggered.connect(lambda _=False: slot())
        return action

    def print_actions(self) -> list[QAction]:
        return [self.print_diagram_action, self.print_key_action]

    def _on_history_change(self) -> None:
        self.csv_action.setEnabled(len(self._document.history) > 0)

    # -- doing the exports (no dialogs; each returns whether it worked)

    def save_png(self, path: Path, scale: float) -> bool:
        scene = self._scene()
        return scene is not None and self._attempt(
            path, lambda: export_png(scene, path, scale),
            lambda size: f"{size.width()} × {size.height()} pixels")

    def save_svg(self, path: Path) -> bool:
        scene = self._scene()
        return scene is not None and self._attempt(
            path, lambda: export_svg(scene, path, self._title()))

    def save_pdf(self, path: Path) -> bool:
        scene = self._scene()
        return scene is not None and self._attempt(
            path, lambda: export_pdf(scene, path, self._title()))

    def save_loss_csv(self, path: Path) -> bool:
        return self._attempt(path, lambda: export_loss_csv(self._document.history, path),
                             lambda rows: f"{rows} rows")

    def save_answer_key(self, path: Path, fmt: str | None = None,
                        reveal_hidden: bool = False) -> bool:
        return self._attempt(
            path, lambda: export_answer_key(self._document, path, fmt, reveal_hidden),
            lambda used: KEY_FILTERS[used].split(" (")[0])

    def print_diagram(self, printer: QPrinter) -> bool:
        scene = self._scene()
        return scene is not None and self._report(
            "Cannot print the diagram", lambda: print_scene(scene, printer),
            "Sent the diagram to the printer")

    def print_key(self, printer: QPrinter, reveal_hidden: bool = False) -> bool:
        return self._report("Cannot print the answer key",
                            lambda: print_answer_key(self._document, printer, reveal_hidden),
                            "Sent the answer key to the printer")

    def _attempt(self, path: Path, export: Callable[[], object],
                 describe: Callable[[object], str] | None = None) -> bool:
        """Run one export to ``path`` and say what it wrote ("Exported a.png (…)")."""
        path = Path(path)
        outcome: list[object] = []
        if not self._report(f"Cannot export {path.name}", lambda: outcome.append(export()), "",
                            subject=path.name):
            return False
        self._folder = path.parent
        detail = f" ({describe(outcome[0])})" if describe is not None else ""
        self.message.emit(f"Exported {path.name}{detail}")
        return True

    def _report(self, title: str, work: Callable[[], object], success: str,
                subject: str = "") -> bool:
        """Run ``work``; a failure becomes a message box, never an exception in a slot."""
        try:
            work()
        except (OSError, ValueError) as error:  # ValueError: ExportError, a key not built
            reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
            self._show_error(title, f"{subject}: {reason}" if subject else reason)
            return False
        if success:
            self.message.emit(success)
        return True

    def _scene(self) -> QGraphicsScene | None:
        view = self._current_view()
        scene = view.scene() if isinstance(view, QGraphicsView) else None
        if scene is None or scene.itemsBoundingRect().isEmpty():
            self._show_error("Nothing to export", "There is no diagram to export.")
            return None
        return scene

    def _title(self) -> str:
        view = self._current_view()
        network = view is not None and view.objectName() == "network_diagram"
        return f"{self._document.exercise.title} — " + (
            "network diagram" if network else "computation graph")

    # -- the actions' slots: a dialog, then the export

    def export_png_dialog(self) -> None:
        scene = self._scene()
        if scene is None:
            return
        scale = self._choose_scale(scene)
        if scale is None:
            return
        path = self._choose_path("Export the diagram as PNG", ["PNG image (*.png)"], ".png")
        if path is not None:
            self.save_png(path[0], scale)

    def export_svg_dialog(self) -> None:
        if self._scene() is not None:
            path = self._choose_path("Export the diagram as SVG", ["SVG drawing (*.svg)"],
                                     ".svg")
            if path is not None:
                self.save_svg(path[0])

    def export_pdf_dialog(self) -> None:
        if self._scene() is not None:
            path = self._choose_path("Export the diagram as PDF", ["PDF document (*.pdf)"],
                                     ".pdf")
            if path is not None:
                self.save_pdf(path[0])

    def export_loss_csv_dialog(self) -> None:
        path = self._choose_path("Export the loss history", ["CSV table (*.csv)"], ".csv")
        if path is not None:
            self.save_loss_csv(path[0])

    def export_answer_key_dialog(self) -> None:
        reveal = self._ask_reveal_hidden()
        if reveal is None:
            return
        chosen = self._choose_path("Export the answer key", list(KEY_FILTERS.values()), ".md")
        if chosen is None:
            return
        path, selected = chosen
        fmt = key_format(path, selected)
        if path.suffix.lower() not in KEY_FORMATS:
            path = path.with_name(path.name + KEY_SUFFIXES[fmt])
        self.save_answer_key(path, fmt, reveal)

    def print_diagram_dialog(self) -> None:
        scene = self._scene()
        if scene is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(orientation_for(scene))
        printer.setDocName(self._title())
        if self._accept_print(printer, "Print the diagram"):
            self.print_diagram(printer)

    def print_answer_key_dialog(self) -> None:
        reveal = self._ask_reveal_hidden()
        if reveal is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"Answer key: {self._document.exercise.title}")
        if self._accept_print(printer, "Print the answer key"):
            self.print_key(printer, reveal)

    # -- dialogs (replaced in tests)

    def _choose_scale(self, scene: QGraphicsScene) -> int | None:
        labels = []
        for scale in SCALES:
            size = image_size(scene, scale)
            labels.append(f"{scale}× ({size.width()} × {size.height()} pixels)")
        label, ok = QInputDialog.getItem(self._window, "Export PNG", "Scale:", labels,
                                         SCALES.index(DEFAULT_SCALE), False)
        return SCALES[labels.index(label)] if ok and label in labels else None

    def _choose_path(self, title: str, filters: list[str],
                     suffix: str) -> tuple[Path, str] | None:
        start = self._start_folder() / (self._base_name() + suffix)
        name, selected = QFileDialog.getSaveFileName(self._window, title, str(start),
                                                     ";;".join(filters), filters[0])
        if not name:
            return None
        path = Path(name)
        if not path.suffix and len(filters) == 1:
            path = path.with_suffix(suffix)
        return path, selected

    def _ask_reveal_hidden(self) -> bool | None:
        """Whether a key includes hidden answers (the teacher's copy); None to cancel."""
        if not has_hidden_questions(self._document):
            return False
        buttons = (QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(
            self._window, "Hidden answers",
            "Some answers are hidden from students. Include them (the teacher's copy)?",
            buttons, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Cancel:
            return None
        return answer == QMessageBox.StandardButton.Yes

    def _accept_print(self, printer: QPrinter, title: str) -> bool:
        dialog = QPrintDialog(printer, self._window)
        dialog.setWindowTitle(title)
        return dialog.exec() == QPrintDialog.DialogCode.Accepted

    def _show_error(self, title: str, message: str) -> None:
        self.message.emit(message)
        QMessageBox.warning(self._window, title, message)

    def _start_folder(self) -> Path:
        path = self._document.path
        if self._folder is not None:
            return self._folder
        if path is not None:
            return path.parent
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents or Path.home())

    def _base_name(self) -> str:
        path = self._document.path
        if path is not None:
            return path.stem
        slug = re.sub(r"[^\w-]+", "-", self._document.exercise.title.lower()).strip("-")
        return slug or "exercise"
