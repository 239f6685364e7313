"""The monkey test: seeded random sequences of real user actions raise nothing.

CI runs a few hundred actions; a longer run is a separate command, for example
``.venv/bin/python -m pytest tests/ui/test_monkey.py --monkey-actions 20000 --monkey-seed 7``.
A failure names the seed and the action index; the same options replay it.
"""

from __future__ import annotations

import collections
import random

import pytest
from PySide6.QtWidgets import QMessageBox

from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled
from .monkey import Dialogs, Monkey, silence_dialogs

# pyqtgraph's scatter bounds overflow for data points at ±1e308 (a warning, drawn all the
# same); raised as an error inside a paint event it would abort the process
pytestmark = pytest.mark.filterwarnings(
    "ignore::RuntimeWarning:pyqtgraph.graphicsItems.ScatterPlotItem")

CI_SEEDS = (1, 2)
CI_ACTIONS = 250


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "seed" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--monkey-seed")
        metafunc.parametrize("seed", CI_SEEDS if chosen is None else (chosen,))


@pytest.fixture
def window(qtbot):
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.presentation.leave()
    window.apply_theme("light")
    window.set_font_scale(1.0)


@pytest.mark.slow
def test_random_user_actions_raise_nothing(qtbot, monkeypatch, tmp_path, window, seed,
                                           request):
    count = request.config.getoption("--monkey-actions") or CI_ACTIONS
    dialogs = Dialogs(random.Random(seed), tmp_path)
    silence_dialogs(monkeypatch, window, dialogs)
    monkey = Monkey(qtbot, window, seed, tmp_path, dialogs)
    monkey.run(count)
    assert len(monkey.log) == count
    kinds = collections.Counter(line.split(": ")[1] for line in monkey.log)
    print(f"\nmonkey seed {seed}: {count} actions, {len(dialogs.shown)} dialogs answered, "
          f"{dialogs.saves} saves; {dict(kinds.most_common())}")
    if count >= CI_ACTIONS:
        assert len(kinds) >= 18, kinds  # the run reached most kinds of action
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
