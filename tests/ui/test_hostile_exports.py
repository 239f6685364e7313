"""Exports started from the window (File ▸ Export…) on hostile but valid exercises: the same
attack texts the command line's exports are checked against (markup nested thousands deep,
TeX that would write a file, terminal escapes, active links, every text at its length cap).

Each file is opened through File ▸ Open, trained a little (so the loss history has rows) and
exported in every format from the menu's actions; no export may fail or show an error, each
output must be escaped for its format, and the window must keep working.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tutor.engine import Granularity
from tutor.exercise import default_path, load
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

FILECONTENTS = r"\begin{filecontents*}[overwrite]{pwned.tex}\relax\end{filecontents*}"
ESCAPES = "\x1b]0;retitled\x07\x1b[2J\x9b31m\u202e\x1bc\r\x1b[K\ufffe"
LINKS = ("[x](javascript:alert(1)) <a href='javascript:alert(1)'>a</a> <script>x</script> "
         "![i](http://example.org/i.png) www.example.org")
TEX = r"\input{/etc/passwd} ^^5cinput^^7b/etc/passwd^^7d \write18{ls} \d{\d{x}{y}}{z} }{"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile(doc: dict, kind: str) -> dict:
    """The CMU recitation with one class of attack in every text it shows."""
    question = doc["questions"][0]
    if kind == "markup":  # nested far past the renderer's depth cap
        doc["description"] = ("_{" * 10_000)[:20_000]
        question["prompt"] = r"\d{" * 600
        doc["title"] = "^{" * 100
    elif kind == "filecontents":
        question["prompt"] = FILECONTENTS
        question["hint"] = TEX
        doc["description"] = FILECONTENTS + " " + TEX
        doc["title"] = TEX[:200]
    elif kind == "escapes":
        doc["title"] = "Name " + ESCAPES
        doc["source"] = ESCAPES * 10
        question["prompt"] = "Why " + ESCAPES
        doc["network"]["notation"] = {"loss": "L" + ESCAPES}  # drawn in the diagram
    elif kind == "links":
        doc["title"] = LINKS[:200]
        doc["description"] = LINKS
        question["prompt"] = LINKS
    else:  # every text at its length cap
        doc["title"] = ("t_{1}^{2} " * 20)[:200]
        doc["source"] = "s" * 2000
        doc["description"] = ("\\mat{1,2;3,4} " * 2000)[:20_000]
        for n, each in enumerate(doc["questions"]):
            each["prompt"] = (f"{n} " + "∂ℓ/∂w " * 400)[:2000]
    return doc


KINDS = ("markup", "filecontents", "escapes", "links", "capped")


class Attributes(HTMLParser):
    """Every tag and attribute of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.values += [value or "" for _, value in attrs]


def assert_escaped(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not CONTROLS.search(text), (path.name, CONTROLS.search(text))
    assert "\ufffe" not in text or path.suffix != ".svg"
    if path.suffix == ".tex":
        assert r"\begin{filecontents" not in text and "^^" not in text
        assert r"\input{" not in text and r"\write18" not in text
    elif path.suffix == ".md":
        assert "javascript:" not in text  # written javascript\: it is no link
        assert "](" not in text.replace(r"\](", "")
        assert "<script" not in text.replace(r"\<script", "")
    elif path.suffix == ".html":
        page = Attributes()
        page.feed(text)
        assert "script" not in page.tags and "a" not in page.tags and "img" not in page.tags
        assert not any("javascript:" in value.lower() for value in page.values)
    elif path.suffix == ".svg":
        ElementTree.fromstring(text)  # well-formed XML: no control character in any text


@pytest.mark.parametrize("kind", KINDS)
def test_every_export_from_the_window_on_a_hostile_file(qtbot, tmp_path, monkeypatch, kind):
    shown: list[str] = []
    for box in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, box, lambda _parent, title, text, *_rest, b=box:
                            shown.append(f"{b}: {title}: {text}"))
    monkeypatch.setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Yes)
    window = MainWindow(Document(load(default_path())))
    qtbot.addWidget(window)
    doc = hostile(json.loads(default_path().read_text(encoding="utf-8")), kind)
    source = tmp_path / f"{kind}.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    assert window.files.open_path(source, ask=False), shown
    assert window.document.exercise.title == doc["title"]
    window.document.train(3)
    exports = window.exports
    monkeypatch.setattr(exports, "_choose_scale", lambda _scene: 1)
    written = []
    for granularity in (Granularity.NODE, Granularity.LAYER):
        window.document.set_granularity(granularity)
        for name, action in ((f"key-{granularity.value}.md", exports.key_action),
                             (f"key-{granularity.value}.tex", exports.key_action),
                             (f"key-{granularity.value}.html", exports.key_action)):
            written.append(tmp_path / "out" / name)
            monkeypatch.setattr(exports, "_choose_path", lambda *_, p=written[-1]: (p, ""))
            (tmp_path / "out").mkdir(exist_ok=True)
            action.trigger()
    for name, action in (("loss.csv", exports.csv_action), ("diagram.svg", exports.svg_action),
                         ("diagram.pdf", exports.pdf_action), ("diagram.png", exports.png_action)):
        written.append(tmp_path / "out" / name)
        monkeypatch.setattr(exports, "_choose_path", lambda *_, p=written[-1]: (p, ""))
        action.trigger()
    assert shown == []
    for path in written:
        assert path.stat().st_size > 0, path.name
        if path.suffix in (".md", ".tex", ".html", ".svg", ".csv"):
            assert_escaped(path)
    assert not (tmp_path / "out" / "pwned.tex").exists()
    # the window still works: it steps, trains and opens another file
    window.document.train(1)
    assert len(window.document.history) == 5  # the start and four updates
    assert window.files.open_path(default_path(), ask=False)
    assert window.statusBar().currentMessage().startswith("Opened ")
