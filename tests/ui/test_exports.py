"""Exports and printing write real files: images of the right size, XML that parses, PDFs,
one CSV row per update and answer keys with the sheets' published numbers."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor, QImage, QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from tutor.engine import Granularity
from tutor.ui.diagram import GraphView, NetworkDiagramView
from tutor.ui.document import Document
from tutor.ui.exports import (
    ExportController,
    export_pdf,
    export_png,
    export_rect,
    export_svg,
    for_rich_text,
    key_format,
    layout_dpi,
)
from tutor.ui.style import NodeState, node_fill, theme

from .conftest import bundled

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def view(qtbot, document) -> NetworkDiagramView:
    """The CMU diagram zoomed in on a corner: exports must still draw all of it."""
    widget = NetworkDiagramView(document)
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.zoom_by(4)
    return widget


class Recorder:
    """An export controller over one view whose dialogs answer from a script."""

    def __init__(self, qtbot, document: Document, view: QWidget) -> None:
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.view = view
        self.controller = ExportController(document, self.window, lambda: self.view)
        self.errors: list[str] = []
        self.messages: list[str] = []
        self.controller._show_error = lambda title, text: self.errors.append(text)
        self.controller.message.connect(self.messages.append)


@pytest.fixture
def recorder(qtbot, document, view) -> Recorder:
    return Recorder(qtbot, document, view)


def pdf_text(path: Path) -> str:
    """The text of a PDF as ghostscript extracts it (skips when ghostscript is missing)."""
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("ghostscript is not installed")
    done = subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite",
                           "-sOutputFile=-", str(path)], capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------- diagram files


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_png_is_the_whole_scene_at_the_chosen_scale(view, tmp_path, scale):
    rect = export_rect(view.scene())
    assert rect.contains(view.scene().itemsBoundingRect())
    assert not view.mapToScene(view.viewport().rect()).boundingRect().contains(rect)
    size = export_png(view.scene(), tmp_path / "diagram.png", scale)
    image = QImage(str(tmp_path / "diagram.png"))
    assert not image.isNull()
    expected = QSize(round(rect.width()) * scale, round(rect.height()) * scale)
    assert image.size() == size == expected
    assert image.dotsPerMeterX() == round(scale * layout_dpi() / 0.0254)  # prints as on screen
    assert no_temporaries(tmp_path)


def test_png_pixels_show_the_nodes_on_the_theme_background(view, document, tmp_path):
    document.last()
    export_png(view.scene(), tmp_path / "diagram.png", 2)
    image = QImage(str(tmp_path / "diagram.png"))
    origin = export_rect(view.scene()).topLeft()
    palette = theme().palette

    def pixel(scene_point: QPointF) -> QColor:
        at = (scene_point - origin) * 2
        return image.pixelColor(round(at.x()), round(at.y()))

    assert image.pixelColor(0, 0) == palette.color("background")
    node = view.nodes["x[0]"]
    body = node.body()
    inside = node.mapToScene(QPointF(body.left() + body.width() * 0.2, body.center().y()))
    assert node.state is NodeState.GIVEN
    assert pixel(inside) == node_fill(NodeState.GIVEN, palette) != palette.color("background")


def test_svg_parses_and_keeps_the_labels_as_text(view, document, tmp_path):
    document.last()
    size = export_svg(view.scene(), tmp_path / "diagram.svg", "CMU")
    root = ElementTree.parse(tmp_path / "diagram.svg").getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {size.width()} {size.height()}"
    texts = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}
    assert {"x₁", "x₂", "ŷ", "ℓ", "8"} <= texts  # inputs, prediction, loss and its value
    assert root.findtext(f"{SVG}title") == "CMU"
    loss = next(t for t in root.iter(f"{SVG}text") if "".join(t.itertext()) == "ℓ")
    symbol_font = theme().label_font(1.2, bold=True)  # what the node measured it with
    pixels = symbol_font.pointSizeF() * layout_dpi() / 72
    assert float(loss.get("font-size")) == pytest.approx(pixels, rel=0.01)


def test_pdf_is_one_page_with_the_diagrams_text(view, document, tmp_path):
    document.last()
    size = export_pdf(view.scene(), tmp_path / "diagram.pdf", "CMU")
    assert size == export_rect(view.scene()).size()  # a page the size of the diagram
    data = (tmp_path / "diagram.pdf").read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 %d.000000 %d.000000]" % (size.width(), size.height()) in data
    text = " ".join(pdf_text(tmp_path / "diagram.pdf").split())
    assert "= 12" in text and "= 16" in text  # ∂ℓ/∂β₁ and ∂ℓ/∂α₂,₂ on the edge labels


def test_the_computation_graph_exports_too(qtbot, document, tmp_path):
    graph = GraphView(document)
    qtbot.addWidget(graph)
    recorder = Recorder(qtbot, document, graph)
    assert recorder.controller.save_png(tmp_path / "graph.png", 1)
    image = QImage(str(tmp_path / "graph.png"))
    assert image.size() == export_rect(graph.scene()).size().toSize()
    assert recorder.controller._title().endswith("computation graph")


# --------------------------------------------------------------------------- loss history


def test_loss_csv_has_one_row_per_update_with_the_engines_losses(recorder, document, tmp_path):
    run = document.train(5)
    assert recorder.controller.save_loss_csv(tmp_path / "loss.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "loss.csv").read_text())))
    assert [int(r["update"]) for r in rows] == [0, 1, 2, 3, 4, 5]
    assert [float(r["loss"]) for r in rows] == [float(v) for v in run.losses]
    assert float(rows[0]["loss"]) == 8  # the recitation's ℓ before training
    assert recorder.messages[-1] == "Exported loss.csv (6 rows)"


# --------------------------------------------------------------------------- answer keys


@pytest.fixture
def cmu_sheet(qtbot, view) -> tuple[Recorder, Document]:
    document = Document(bundled("cmu-recitation-5"))
    return Recorder(qtbot, document, view), document


def test_markdown_key_from_the_app_has_the_recitations_numbers(cmu_sheet, tmp_path):
    recorder, _ = cmu_sheet
    assert recorder.controller.save_answer_key(tmp_path / "key.md")
    text = (tmp_path / "key.md").read_text(encoding="utf-8")
    assert "5. ŷ = β₀ · z₀ + β₁ · z₁ + β₂ · z₂ = 0 · 1 + 1 · 3 + 2 · 2 = 7" in text
    assert "6. ℓ = ½(ŷ − y)² = ½(7 − 3)² = 8" in text
    assert "∂ℓ/∂β₁ = ∂ℓ/∂ŷ · z₁ = 4 · 3 = 12" in text
    assert "∂ℓ/∂α₂,₂ = ∂ℓ/∂a₂ · x₂ = 8 · 2 = 16" in text


def test_latex_key_follows_the_documents_granularity(cmu_sheet, tmp_path):
    recorder, document = cmu_sheet
    document.set_granularity(Granularity.LAYER)
    assert recorder.controller.save_answer_key(tmp_path / "key.tex")
    layer = (tmp_path / "key.tex").read_text(encoding="utf-8")
    assert layer.startswith(r"\documentclass")
    assert r"= \begin{bmatrix} 4 & 12 & 8 \end{bmatrix} \tag*" in layer
    assert r"= \begin{bmatrix} 4 & 4 & 8 \\ 8 & 8 & 16 \end{bmatrix} \tag*" in layer
    document.set_granularity(Granularity.NODE)
    assert recorder.controller.save_answer_key(tmp_path / "key.tex")
    node = (tmp_path / "key.tex").read_text(encoding="utf-8")
    assert (r"\frac{\partial \ell}{\partial \alpha_{2,2}} &= \frac{\partial \ell}{\partial a_{2}}"
            r" \cdot x_{2} = 8 \cdot 2 = 16") in node


def test_key_covers_every_sample_even_when_one_is_shown(qtbot, view, tmp_path):
    document = Document(bundled("inf264-homework-4"))
    document.set_sample(1)
    recorder = Recorder(qtbot, document, view)
    assert recorder.controller.save_answer_key(tmp_path / "key.md")
    text = (tmp_path / "key.md").read_text(encoding="utf-8")
    assert "𝓛 = (1/2)(L(x₁, y₁) + L(x₂, y₂)) = (1/2)(2.89 + 3.61) = 3.25" in text
    assert "## Forward pass, sample 1" in text and "## Batch average" in text
    for gradient in ("= 3.4", "= 1.7", "= 5.1", "= −0.2"):
        assert gradient in text


def test_the_dialog_picks_the_format_from_the_filter(cmu_sheet, tmp_path, monkeypatch):
    recorder, _ = cmu_sheet
    controller = recorder.controller
    monkeypatch.setattr(controller, "_choose_path",
                        lambda *_: (tmp_path / "handout", "HTML page (*.html)"))
    controller.key_action.trigger()
    page = (tmp_path / "handout.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "∂ℓ/∂β<sub>1</sub> = ∂ℓ/∂ŷ · z<sub>1</sub> = 4 · 3 = 12" in page
    assert key_format("a.TEX") == "latex" and key_format("a", "LaTeX (*.tex)") == "latex"


# --------------------------------------------------------------------------- printing


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_printing_the_diagram(recorder, document, tmp_path):
    document.last()
    assert recorder.controller.print_diagram(pdf_printer(tmp_path / "printed.pdf"))
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")
    text = " ".join(pdf_text(tmp_path / "printed.pdf").split())
    assert "= 12" in text and "= 16" in text


def test_printing_the_answer_key(cmu_sheet, tmp_path):
    recorder, document = cmu_sheet
    assert recorder.controller.print_key(pdf_printer(tmp_path / "key.pdf"))
    assert (tmp_path / "key.pdf").read_bytes().startswith(b"%PDF")
    text = " ".join(pdf_text(tmp_path / "key.pdf").split())
    assert "= 4 · 3 = 12" in text and "= 8 · 2 = 16" in text
    steps = text.split("Forward pass", 1)[1].split()
    markers = [int(t[:-1]) for t in steps if re.fullmatch(r"\d+\.", t)]
    assert markers == list(range(1, len(document.trace) + 1))  # the step numbers, from 1


# --------------------------------------------------------------------------- failures


def test_an_unwritable_path_gives_a_message_not_an_exception(recorder, tmp_path, monkeypatch):
    missing = tmp_path / "no such folder"
    controller = recorder.controller
    monkeypatch.setattr(controller, "_choose_scale", lambda scene: 2)
    for action, name in ((controller.png_action, "d.png"), (controller.svg_action, "d.svg"),
                         (controller.pdf_action, "d.pdf"), (controller.csv_action, "l.csv"),
                         (controller.key_action, "k.md")):
        monkeypatch.setattr(controller, "_choose_path",
                            lambda *_, n=name: (missing / n, ""))
        action.trigger()
        assert recorder.errors[-1] == f"{name}: No such file or directory"
    assert len(recorder.errors) == 5 and not missing.exists()


def test_a_failed_export_keeps_the_previous_file(recorder, view, tmp_path, monkeypatch):
    target = tmp_path / "diagram.png"
    target.write_bytes(b"old")
    monkeypatch.setattr(QImage, "save", lambda *_: False)
    assert not recorder.controller.save_png(target, 2)
    assert target.read_bytes() == b"old" and no_temporaries(tmp_path)
    assert recorder.errors == ["diagram.png: the image could not be written"]


def test_no_diagram_means_a_message(qtbot, document):
    recorder = Recorder(qtbot, document, QWidget())
    recorder.controller.png_action.trigger()
    assert recorder.errors == ["There is no diagram to export."]


# --------------------------------------------------------------------------- in the window


def test_the_window_exports_whichever_diagram_is_shown(qtbot, tmp_path, monkeypatch):
    from tutor.ui.main_window import MainWindow

    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    exports = window.exports
    file_menu = window.menuBar().actions()[0].menu()
    assert exports.export_menu.menuAction() in file_menu.actions()
    assert exports.print_diagram_action in file_menu.actions()
    assert exports.print_diagram_action.shortcuts() == [QKeySequence("Ctrl+P")]
    monkeypatch.setattr(exports, "_choose_scale", lambda scene: 2)
    sizes = []
    for shown, name in ((False, "network.png"), (True, "graph.png")):
        window.graph_action.setChecked(shown)
        monkeypatch.setattr(exports, "_choose_path", lambda *_, n=name: (tmp_path / n, ""))
        exports.png_action.trigger()
        scene = window.centre.currentWidget().scene()
        sizes.append(QImage(str(tmp_path / name)).size())
        assert sizes[-1] == export_rect(scene).size().toSize() * 2
    assert sizes[0] != sizes[1]  # two different pictures
    assert window.statusBar().currentMessage().startswith("Exported graph.png (")


@pytest.mark.parametrize(("button", "shown"), [(QMessageBox.StandardButton.Yes, "| 12 |"),
                                               (QMessageBox.StandardButton.No, "*(hidden)*")])
def test_hidden_answers_only_in_the_teachers_copy(qtbot, view, tmp_path, monkeypatch,
                                                   button, shown):
    exercise = dataclasses.replace(bundled("cmu-recitation-5"), hidden=frozenset({"dl_dbeta1"}))
    recorder = Recorder(qtbot, Document(exercise), view)
    monkeypatch.setattr(QMessageBox, "question", lambda *_: button)
    monkeypatch.setattr(recorder.controller, "_choose_path",
                        lambda *_: (tmp_path / "key.md", "Markdown (*.md)"))
    recorder.controller.key_action.trigger()
    row = next(line for line in (tmp_path / "key.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| ∂ℓ/∂β₁ = ? |"))
    assert shown in row


def test_cancelling_the_hidden_answers_question_writes_nothing(qtbot, view, tmp_path,
                                                                monkeypatch):
    exercise = dataclasses.replace(bundled("cmu-recitation-5"), hidden=frozenset({"dl_dbeta1"}))
    recorder = Recorder(qtbot, Document(exercise), view)
    monkeypatch.setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(recorder.controller, "_choose_path",
                        lambda *_: (tmp_path / "key.md", "Markdown (*.md)"))
    recorder.controller.key_action.trigger()
    assert list(tmp_path.iterdir()) == []


def test_rich_text_rewrites_only_the_style_and_the_step_lists():
    page = ('<style>\nth, td { padding: 0.3rem; } h1 { font-size: 1.5rem; }\n</style>'
            '<p>padding: 2rem; stays</p><ol class="steps">\n<li value="6">a</li></ol><table>')
    out = for_rich_text(page, 10)
    assert "h1 { font-size: 15pt; }" in out and "0.3rem" not in out
    assert "<p>padding: 2rem; stays</p>" in out
    assert '<ol class="steps" start="6">\n<li value="6">' in out
    assert '<table cellpadding="4" cellspacing="0">' in out
