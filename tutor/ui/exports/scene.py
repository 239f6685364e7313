"""The diagram as a picture: PNG (at a chosen scale), SVG and PDF, and on paper.

Each export is a plain function that takes a path (``export_png(scene, path, scale)``), so
tests and scripts call it without a dialog.  Files are written through a temporary file in
the same folder and a rename, so an export never leaves half a file behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

from tutor.exercise.atomic import replace_atomically
from tutor.terminal import clean

from ..style import theme

MARGIN = 24  # scene units of background around the diagram's items
MAX_PIXELS = 400_000_000  # a bigger bitmap would need gigabytes: refuse it with a message
DEFAULT_DPI = 96.0
APP_NAME = "Backprop Tutor"


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


def metadata_text(text: str) -> str:
    """Text from the exercise file in a document's metadata or an SVG: no control characters
    (an escape sequence makes the SVG invalid XML and acts in a terminal that shows it) and
    no U+FFFE/U+FFFF, which XML does not allow either."""
    return clean(text).replace("\ufffe", "").replace("\uffff", "")


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
        generator.setTitle(metadata_text(title))
        generator.setDescription(f"Made with {APP_NAME}")
        _paint(generator, scene, source, QRectF(0, 0, size.width(), size.height()))
        # a symbol from the file is drawn as text, and Qt writes its characters as they are
        drawn = Path(name).read_text(encoding="utf-8")
        if metadata_text(drawn) != drawn:
            Path(name).write_text(metadata_text(drawn), encoding="utf-8")

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
        writer.setTitle(metadata_text(title))
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
