"""Help inside the app: the shortcuts come from the window, the pages render, the welcome page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QImage, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QSlider,
    QWidget,
)

from tutor.ui import help as help_module
from tutor.ui.document import Document
from tutor.ui.help import offer_welcome
from tutor.ui.help.pages import EXERCISE_FORMAT, GUIDE, MAX_IMAGE_WIDTH, help_file, slug
from tutor.ui.help.shortcuts import OTHER, VIEWS, plain
from tutor.ui.help.welcome import DEMOS, courses, should_show_at_start
from tutor.ui.main_window import MainWindow

from .conftest import bundled

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot, monkeypatch):
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    return window


def _native(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def test_every_action_with_a_shortcut_is_in_the_dialog(window):
    dialog = window.help.show_shortcuts()
    rows = dialog.rows()
    shown = {(name, keys) for _, name, keys in rows}
    actions = [a for a in window.findChildren(QAction) if any(not k.isEmpty()
                                                               for k in a.shortcuts())]
    assert len(actions) >= 25
    for action in actions:
        matches = [keys for name, keys in shown if name == plain(action.text())]
        assert matches, action.objectName()
        for sequence in action.shortcuts():
            if not sequence.isEmpty():
                assert any(_native(sequence) in keys.split(",  ") for keys in matches), \
                    (action.objectName(), _native(sequence))
    view_keys = {keys for group, _, keys in rows if group == VIEWS}
    for shortcut in window.findChildren(QShortcut):
        assert any(_native(shortcut.key()) in keys.split(",  ") for keys in view_keys)
    groups = list(dict.fromkeys(group for group, _, _ in rows))
    assert groups[:5] == ["File", "Edit", "Step", "View", "Help"]
    assert groups[-2:] == [OTHER, VIEWS]
    assert ("Step", "Next ▶", "Right,  Space") in rows
    assert ("Help", "User guide", "F1") in rows
    assert (VIEWS, "Fit to the view", "Ctrl+0") in rows


def test_the_shortcuts_filter_keeps_matching_rows(window):
    dialog = window.help.show_shortcuts()
    dialog.filter.setText("f5")
    branches = [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]
    visible = [(b.text(0), b.child(j).text(0)) for b in branches if not b.isHidden()
               for j in range(b.childCount()) if not b.child(j).isHidden()]
    assert visible == [("View", "Presentation mode")]


def test_the_help_menu_lists_help_first_and_about_last(window):
    help_menu = next(a.menu() for a in window.menuBar().actions() if plain(a.text()) == "Help")
    names = [a.objectName() for a in help_menu.actions() if not a.isSeparator()]
    assert names == ["action_welcome", "action_user_guide", "action_shortcuts",
                     "action_exercise_format", "action_about"]
    assert window.help.show_guide() is window.help.show_guide()  # raised, not duplicated


def test_the_guide_renders_with_its_pictures_scaled(window):
    dialog = window.help.show_guide()
    browser = dialog.browser
    text = browser.toPlainText()
    assert text.startswith("Backprop Tutor: a short guide")
    assert "Presentation mode" in text
    image = browser.loadResource(QTextDocument.ResourceType.ImageResource.value,
                                 QUrl("images/backward.png"))
    assert isinstance(image, QImage) and not image.isNull()
    assert image.width() <= MAX_IMAGE_WIDTH
    assert help_file(GUIDE).read_text(encoding="utf-8").count("](images/") == 3


def test_the_exercise_format_page_follows_its_anchors(window):
    dialog = window.help.show_exercise_format()
    browser = dialog.browser
    assert browser.toPlainText().startswith("Writing exercise files")
    assert browser.scroll_to_heading("citing-sources")
    assert browser.textCursor().block().text() == "Citing sources"
    assert not browser.scroll_to_heading("no-such-heading")
    browser.follow(QUrl("#symbol-markup"))
    assert browser.textCursor().block().text() == "Symbol markup"


def test_help_pages_in_a_checkout_are_the_docs():
    assert help_file(GUIDE) == REPO / "docs" / "guide.md"
    assert help_file(EXERCISE_FORMAT) == REPO / "docs" / "exercise-format.md"
    assert slug("`locked` and `hidden`") == "locked-and-hidden"
    assert slug("Predict-then-reveal quiz") == "predict-then-reveal-quiz"


def test_the_welcome_page_groups_the_exercises_by_course_then_the_demos():
    groups = {course: [item.name for item in items] for course, items in courses().items()}
    assert groups == {
        "Chain-rule discussion": ["chain-rule-discussion", "chain-rule-discussion-derivatives",
                                  "chain-rule-discussion-expression",
                                  "chain-rule-discussion-multivariable",
                                  "chain-rule-discussion-sum"],
        "CMU 10-301/601 Recitation 5": ["cmu-recitation-5", "cmu-recitation-5-expression",
                                        "cmu-recitation-5-linear", "cmu-recitation-5-update",
                                        "cmu-recitation-5-warm-up"],
        "DS 102 Discussion 12": ["ds102-discussion-12"],
        "FTML session 8": ["ftml-session-8"],
        "INF264 Homework 4": ["inf264-homework-4", "inf264-homework-4-learning-rate"],
        DEMOS: ["curve-fit-1d", "two-class-2d", "xor"],
    }


def test_the_welcome_page_opens_an_exercise(qtbot, window):
    dialog = window.help.show_welcome()
    names = dialog.exercise_names()
    assert len(names) == 17 and names[-1] == (DEMOS, "xor")
    branch = dialog.tree.topLevelItem(dialog.tree.topLevelItemCount() - 1)
    dialog.tree.setCurrentItem(branch.child(branch.childCount() - 1))
    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    assert window.document.exercise.title == "XOR with a 2-2-1 sigmoid network"
    assert not dialog.isVisible()


def test_titles_read_as_text_not_markup(window):
    dialog = window.help.show_welcome()
    shown = [dialog.tree.topLevelItem(n).child(k).text(0)
             for n in range(dialog.tree.topLevelItemCount())
             for k in range(dialog.tree.topLevelItem(n).childCount())]
    shown += [action.text() for action in window.files.examples_menu.actions()]
    assert "the computation graph of sin(xy)/z + e^(xz)/(xy)" in shown
    assert not [text for text in shown if "{" in text or "\\" in text]
    dialog.close()


def test_the_welcome_page_shows_on_the_first_start_only(qtbot, window, monkeypatch):
    shown = []
    monkeypatch.setattr(window.help, "show_welcome", lambda: shown.append(1))
    offer_welcome(window, opened_file=True)  # double-clicked a file: not now
    qtbot.wait(10)
    assert shown == [] and should_show_at_start()
    offer_welcome(window)
    qtbot.waitUntil(lambda: shown == [1])
    assert not should_show_at_start()
    offer_welcome(window)
    qtbot.wait(10)
    assert shown == [1]


def test_show_at_every_start_is_remembered(window):
    help_module.welcome.mark_seen()
    dialog = window.help.show_welcome()
    dialog.at_start.setChecked(True)
    assert should_show_at_start()
    dialog.at_start.setChecked(False)
    assert not should_show_at_start()


@pytest.mark.parametrize("name", ["cmu-recitation-5", "cmu-recitation-5-expression"])
def test_every_control_says_what_it_does(qtbot, name):
    window = MainWindow(Document(bundled(name)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    kinds = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QSlider)
    silent = sorted({w.objectName() or type(w).__name__
                     for w in window.findChildren(QWidget)
                     if isinstance(w, kinds) and w.isVisibleTo(window) and not w.toolTip()
                     and not w.objectName().startswith("qt_")})  # Qt's own dock buttons
    assert silent == []
