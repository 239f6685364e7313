"""The diagrams measured as a student sees them: every bundled exercise, normal and
presentation mode, three screen sizes, every step (a seeded sample of long traces).

For each view (the network diagram and the computation graph) at each step:
- no two texts overlap, and no text covers a node it does not belong to;
- a node's symbol and value stay inside its body;
- every item the step computes or reads is inside the viewport and clear of the step
  counter;
- in presentation mode at 1080p those items' labels are at least 28 px tall on screen, and
  a subscript (0.56 of a line, measured from the font) at least 18 px;
- outside presentation at 1280×720 (a laptop, the panels as the app opens them) at least
  10 px: the view zooms onto the step and follows it rather than fit a wide network at 6 px.
CI measures each exercise in one of the six size × mode combinations (rotating, so every
combination is seen); `pytest --geometry-sweep` measures all of them (a quarter of an hour).
A quick subset runs everywhere.
"""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtGui import QFontMetricsF, QPainterPathStroker
from PySide6.QtWidgets import QApplication, QMessageBox

from tutor.engine import NetworkProblem
from tutor.exercise.library import exercises_dir
from tutor.ui import first_run
from tutor.ui.diagram.arrange import text_boxes
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled

EXERCISES = sorted(p.stem for p in exercises_dir().glob("*.json"))
SIZES = {"1080p": (1920, 1080), "720p": (1280, 720), "xga": (1024, 768)}
EVERY_STEP_UP_TO = 40  # at 1080p a trace this long is measured at every step
STEPS_SAMPLED = 10  # else (and at the smaller sizes) a seeded sample, first and last included
LINE_PX, SUBSCRIPT_PX = 28.0, 18.0
LAPTOP_PX = 10.0  # a line at 1280×720 outside presentation
TOLERANCE = 0.5  # scene units: touching is not overlapping


def subscript_share() -> float:
    """How tall a subscript digit is against a full-size one in the label font."""
    from tutor.ui.diagram.tags import tag_font

    metrics = QFontMetricsF(tag_font())
    return metrics.tightBoundingRect("₁").height() / metrics.tightBoundingRect("1").height()


def sampled_steps(name: str, count: int, limit: int) -> list[int]:
    if count <= limit:
        return list(range(count))
    picked = random.Random(name).sample(range(1, count - 1), limit - 2)
    return [0, *sorted(picked), count - 1]


def open_window(qtbot, monkeypatch, name: str, size: tuple[int, int],
                presenting: bool) -> MainWindow:
    window = MainWindow(Document(bundled(name)))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save",
                        lambda: QMessageBox.StandardButton.Discard)
    # the test screen is smaller than the projector: full screen means this size here
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(*size))
    window.resize(*size)
    first_run.share_docks(window)  # the panels as the app opens them at this size
    window.show()
    qtbot.waitExposed(window)
    if presenting:
        window.presentation.enter()
    QApplication.processEvents()
    return window


def views(window: MainWindow):
    """(name, view) for each view the exercise has, shown in turn."""
    if isinstance(window.document.exercise.problem, NetworkProblem):
        window.graph_action.setChecked(False)
        QApplication.processEvents()
        yield "network", window.network_view
    window.graph_action.setChecked(True)
    QApplication.processEvents()
    yield "graph", window.graph_view


def _shrunk(rect: QRectF) -> QRectF:
    return rect.adjusted(TOLERANCE, TOLERANCE, -TOLERANCE, -TOLERANCE)


def _banner_rect(window: MainWindow, view) -> QRect | None:
    counter = window.presentation.counter
    if not counter.isVisible():
        return None
    top_left = view.viewport().mapFrom(window, counter.mapTo(window, QPoint(0, 0)))
    return QRect(top_left, counter.size())


def smallest(size_name: str, presenting: bool) -> tuple[float, float] | None:
    """The least line and subscript height (px) a read label may have in this config."""
    if presenting and size_name == "1080p":
        return LINE_PX, SUBSCRIPT_PX
    if not presenting and size_name == "720p":
        return LAPTOP_PX, 0.0
    return None


def problems_at(window: MainWindow, view, *,
                check_size: tuple[float, float] | None) -> list[str]:
    """Everything wrong with the view as drawn now, one line each."""
    found: list[str] = []
    boxes = list(text_boxes(view))
    for n, box in enumerate(boxes):
        rect = _shrunk(box.rect)
        for other in boxes[n + 1:]:
            if rect.intersects(_shrunk(other.rect)):
                found.append(f"{box.owner} {box.role} overlaps {other.owner} {other.role}")
        for node_id, node in view.nodes.items():
            body = node.mapRectToScene(node.body())
            if node_id == box.owner and box.role in ("symbol", "value"):
                if not body.adjusted(-1, -1, 1, 1).contains(box.rect):
                    found.append(f"{node_id} {box.role} spills out of its node")
            elif node_id != box.owner and rect.intersects(body):
                found.append(f"{box.owner} {box.role} covers node {node_id}")
    found += edges_through_nodes(view)
    viewport = QRectF(view.viewport().rect())
    banner = _banner_rect(window, view)
    zoom = view.zoom()
    share = subscript_share()
    important = [b for b in boxes if b.important]
    important_nodes = [n for n in view.nodes.values() if n.state.value in
                       ("current", "cached_read")]
    for where, rect in ([(f"{b.owner} {b.role}", b.rect) for b in important]
                        + [(f"node {n.node_id}", n.mapRectToScene(n.body()))
                           for n in important_nodes]):
        on_screen = view.mapFromScene(rect).boundingRect()
        if not viewport.adjusted(-1, -1, 1, 1).contains(QRectF(on_screen)):
            found.append(f"{where} is out of the viewport")
        if banner is not None and banner.intersects(on_screen):
            found.append(f"{where} is under the step counter")
    if check_size:
        line, subscript = check_size
        for box in important:
            height = QFontMetricsF(box.font).height() * zoom
            if height < line or height * share < subscript:
                found.append(f"{box.owner} {box.role}: {height:.1f} px tall")
    return found


def edges_through_nodes(view) -> list[str]:
    """Edges drawn through the body of a node they do not connect."""
    found = []
    stroker = QPainterPathStroker()
    stroker.setWidth(1.0)
    edges = view.edges if isinstance(view.edges, list) else getattr(view, "links", [])
    bodies = [(node_id, node, node.mapRectToScene(node.body()))
              for node_id, node in view.nodes.items()]
    for edge in edges:
        path = edge.mapToScene(edge.path())
        line, near = None, path.boundingRect()
        for node_id, node, body in bodies:
            if node in (edge.source, edge.target) or not near.intersects(body):
                continue
            line = line or stroker.createStroke(path)
            if line.intersects(body):
                ends = (getattr(edge.source, "node_id", "…"), getattr(edge.target, "node_id", "…"))
                found.append(f"edge {ends[0]}→{ends[1]} passes through {node_id}")
    return found


def sweep(qtbot, monkeypatch, name: str, size_name: str, presenting: bool,
          limit: int, every_up_to: int = 0) -> list[str]:
    window = open_window(qtbot, monkeypatch, name, SIZES[size_name], presenting)
    check_size = smallest(size_name, presenting)
    found: list[str] = []
    try:
        document = window.document
        for view_name, view in views(window):
            count = len(document.trace)
            for cursor in sampled_steps(name, count, count if count <= every_up_to else limit):
                document.set_cursor(cursor)
                found += [f"{view_name} step {cursor + 1}: {problem}"
                          for problem in problems_at(window, view, check_size=check_size)]
    finally:
        window.presentation.leave()  # the theme is application-wide
    return found


def report(found: list[str]) -> str:
    return f"{len(found)} problems, e.g.\n" + "\n".join(found[:25])


QUICK = [("chain-rule-discussion", "1080p", True), ("xor", "720p", False),
         ("cmu-recitation-5-expression", "xga", True), ("ftml-session-8", "1080p", False)]


@pytest.mark.parametrize(("name", "size_name", "presenting"), QUICK)
def test_a_few_views_are_legible_and_free_of_overlaps(qtbot, monkeypatch, name, size_name,
                                                      presenting):
    found = sweep(qtbot, monkeypatch, name, size_name, presenting, limit=8)
    assert not found, report(found)


def _rotation() -> set[tuple[str, str, bool]]:
    """One size × mode combination per exercise, each combination in turn."""
    combinations = [(size, mode) for size in SIZES for mode in (False, True)]
    return {(name, *combinations[k % len(combinations)]) for k, name in enumerate(EXERCISES)}


def configs(sweeping_all: bool):
    rotation = _rotation()
    for name in EXERCISES:
        for size_name in SIZES:
            for presenting in (False, True):
                if not sweeping_all and (name, size_name, presenting) not in rotation:
                    continue
                mode = "presentation" if presenting else "normal"
                yield pytest.param(name, size_name, presenting, id=f"{name}-{size_name}-{mode}")


def pytest_generate_tests(metafunc) -> None:
    if metafunc.function.__name__ == "test_every_view_is_legible_and_free_of_overlaps":
        sweeping_all = metafunc.config.getoption("--geometry-sweep")
        metafunc.parametrize(("name", "size_name", "presenting"), list(configs(sweeping_all)))


@pytest.mark.slow
def test_every_view_is_legible_and_free_of_overlaps(qtbot, monkeypatch, name, size_name,
                                                    presenting):
    every = EVERY_STEP_UP_TO if size_name == "1080p" else 0
    found = sweep(qtbot, monkeypatch, name, size_name, presenting, limit=STEPS_SAMPLED,
                  every_up_to=every)
    assert not found, report(found)
