"""Drives the real window offscreen and prints the timings as JSON (one line).

    QT_QPA_PLATFORM=offscreen python -m benchmarks.gui_driver seed|big [--quick]

Run in its own process by :mod:`benchmarks.gui` so that Qt never loads in the engine
benchmarks and a network too big to open cannot stall the whole run.  A repaint is forced
with ``widget.grab()`` after ``processEvents()``: the time covers the document's work, every
view's reaction and the painting of the widgets named.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication, QWidget

QStandardPaths.setTestModeEnabled(True)  # never read or write a real settings profile

from tutor import exercise as exercises  # noqa: E402
from tutor.engine.edit import display_parameters, set_display_entry  # noqa: E402
from tutor.engine.training import train  # noqa: E402
from tutor.exercise import Exercise  # noqa: E402
from tutor.ui import settings  # noqa: E402
from tutor.ui.app import freeze_startup_objects  # noqa: E402
from tutor.ui.document import Document  # noqa: E402
from tutor.ui.main_window import MainWindow  # noqa: E402

FRAME = 1 / 60  # 16.7 ms
STALL_TARGET = 0.05  # a Run must hand the event loop back at least this often


def _median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _item(name: str, seconds: float | None, reference: float | None, target: float | None,
          note: str = "") -> dict:
    return {"name": name, "seconds": seconds, "reference": reference, "target": target,
            "note": note}


def _app() -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    return app


def _bare_paint(app: QApplication, size, repeat: int) -> float:
    """Painting an empty widget of the window's size: the floor of any repaint."""
    bare = QWidget()
    bare.resize(size)
    bare.show()
    app.processEvents()
    seconds = _median_time(lambda: (app.processEvents(), bare.grab()), repeat)
    bare.close()
    return seconds


def _open(app: QApplication, exercise: Exercise) -> tuple[MainWindow, float]:
    """A window on ``exercise``, shown and painted; returns it and the seconds it took."""
    start = time.perf_counter()
    window = MainWindow(Document(exercise))
    window.show()
    for _ in range(5):  # as the app's --screenshot does: let layouts and diagrams settle
        app.processEvents()
    window.grab()
    elapsed = time.perf_counter() - start
    freeze_startup_objects()  # as the app does before its event loop
    return window, elapsed


def _repaint(app: QApplication, *widgets: QWidget) -> None:
    app.processEvents()
    for widget in widgets:
        widget.grab()


def _edit_weight(window: MainWindow, delta: float) -> None:
    document = window.document
    problem = document.exercise.problem
    value = float(display_parameters(problem, 0)[0, 0]) + delta
    document.edit("Edit a weight",
                  document.exercise.with_problem(set_display_entry(problem, 0, 0, 0, value)))


def _step(window: MainWindow) -> None:
    document = window.document
    if document.at_end():
        document.first()
    document.next()


def _run_stalls(app: QApplication, window: MainWindow, updates: int) -> tuple[float, float]:
    """Click Run for ``updates`` updates and keep handling events until it ends:
    (the longest time the event loop was away, including the click; total seconds)."""
    panel = window.training
    panel.run_count.setValue(updates)
    start = last = time.perf_counter()
    panel.run_button.click()
    longest = time.perf_counter() - last
    while panel.running:
        last = time.perf_counter()
        app.processEvents()
        longest = max(longest, time.perf_counter() - last)
    return longest, time.perf_counter() - start


def seed(quick: bool) -> list[dict]:
    app = _app()
    repeat = 7 if quick else 25
    exercise = exercises.load(exercises.default_path())
    window, first_paint = _open(app, exercise)
    bare = _bare_paint(app, window.size(), repeat)
    views = (window.network_view, window.inspector)
    flip = iter(int(n % 2) * 2 - 1 for n in range(10_000))

    edit = _median_time(lambda: (_edit_weight(window, 0.01 * next(flip)),
                                 _repaint(app, *views)), repeat)
    window.document.set_cursor(len(window.document.trace) // 2)
    step = _median_time(lambda: (_step(window), _repaint(app, *views)), repeat)
    whole_step = _median_time(lambda: (_step(window), _repaint(app, window)), repeat)

    problem = window.document.exercise.problem
    engine_only = _median_time(lambda: train(problem.network, problem.params, problem.data,
                                             problem.training, 1000), 3)
    training = _median_time(lambda: (window.document.train(1000),
                                     _repaint(app, window.training)), 3)
    updates = 10_000 if quick else 100_000
    stall, run_seconds = _run_stalls(app, window, updates)
    name = exercises.default_path().stem
    return [
        _item(f"first paint in-process ({name})", first_paint, bare, None,
              "MainWindow + Document built, shown and grabbed; reference: bare widget grab"),
        _item(f"weight edit → diagram + inspector ({name})", edit, bare, FRAME),
        _item(f"one step forward → diagram + inspector ({name})", step, bare, FRAME),
        _item(f"one step forward → whole window ({name})", whole_step, bare, None),
        _item(f"1,000 training updates + curve drawn ({name})", training, engine_only, None,
              "reference: the same 1,000 updates in the engine alone"),
        _item(f"Run {updates:,} updates: longest event-loop stall ({name})", stall, None,
              STALL_TARGET, f"the whole Run took {run_seconds:.2f} s; engine alone "
              f"{engine_only * updates / 1000:.2f} s"),
    ]


def big(quick: bool) -> list[dict]:
    from benchmarks.engine import mnist_sized_problem

    app = _app()
    exercise = Exercise("784-128-10", mnist_sized_problem())
    window, first_paint = _open(app, exercise)
    bare = _bare_paint(app, window.size(), 5)
    views = (window.network_view, window.inspector)
    edit = _median_time(lambda: (_edit_weight(window, 0.01), _repaint(app, *views)), 3)
    step = _median_time(lambda: (_step(window), _repaint(app, *views)), 3)
    stall, run_seconds = _run_stalls(app, window, 50 if quick else 200)
    return [
        _item("first paint in-process (784-128-10, batch 64)", first_paint, bare, None),
        _item("weight edit → diagram + inspector (784-128-10)", edit, bare, 0.1),
        _item("one step forward → diagram + inspector (784-128-10)", step, bare, None),
        _item("Run 200 updates: longest event-loop stall (784-128-10)" if not quick else
              "Run 50 updates: longest event-loop stall (784-128-10)", stall, None, STALL_TARGET,
              f"the whole Run took {run_seconds:.2f} s"),
    ]


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "seed"
    quick = "--quick" in argv
    items = {"seed": seed, "big": big}[which](quick)
    print(json.dumps(items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
