"""The function view draws exactly what the engine computes, and follows training."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import (
    Dataset,
    Layer,
    LayerNotation,
    Network,
    NetworkProblem,
    Notation,
    Parameters,
)
from tutor.engine import function_samples as samples
from tutor.engine.batch import forward
from tutor.exercise import Exercise
from tutor.ui.document import Document
from tutor.ui.panels.function_view import FunctionView, Page, SideBySide
from tutor.ui.style import Palette, theme

from .conftest import bundled


@pytest.fixture
def make_view(qtbot):
    def make(exercise: Exercise) -> FunctionView:
        view = FunctionView(Document(exercise))
        qtbot.addWidget(view)
        view.resize(500, 400)
        view.show()
        qtbot.waitExposed(view)
        return view
    return make


def drawn_curve(view: FunctionView) -> tuple[np.ndarray, np.ndarray]:
    x, y = view.curve.getData()
    return np.asarray(x), np.asarray(y)


def test_curve_is_the_networks_forward_output(make_view):
    view = make_view(bundled("curve-fit-1d"))
    problem = view.document.exercise.problem
    assert view.page is Page.CURVE
    x, y = drawn_curve(view)
    expected = forward(problem.network, problem.params, x[:, None]).output[:, 0]
    np.testing.assert_array_equal(y, expected)
    assert x[0] == pytest.approx(-3.6) and x[-1] == pytest.approx(3.6)  # [−3, 3] ± 10 %
    data = view.points.getData()
    np.testing.assert_array_equal(data[0], problem.data.inputs[:, 0])
    np.testing.assert_array_equal(data[1], problem.data.targets[:, 0])
    assert view.curve_plot.getPlotItem().getAxis("bottom").labelText == "x"
    assert view.curve_plot.getPlotItem().getAxis("left").labelText == "ŷ"


def test_training_redraws_the_curve_with_the_new_parameters(make_view, qtbot):
    view = make_view(bundled("curve-fit-1d"))
    before = drawn_curve(view)[1].copy()
    view.document.train(200)
    qtbot.waitUntil(lambda: not np.array_equal(drawn_curve(view)[1], before))
    problem = view.document.exercise.problem
    x, y = drawn_curve(view)
    np.testing.assert_array_equal(y, samples.curve(problem)[1])
    # the fit improved: the curve at the data is closer to the targets than before training
    at_data = np.searchsorted(x, problem.data.inputs[:, 0])
    targets = problem.data.targets[:, 0]
    assert np.abs(y[at_data] - targets).max() < np.abs(before[at_data] - targets).max()


def test_many_quick_updates_make_one_redraw(make_view, qtbot):
    view = make_view(bundled("curve-fit-1d"))
    redraws = []
    view.pages.currentChanged.connect(redraws.append)  # not emitted: same page
    calls = []
    original = view._draw_curve
    view._draw_curve = lambda problem: (calls.append(1), original(problem))
    for _ in range(5):
        view.document.train(1)
    assert calls == []  # nothing drawn synchronously while training
    qtbot.waitUntil(lambda: len(calls) == 1)
    np.testing.assert_array_equal(drawn_curve(view)[1],
                                  samples.curve(view.document.exercise.problem)[1])
    assert redraws == []


def test_two_class_heatmap_matches_the_engine(make_view):
    view = make_view(bundled("two-class-2d"))
    problem = view.document.exercise.problem
    assert view.page is Page.MAP
    xs, ys, values = samples.grid(problem)
    np.testing.assert_array_equal(view.image.image, values)
    assert view.image.image.shape == (samples.GRID_POINTS, samples.GRID_POINTS)
    assert tuple(view.colour_bar.levels()) == (0.0, 1.0)  # a sigmoid output: a probability
    assert view.contour.isVisible()
    assert view.image.axisOrder == "row-major"  # image[row, column]: rows along x₂
    rect = view.image.mapRectToParent(view.image.boundingRect())
    step = xs[1] - xs[0]
    assert rect.left() == pytest.approx(xs[0] - step / 2)
    assert rect.width() == pytest.approx(step * len(xs))
    assert rect.top() == pytest.approx(ys[0] - (ys[1] - ys[0]) / 2)  # row 0 is the lowest x₂
    # both classes drawn, by shape as well as colour
    symbols = set(view.class_points.data["symbol"])
    assert symbols == {"o", "t1"}
    assert len(view.class_points.data) == len(problem.data)


def test_regression_map_shows_the_output_range_without_a_boundary(make_view):
    view = make_view(bundled("inf264-homework-4"))
    problem = view.document.exercise.problem
    values = samples.grid(problem)[2]
    low, high = view.colour_bar.levels()
    assert low == pytest.approx(min(values.min(), problem.data.targets.min()))
    assert high == pytest.approx(max(values.max(), problem.data.targets.max()))
    assert not view.contour.isVisible()
    assert set(view.class_points.data["symbol"]) == {"o"}  # values, not classes


def test_zero_one_targets_of_a_linear_output_are_values_not_classes(make_view):
    view = make_view(bundled("chain-rule-discussion"))  # y₁ = 1 from a linear output
    assert view.document.exercise.problem.data.targets[0, 0] == 1.0
    assert set(view.class_points.data["symbol"]) == {"o"}
    assert "y = 1" not in view.caption.text()


def test_several_outputs_offer_a_choice(make_view):
    view = make_view(bundled("chain-rule-discussion"))
    assert view.output_row.isVisible()
    assert [view.output_choice.itemText(i) for i in range(2)] == ["ŷ₁", "ŷ₂"]
    view.output_choice.setCurrentIndex(1)
    np.testing.assert_array_equal(view.image.image,
                                  samples.grid(view.document.exercise.problem, output=1)[2])


def test_three_inputs_explain_why_there_is_no_picture(make_view):
    network = Network(3, (Layer(1),))
    problem = NetworkProblem(network, Parameters.of([[[1.0, 2.0, 3.0]]], [[0.0]]),
                             Dataset(np.array([[1.0, 0.0, 2.0]]), np.array([[1.0]])))
    view = make_view(Exercise("Three inputs", problem))
    assert view.page is Page.MESSAGE
    assert "1 or 2 inputs" in view.message.text() and "has 3" in view.message.text()


def test_expression_exercise_is_explained(make_view):
    view = make_view(bundled("cmu-recitation-5-expression"))
    assert view.page is Page.MESSAGE
    assert "expression" in view.message.text()


def test_opening_another_exercise_switches_the_picture(make_view, qtbot):
    view = make_view(bundled("xor"))
    assert view.page is Page.MAP
    view.document.reset(bundled("curve-fit-1d"))
    qtbot.waitUntil(lambda: view.page is Page.CURVE)


def test_hidden_view_draws_when_shown(make_view, qtbot):
    view = make_view(bundled("curve-fit-1d"))
    view.hide()
    view.document.train(50)
    view.redraw()
    assert not np.array_equal(drawn_curve(view)[1],
                              samples.curve(view.document.exercise.problem)[1])
    view.show()
    np.testing.assert_array_equal(drawn_curve(view)[1],
                                  samples.curve(view.document.exercise.problem)[1])


def test_theme_switch_recolours(make_view, qtbot):
    view = make_view(bundled("two-class-2d"))
    try:
        theme().set_palette(Palette.dark())
        assert view.map_plot.backgroundBrush().color().name() == Palette.dark().background.lower()
        middle = view.colour_bar.colorMap().map(0.5, "qcolor")
        assert middle.name() == Palette.dark().background.lower()
        theme().set_palette(Palette.high_contrast())
        qtbot.waitUntil(lambda: not view._timer.isActive())
        assert view.page is Page.MAP
    finally:
        theme().set_palette(Palette.light())


def test_side_by_side_turns_when_tall(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    splitter = SideBySide(QLabel("a"), QLabel("b"))
    qtbot.addWidget(splitter)
    splitter.resize(600, 200)
    splitter.show()
    qtbot.waitUntil(lambda: splitter.orientation() is Qt.Orientation.Horizontal)
    splitter.resize(300, 600)
    qtbot.waitUntil(lambda: splitter.orientation() is Qt.Orientation.Vertical)


def test_a_short_view_gives_the_caption_up_for_the_plot(make_view, qtbot):
    view = make_view(bundled("two-class-2d"))
    assert view.caption.isVisible() and "y = 1" in view.caption.text()
    font = view.caption.font()
    font.setPointSizeF(2.5 * font.pointSizeF())  # projector-sized text wraps to many lines
    view.caption.setFont(font)
    view.resize(260, 200)
    assert 200 - view.caption.heightForWidth(260) < 120
    qtbot.waitUntil(lambda: not view.caption.isVisible())
    assert "y = 1" in view.pages.toolTip()  # still there, on hover
    view.resize(500, 400)
    qtbot.waitUntil(view.caption.isVisible)


def test_a_hatted_input_or_output_name_keeps_its_hat_on_the_axes(make_view):
    """A sheet naming its input x̂ and output θ̂: the axis labels and the caption draw the hat
    over the letter (drawable), as the step panel does."""
    output = Layer(1, notation=LayerNotation(act="θ\u0302"))
    network = Network(1, (output,), notation=Notation(input_names=("x\u0302",)))
    problem = NetworkProblem(network, Parameters.of([[[1.0]]], [[0.0]]),
                             Dataset(np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]])))
    view = make_view(Exercise("Hats", problem))
    assert view.page is Page.CURVE
    bottom = view.curve_plot.getAxis("bottom").labelText
    left = view.curve_plot.getAxis("left").labelText
    assert (bottom, left) == ("x\u200d\u0302", "θ\u200d\u0302")
    assert "θ\u200d\u0302 = f(x\u200d\u0302)" in view.caption.text()
