"""The File ▸ Export menu and the print actions: dialogs around the plain export
functions, behind small methods that tests replace; every failure becomes a message (status
bar and message box), never a traceback."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsScene,
    QGraphicsView,
    QInputDialog,
    QMenu,
    QMessageBox,
    QWidget,
)

from ..actions import make_action
from ..document import Document
from .scene import (
    export_pdf,
    export_png,
    export_svg,
    image_size,
    metadata_text,
    orientation_for,
    print_scene,
)
from .text_exports import (
    KEY_FILTERS,
    KEY_FORMATS,
    KEY_SUFFIXES,
    export_answer_key,
    export_loss_csv,
    has_hidden_questions,
    key_format,
    print_answer_key,
)

SCALES = (1, 2, 3, 4)
DEFAULT_SCALE = 2  # sharp on a 1080p slide when the diagram fills it


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
        return metadata_text(f"{self._document.exercise.title} — " + (
            "network diagram" if network else "computation graph"))

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
        printer.setDocName(metadata_text(f"Answer key: {self._document.exercise.title}"))
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
