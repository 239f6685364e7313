"""A seeded monkey: a long random sequence of real user actions on the real main window.

Every action goes through what a user touches (QActions, keys, the parameters tables and
their editors, the diagram's inline editor, the training buttons, the presentation keys, the
quiz, the expression editor, the File menu's open and save) with values chosen to hurt:
huge, zero, negative, NaN and unreadable numbers, syntax errors, garbage files.  Dialogs
never block: :func:`silence_dialogs` answers them and records what they said.

An exception raised by an action, or reported to ``sys.excepthook`` from a slot while it
runs (pytest-qt's capture), stops the run with :class:`MonkeyFailure`, which names the seed,
the action index and the actions before it, so ``--monkey-seed S`` replays it exactly.
After every action :func:`check_invariants` checks the document is still coherent.
"""

from __future__ import annotations

import json
import math
import random
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
)

from tutor import exercise as exercises
from tutor.engine import NetworkProblem
from tutor.ui.main_window import APP_NAME, MainWindow

NUMBERS = ("0", "-0", "1", "-1", "0.5", "2.5e-3", "-7", "1e6", "-1e6", "1e300", "1e308",
           "1e309", "-1e400", "nan", "NaN", "inf", "-inf", "abc", "", " ", "1/2", "−3",
           "3,5", "0x10", "1e-320", "12345678901234567890")
LEARNING_RATES = ("0.1", "0.01", "1", "10", "1e6", "0", "-1", "-0.5", "nan", "inf", "abc",
                  "1e-300", "", "1e400", "0.000001")
PROGRAMS = ("f = x^2\ng = x\nl = f^2 + g^2", "f = sin(x*y)/z + exp(x*z)/(x*y)",
            "u = x*y\nf = u + u", "f = log(x)", "f = x/0", "f = exp(exp(exp(x)))",
            "f = x +", "f = (x", "= 3", "f = sin(", "1x = 2", "f = g\ng = x", "f = x^x",
            "", "f = y; g = f*y", "f = sqrt(x)", "f = x - - y")
UNSAVED = "Unsaved changes?"
QUIZ_ANSWERS = ("0", "1", "4", "-2", "1/2", "abc", "", "nan", "1e308", "3, 4", "[1 2]")


@dataclass
class Dialogs:
    """What the silenced dialogs said, and how "Unsaved changes" questions are answered."""

    rng: random.Random
    save_dir: Path
    shown: list[str] = field(default_factory=list)
    saves: int = 0

    def answer_unsaved(self) -> QMessageBox.StandardButton:
        self.shown.append(UNSAVED)
        return self.rng.choice((QMessageBox.StandardButton.Discard,
                                QMessageBox.StandardButton.Cancel,
                                QMessageBox.StandardButton.Save))

    def save_path(self) -> Path:
        self.saves += 1
        return self.save_dir / f"saved-{self.saves}.json"


def silence_dialogs(monkeypatch: pytest.MonkeyPatch, window: MainWindow,
                    dialogs: Dialogs) -> None:
    """Every modal dialog answers at once (Cancel, or no file) and leaves a record."""

    def record(kind: str, answer):
        def fake(*args, **kwargs):
            texts = [a for a in args if isinstance(a, str)]
            dialogs.shown.append(f"{kind}: {' / '.join(texts)[:200]}")
            return answer
        return staticmethod(fake)

    cancel = QMessageBox.StandardButton.Cancel
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, record(name, QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "question", record("question", cancel))
    monkeypatch.setattr(QMessageBox, "about", record("about", None))
    monkeypatch.setattr(QDialog, "exec", lambda self, *a: dialogs.shown.append(
        f"dialog: {self.windowTitle()}") or 0)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", record("open file", ("", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", record("save file", ("", "")))
    monkeypatch.setattr(QInputDialog, "getItem", record("input", ("", False)))
    monkeypatch.setattr(window.files, "_ask_save", dialogs.answer_unsaved)
    monkeypatch.setattr(window.files, "_choose_save_path", dialogs.save_path)
    monkeypatch.setattr(window.files, "_choose_open_path", lambda: None)


class MonkeyFailure(AssertionError):
    pass


def check_invariants(window: MainWindow) -> None:
    """What must hold after any action."""
    document = window.document
    trace = document.trace
    # −1 stands before step 1: the quiz asks the first step from there
    assert -1 <= document.cursor < max(len(trace), 1), (document.cursor, len(trace))
    stack = document.undo_stack
    assert 0 <= stack.index() <= stack.count()
    assert document.is_modified == (not stack.isClean())
    assert window.isWindowModified() == document.is_modified
    title = window.windowTitle()
    assert title.endswith(f"[*] — {APP_NAME}") and len(title) > len(APP_NAME) + 6, title
    problem = document.exercise.problem
    if isinstance(problem, NetworkProblem):
        assert np.all(np.isfinite(problem.params.flat())), "non-finite parameters"
        history = document.history
        assert 0 <= history.current < len(history)
        assert len(history.losses) == len(history.params)
        np.testing.assert_array_equal(history.params[history.current].flat(),
                                      problem.params.flat())


class Monkey:
    """Performs seeded random actions on ``window``; ``log`` keeps what it did."""

    def __init__(self, qtbot, window: MainWindow, seed: int, scratch: Path,
                 dialogs: Dialogs) -> None:
        self.qtbot = qtbot
        self.window = window
        self.document = window.document
        self.seed = seed
        self.rng = random.Random(seed)
        self.scratch = scratch
        self.dialogs = dialogs
        self.log: list[str] = []
        self.garbage = 0
        self.bundled = [e.path for e in exercises.bundled()]
        self.actions: list[tuple[int, Callable[[], str]]] = [
            (12, self.step), (3, self.play), (10, self.edit_table), (4, self.edit_with_editor),
            (5, self.edit_inline), (3, self.change_activation), (3, self.change_structure),
            (4, self.set_learning_rate), (2, self.change_method), (6, self.train),
            (3, self.restore_point), (10, self.undo_redo), (3, self.granularity_or_sample),
            (2, self.toggle_graph), (2, self.appearance), (3, self.presentation),
            (4, self.quiz), (4, self.expression), (3, self.open_bundled),
            (2, self.save_and_reopen), (2, self.open_garbage), (1, self.new_file),
            (2, self.trace_table), (1, self.zoom),
        ]
        self._weights = [w for w, _ in self.actions]

    # -- running -----------------------------------------------------------------------

    def run(self, count: int) -> None:
        for index in range(count):
            _, chosen = self.rng.choices(self.actions, weights=self._weights)[0]
            self._one(index, chosen)

    def _one(self, index: int, chosen: Callable[[], str]) -> None:
        detail = chosen.__name__
        try:
            with self.qtbot.capture_exceptions() as caught:
                detail = f"{chosen.__name__}: {chosen()}"
                QApplication.processEvents()  # queued commits run here
                # deleteLater runs when the app's event loop regains control, which
                # processEvents alone never does: without this, 20,000 actions left tens of
                # thousands of replaced tables alive, 1.2 GB and ever slower
                QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if caught:
                self._fail(index, detail, "".join(traceback.format_exception(*caught[0])))
            check_invariants(self.window)
        except MonkeyFailure:
            raise
        except Exception as error:  # any escape is the finding
            self._fail(index, detail, "".join(traceback.format_exception(error)))
        self.log.append(f"{index}: {detail}")

    def _fail(self, index: int, detail: str, details: str) -> None:
        recent = "\n".join(self.log[-12:])
        raise MonkeyFailure(f"monkey seed {self.seed}, action {index} ({detail}) failed; "
                            f"replay with --monkey-seed {self.seed} --monkey-actions "
                            f"{index + 1}\nlast actions:\n{recent}\n{details}")

    # -- helpers ------------------------------------------------------------------------

    def _action(self, name: str) -> QAction:
        found = self.window.findChild(QAction, name)
        assert found is not None, name
        return found

    def _trigger(self, name: str) -> str:
        self._action(name).trigger()
        return name

    def _network(self) -> NetworkProblem | None:
        problem = self.document.exercise.problem
        return problem if isinstance(problem, NetworkProblem) else None

    def _tables(self) -> list:
        panel = self.window.parameters
        tables = []
        for box in panel.layer_boxes:
            tables.append(box.weights)
            if getattr(box, "bias", None) is not None:
                tables.append(box.bias)
        if panel.data_box is not None:
            tables += [panel.data_box.inputs, panel.data_box.targets]
        return [t for t in tables if t.model().rowCount() and t.model().columnCount()]

    def _random_cell(self):
        tables = self._tables()
        if not tables:
            return None, None
        table = self.rng.choice(tables)
        model = table.model()
        return table, model.index(self.rng.randrange(model.rowCount()),
                                  self.rng.randrange(model.columnCount()))

    def _number(self) -> str:
        if self.rng.random() < 0.5:
            return f"{self.rng.gauss(0, 3):.3g}"
        return self.rng.choice(NUMBERS)

    def _type(self, field_: QLineEdit, text: str) -> None:
        """Typed key by key; QtTest cannot type non-ASCII keys (−), so those are inserted."""
        field_.selectAll()
        if text.isascii():
            self.qtbot.keyClicks(field_, text)
        else:
            field_.insert(text)

    def _key(self, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self.window, key, modifiers)

    # -- actions (each returns what it did, for the log) ---------------------------------

    def step(self) -> str:
        if self.rng.random() < 0.5:
            return self._trigger(self.rng.choice(("action_next", "action_back", "action_first",
                                                  "action_last", "action_next")))
        key = self.rng.choice((Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Space,
                               Qt.Key.Key_Home, Qt.Key.Key_End))
        self.window.network_view.setFocus()
        self._key(key)
        return f"key {key.name}"

    def play(self) -> str:
        stepper = self.window.stepper
        self._trigger("action_play")
        for _ in range(self.rng.randrange(1, 6)):
            if stepper.timer.isActive():
                stepper.timer.timeout.emit()
        stepper.pause()
        return f"played to step {self.document.cursor}"

    def edit_table(self) -> str:
        table, index = self._random_cell()
        if table is None:
            return "no table"
        text = self._number()
        table.model().setData(index, text)
        return f"{table.objectName()}[{index.row()},{index.column()}] = {text!r}"

    def edit_with_editor(self) -> str:
        table, index = self._random_cell()
        if table is None:
            return "no table"
        if not table.model().flags(index) & Qt.ItemFlag.ItemIsEditable:
            return f"{table.objectName()}: locked"
        table.setCurrentIndex(index)
        table.edit(index)
        editor = table.findChild(QLineEdit)
        if editor is None or not editor.isVisible():
            return f"{table.objectName()}: no editor"
        text = self._number()
        self._type(editor, text)
        finish = self.rng.choice((Qt.Key.Key_Return, Qt.Key.Key_Tab, Qt.Key.Key_Escape))
        self.qtbot.keyClick(editor, finish)
        return f"{table.objectName()}[{index.row()},{index.column()}] typed {text!r} {finish.name}"

    def edit_inline(self) -> str:
        view = self.window.network_view
        ids = [i for i in (*view.labels, *view.nodes) if getattr(view.item_for(i), "editable",
                                                                  False)]
        if not ids or self._network() is None:
            return "nothing editable"
        node_id = self.rng.choice(sorted(ids))
        editor = view.begin_edit(node_id)
        if editor is None:
            return f"{node_id}: locked"
        text = self._number()
        self._type(editor, text)
        finish = self.rng.choice((Qt.Key.Key_Return, Qt.Key.Key_Escape))
        self.qtbot.keyClick(editor, finish)
        return f"{node_id} typed {text!r} {finish.name}"

    def change_activation(self) -> str:
        boxes = self.window.parameters.layer_boxes
        if not boxes:
            return "no layers"
        box = self.rng.choice(boxes)
        if not box.activation.isEnabled():
            return "locked"
        box.activation.setCurrentIndex(self.rng.randrange(box.activation.count()))
        return f"{box.objectName()} {box.activation.currentData()}"

    def change_structure(self) -> str:
        panel = self.window.parameters
        if self._network() is None:
            return "not a network"
        choice = self.rng.randrange(5)
        names = ("add_layer", "add_sample", "remove_sample")
        buttons = [b for b in panel.findChildren(QPushButton)
                   if b.isEnabled() and b.isVisibleTo(panel)
                   and (b.objectName() in names or b.objectName().startswith("remove_layer_"))]
        if choice < 2 and buttons:
            button = self.rng.choice(sorted(buttons, key=lambda b: b.objectName()))
            button.click()
            return f"click {button.objectName()}"
        spins = [s for s in panel.findChildren(QSpinBox) if s.isEnabled()
                 and s.isVisibleTo(panel)]
        if not spins:
            return "no spin box"
        spin = self.rng.choice(spins)
        spin.setValue(self.rng.randint(spin.minimum(), min(spin.maximum(), 5)))
        return f"{spin.objectName()} = {spin.value()}"

    def set_learning_rate(self) -> str:
        field_ = self.window.training.learning_rate
        if not field_.isEnabled():
            return "disabled"
        text = self.rng.choice(LEARNING_RATES)
        if self.rng.random() < 0.5:  # typed: the validator may refuse it
            field_.setFocus()
            self._type(field_, text)
            self.qtbot.keyClick(field_, Qt.Key.Key_Return)
            return f"typed η {text!r}"
        field_.setText(text)  # pasted past the validator
        field_.editingFinished.emit()
        return f"set η {text!r}"

    def change_method(self) -> str:
        training = self.window.training
        if not training.method.isEnabled():
            return "disabled"
        training.method.setCurrentIndex(self.rng.randrange(training.method.count()))
        if training.batch_size.isEnabled():
            training.batch_size.setValue(self.rng.randint(1, training.batch_size.maximum()))
        return f"{training.method.currentData()} batch {training.batch_size.value()}"

    def train(self) -> str:
        training = self.window.training
        if not training.step_button.isEnabled():
            return "disabled"
        choice = self.rng.randrange(4)
        if choice == 0:
            training.step_button.click()
            return "step"
        if choice == 1:
            training.run_count.setValue(self.rng.choice((2, 10, 50, 200)))
            training.run_button.click()
            return f"run {training.run_count.value()}"
        if choice == 2:
            training.play_button.click()
            for _ in range(self.rng.randrange(1, 4)):
                if training.play_button.isChecked():
                    training._play_timer.timeout.emit()
            training.stop()
            return "play"
        training.reset_button.click()
        return "reset"

    def restore_point(self) -> str:
        history = self.document.history
        index = self.rng.randrange(-2, len(history) + 2)
        self.window.training.restore_point(index)
        return f"restore {index} of {len(history)}"

    def undo_redo(self) -> str:
        names = [self.rng.choice(("action_undo", "action_undo", "action_redo"))
                 for _ in range(self.rng.randrange(1, 4))]
        for name in names:
            if self.rng.random() < 0.3:
                self.window.network_view.setFocus()
                key = Qt.Key.Key_Z if name == "action_undo" else Qt.Key.Key_Y
                self._key(key, Qt.KeyboardModifier.ControlModifier)
            else:
                self._trigger(name)
        return " ".join(names)

    def granularity_or_sample(self) -> str:
        if self.rng.random() < 0.5:
            return self._trigger(self.rng.choice(("action_granularity_node",
                                                  "action_granularity_layer")))
        combo = self.window.stepper_bar.sample_combo
        if combo.count() <= 1:
            return "one sample"
        combo.setCurrentIndex(self.rng.randrange(combo.count()))
        return f"sample {combo.currentData()}"

    def toggle_graph(self) -> str:
        return self._trigger("action_toggle_graph")

    def appearance(self) -> str:
        return self._trigger(self.rng.choice((
            "action_theme_light", "action_theme_dark", "action_theme_high_contrast",
            "action_font_bigger", "action_font_smaller", "action_font_reset")))

    def presentation(self) -> str:
        controller = self.window.presentation
        if not controller.presenting:
            self._key(Qt.Key.Key_F5)
            return f"F5 presenting={controller.presenting}"
        keys = [self.rng.choice((Qt.Key.Key_PageDown, Qt.Key.Key_PageUp, Qt.Key.Key_B,
                                 Qt.Key.Key_Right, Qt.Key.Key_Equal, Qt.Key.Key_Minus,
                                 Qt.Key.Key_Escape)) for _ in range(self.rng.randrange(1, 5))]
        for key in keys:
            ctrl = key in (Qt.Key.Key_Equal, Qt.Key.Key_Minus)
            self._key(key, Qt.KeyboardModifier.ControlModifier if ctrl
                      else Qt.KeyboardModifier.NoModifier)
        return "keys " + " ".join(k.name for k in keys)

    def quiz(self) -> str:
        panel = self.window.quiz_dock.widget()
        choice = self.rng.randrange(5)
        if choice == 0 or panel.state is None:
            panel.mode_combo.setCurrentIndex(self.rng.randrange(panel.mode_combo.count()))
            panel.start_button.click()
            return f"start {panel.mode_combo.currentData()}"
        if choice == 1:
            panel.reveal_button.click()
            return "reveal"
        if choice == 2:
            panel.restart_button.click()
            return "restart"
        question = panel.state.current
        text = (question.answer_text if question is not None and self.rng.random() < 0.5
                else self.rng.choice(QUIZ_ANSWERS))
        panel.answer_edit.setText(text)
        panel.check_button.click()
        return f"answer {text!r}"

    def expression(self) -> str:
        panel = self.window.parameters_stack.expression_panel
        if panel.problem() is None:
            return self._open(self.rng.choice([p for p in self.bundled
                                               if "expression" in p.stem]))
        if self.rng.random() < 0.5 and panel.table.rowCount():
            item = panel.table.item(self.rng.randrange(panel.table.rowCount()), 1)
            text = self._number()
            item.setText(text)
            return f"value {item.data(Qt.ItemDataRole.UserRole)} = {text!r}"
        program = self.rng.choice(PROGRAMS)
        panel.editor.setPlainText(program)
        if self.rng.random() < 0.5:
            panel.editor.setFocus()
            self.qtbot.keyClick(panel.editor, Qt.Key.Key_Return,
                                Qt.KeyboardModifier.ControlModifier)
        else:
            panel.apply_button.click()
        return f"program {program!r} error={panel.error_label.text()[:60]!r}"

    def _open(self, path: Path) -> str:
        before = len(self.dialogs.shown)
        opened = self.window.files.open_path(path)
        if not opened:  # cancelled at "Unsaved changes?", or a message naming the file
            said = self.dialogs.shown[before:]
            assert said and (said[-1] == UNSAVED or path.name in said[-1]), said
        return f"open {path.name} -> {opened}"

    def open_bundled(self) -> str:
        return self._open(self.rng.choice(self.bundled))

    def save_and_reopen(self) -> str:
        saved = self.window.files.save_as()
        # whatever the app let the user make, the file format must be able to store
        assert saved, self.dialogs.shown[-1:]
        path = self.document.path
        before = self.document.exercise.problem
        reopened = self.window.files.open_path(path)
        after = self.document.exercise.problem
        if isinstance(before, NetworkProblem) and reopened:
            np.testing.assert_array_equal(before.params.flat(), after.params.flat())
        return f"saved and reopened {path.name} -> {reopened}"

    def open_garbage(self) -> str:
        self.garbage += 1
        path = self.scratch / f"garbage-{self.garbage}.json"
        kind, content = garbage(self.rng, self.rng.choice(self.bundled))
        path.write_bytes(content)
        return f"{kind}: " + self._open(path)

    def new_file(self) -> str:
        return self._trigger("action_new")

    def trace_table(self) -> str:
        table = self.window.trace_table
        rows = table.model().rowCount()
        if not rows:
            return "empty"
        row = self.rng.randrange(rows)
        table.selectRow(row)
        return f"row {row}"

    def zoom(self) -> str:
        view = self.window.centre.currentWidget()
        name = self.rng.choice(("zoom_in", "zoom_out", "fit"))
        method = getattr(view, name, None)
        if method is not None:
            method()
        return name


# --------------------------------------------------------------------------- garbage files

def _mutate(value, rng: random.Random, depth: int = 0):
    """``value`` with one node somewhere replaced by something of the wrong kind or size."""
    if isinstance(value, dict) and value and depth < 6 and rng.random() < 0.8:
        key = rng.choice(sorted(value))
        return {**value, key: _mutate(value[key], rng, depth + 1)}
    if isinstance(value, list) and value and depth < 6 and rng.random() < 0.8:
        index = rng.randrange(len(value))
        return [*value[:index], _mutate(value[index], rng, depth + 1), *value[index + 1:]]
    return rng.choice((None, True, "text", -1, 0, 10**400 // 10**100, 1e308, -1e308, [],
                       {}, [[1, 2], [3]], "NaN", 2**63, [1e308] * 3, {"a": 1}, 1.5))


def garbage(rng: random.Random, source: Path) -> tuple[str, bytes]:
    """A file made to fail: truncated, mistyped, huge numbers, binary, or empty."""
    text = source.read_text(encoding="utf-8")
    kind = rng.choice(("truncated", "mutated", "mutated", "huge", "binary", "empty", "list"))
    if kind == "truncated":
        return kind, text[:rng.randrange(len(text))].encode()
    if kind == "binary":
        return kind, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    if kind == "empty":
        return kind, b""
    if kind == "list":
        return kind, b"[1, 2, 3]"
    doc = json.loads(text)
    if kind == "huge":
        doc = _scale_numbers(doc, rng.choice((1e200, 1e306, -1e308, math.inf)))
        return kind, json.dumps(doc).encode()  # inf becomes the non-standard Infinity
    return kind, json.dumps(_mutate(doc, rng)).encode()


def _scale_numbers(value, factor: float):
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int) and value:
        return value * factor
    if isinstance(value, list):
        return [_scale_numbers(v, factor) for v in value]
    if isinstance(value, dict):
        return {k: (v if k == "format_version" else _scale_numbers(v, factor))
                for k, v in value.items()}
    return value
