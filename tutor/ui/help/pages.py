"""Help pages (the user guide, the exercise format) rendered from their Markdown in the app.

The pages are written once, in ``docs/``; the package build copies them with their pictures
into ``tutor/resources/help/`` (see setup.py), and a checkout reads ``docs/`` directly.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import tutor
from tutor.exercise.validate import resources_dir

GUIDE = "guide.md"
EXERCISE_FORMAT = "exercise-format.md"
MAX_IMAGE_WIDTH = 900  # px: a screenshot is shown at most this wide, and never wider than the view


def help_file(name: str) -> Path:
    """A help page: the copy inside the installed package, else the checkout's ``docs/``."""
    packaged = resources_dir() / "help" / name
    if packaged.is_file():
        return packaged
    return Path(tutor.__file__).resolve().parents[1] / "docs" / name


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets on GitHub: ``## `data` file`` → ``data-file``."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


class HelpBrowser(QTextBrowser):
    """Markdown with links that work: same-page anchors, other help pages, the web."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # anchors are found by heading text, see follow()
        self.document().setDocumentMargin(18)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)  # a page to read, not a panel to scan
        self.setFont(font)
        self.anchorClicked.connect(self.follow)

    def open_page(self, path: Path) -> None:
        self.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)

    def follow(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        target = self.source().resolved(url)
        if target.path() != self.source().path() and target.path().endswith(".md"):
            self.open_page(Path(target.toLocalFile()))
        if url.hasFragment():
            self.scroll_to_heading(url.fragment())

    def scroll_to_heading(self, anchor: str) -> bool:
        block = self.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and slug(block.text()) == anchor:
                self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
                self.setTextCursor(QTextCursor(block))  # scrolled up to: the heading on top
                self.ensureCursorVisible()
                return True
            block = block.next()
        return False

    def loadResource(self, kind: int, url: QUrl) -> object:
        """Screenshots scaled down to the view, so the guide reads without scrolling sideways."""
        resource = super().loadResource(kind, url)
        if kind != QTextDocument.ResourceType.ImageResource.value or resource is None:
            return resource
        image = resource if isinstance(resource, QImage) else QImage.fromData(resource)
        width = min(MAX_IMAGE_WIDTH, max(200, self.viewport().width() - 40))
        if image.isNull() or image.width() <= width:
            return image
        return image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)


class HelpPageDialog(QDialog):
    """A non-modal window showing one help page; it stays open beside the main window."""

    def __init__(self, title: str, page: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"help_{Path(page).stem.replace('-', '_')}")
        self.setWindowTitle(title)
        self.browser = HelpBrowser(self)
        self.browser.setObjectName("help_browser")
        path = help_file(page)
        if path.is_file():
            self.browser.open_page(path)
        else:
            self.browser.setPlainText(f"The help page {page} is missing from this installation.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        fit_to_screen(self, 980, 760)


def fit_to_screen(dialog: QDialog, width: int, height: int) -> None:
    """A comfortable size, but never larger than the screen (1024×768 projectors included)."""
    screen = dialog.screen().availableGeometry() if dialog.screen() else None
    if screen is not None and screen.width() > 0:
        width = min(width, screen.width() - 40)
        height = min(height, screen.height() - 60)
    dialog.resize(width, height)
