"""Layouts for real screens: View ▸ Layout (Study, Lecture, Full, Reset) and their rules.

- **Study**: every panel, for working through an exercise at a desk.
- **Lecture**: the diagram and the step panel only, the step panel a third of the width.
- **Full**: the diagram alone.
- **Reset layout**: the layout the window opened with, adapted to the screen.

On a screen under 900 px tall (1366×768, 1280×720, a 1024×768 projector) the default gives
the diagram the middle of the window and most of its height, the largest thing on screen:
the Training panel is hidden (View ▸ Training or L shows it), the step panel has about a
quarter of the width on the right to itself and shows the whole formula and result, the
parameters a narrow column on the left (their tables scroll) and the trace a few rows.  Panels that
cannot apply are hidden: Training for an expression exercise, which has no network to train.
L shows the plots (loss curve, function view) large and back, in presentation mode too.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from tutor.engine import NetworkProblem

from .actions import make_action

SMALL_SCREEN = 900  # px of height below which the default layout gives up a panel
LECTURE_SHARE = 0.34  # of the width, for the step panel in the Lecture layout
TRACE_ROWS_SMALL = 150  # px for the trace on a small screen
SMALL_STEP_SHARE, SMALL_STEP_MIN = 0.25, 300  # of the width, px: the step panel, small screen
SMALL_PARAMETERS = 220  # px for the parameters column on a small screen (its tables scroll)
SUMMARY_SHARE = 0.55  # of the width, for the quiz's end summary


def small_columns(width: int, height: int) -> tuple[int, int] | None:
    """(parameters, step panel) widths in px on a short screen, else None: the diagram
    gets what is left, the largest share (at 1280×720 about 730 px of 1280)."""
    if height >= SMALL_SCREEN:
        return None
    return SMALL_PARAMETERS, max(SMALL_STEP_MIN, round(width * SMALL_STEP_SHARE))


class LayoutController(QObject):
    """Owns View ▸ Layout, the Training panel's applicability and the plots key."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._initial: QByteArray | None = None  # the layout before the first show
        self._training_wanted = True  # the user's choice, kept while it cannot apply
        self._plots_saved: QByteArray | None = None
        self._asked: str | None = None  # the node the open quiz question is about
        self._column_before_summary: int | None = None  # px, while a summary is shown
        self.menu = QMenu("&Layout", window)
        self.menu.setObjectName("menu_layout")
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for key, text, tip, keys in (
                ("study", "&Study", "Every panel: parameters, step, trace, training", ()),
                ("lecture", "&Lecture", "The diagram and the step panel", ()),
                ("full", "&Full", "The diagram alone", ())):
            action = make_action(window, f"action_layout_{key}", text, tip, keys)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, k=key: self.apply(k))
            group.addAction(action)
            self.menu.addAction(action)
            self.actions[key] = action
        self.menu.addSeparator()
        self.reset_action = make_action(window, "action_layout_reset", "&Reset layout",
                                        "The layout the window opened with")
        self.reset_action.triggered.connect(self.reset)
        self.menu.addAction(self.reset_action)
        self.plots_action = make_action(window, "action_show_plots", "&Plots large",
                                        "Show the loss curve and function view large, or "
                                        "the diagram again", ("L",))
        self.plots_action.setCheckable(True)
        self.plots_action.toggled.connect(self.show_plots)  # in View itself (main_window)
        window.addAction(self.plots_action)
        self.flow_action = make_action(window, "action_animate_flow", "&Animate gradient flow",
                                       "In a backward step, dashes run along the edges "
                                       "from each cached adjoint it reads to the node it "
                                       "computes")
        self.flow_action.setCheckable(True)  # off: still pictures for screenshots and tests
        self.flow_action.toggled.connect(self._animate_flow)
        self.actions["study"].setChecked(True)
        training = self._dock("training_dock")
        if training is not None:
            training.toggleViewAction().triggered.connect(self._on_training_toggled)
        window.document.structure_changed.connect(self._on_structure_change)
        quiz = getattr(window, "quiz_dock", None)
        self._quiz = quiz.widget() if quiz is not None else None
        if self._quiz is not None:
            self._quiz.running_changed.connect(self._mark_asked)
            window.document.cursor_changed.connect(self._mark_asked)
        window.installEventFilter(self)
        self._on_structure_change()

    # -- panels -----------------------------------------------------------------------------

    def _dock(self, name: str) -> QDockWidget | None:
        return getattr(self._window, name, None)

    def _docks(self) -> dict[str, QDockWidget]:
        names = ("parameters_dock", "inspector_dock", "trace_dock", "training_dock")
        return {n: d for n in names if (d := self._dock(n)) is not None}

    def training_applies(self) -> bool:
        return isinstance(self._window.document.exercise.problem, NetworkProblem)

    def _on_structure_change(self) -> None:
        training = self._dock("training_dock")
        if training is None:
            return
        applies = self.training_applies()
        training.toggleViewAction().setEnabled(applies)
        self.plots_action.setEnabled(applies)
        if not applies:
            training.hide()
        elif self._training_wanted and not training.isVisible() and \
                self.actions["study"].isChecked():
            training.show()

    def _on_training_toggled(self, shown: bool) -> None:
        self._training_wanted = shown

    def _mark_asked(self, *_: object) -> None:
        """The diagrams mark the node the open quiz question is about."""
        state = getattr(self._quiz, "state", None)
        running = state is not None and self._quiz.running
        table = getattr(self._window, "trace_table", None)
        if hasattr(table, "set_quiz_running"):  # pending formulas would give answers away
            table.set_quiz_running(running)
        question = state.current if running else None
        if state is not None and state.finished and self._asked is not None:
            self._make_room_for_summary()
        elif running and self._asked is None:
            self._give_back_summary_room()
        node = question.step.node if question is not None else None
        if node == self._asked:
            return
        self._asked = node
        for name in ("network_view", "graph_view"):
            view = getattr(self._window, name, None)
            if hasattr(view, "set_asked"):
                view.set_asked(node)

    def _make_room_for_summary(self) -> None:
        """The quiz just ended: its summary (score, the steps missed and their values) gets
        most of the right-hand column, which the step panel shared with the questions."""
        quiz, inspector = self._dock("quiz_dock"), self._dock("inspector_dock")
        if quiz is None or inspector is None or not quiz.isVisible() or \
                not inspector.isVisible() or quiz.isFloating():
            return
        window = self._window
        self._column_before_summary = quiz.width()
        window.resizeDocks([inspector, quiz], [1, 4], Qt.Orientation.Vertical)
        wide = round(window.width() * SUMMARY_SHARE)
        if quiz.width() < wide:  # a 1024×768 projector's column wraps every line twice
            window.resizeDocks([quiz], [wide], Qt.Orientation.Horizontal)

    def _give_back_summary_room(self) -> None:
        """A new quiz: the column as wide as it was before the last summary."""
        quiz, width = self._dock("quiz_dock"), self._column_before_summary
        self._column_before_summary = None
        if quiz is not None and width is not None and quiz.width() > width:
            self._window.resizeDocks([quiz], [width], Qt.Orientation.Horizontal)

    def _animate_flow(self, on: bool) -> None:
        for name in ("network_view", "graph_view"):
            view = getattr(self._window, name, None)
            if hasattr(view, "set_animate_flow"):
                view.set_animate_flow(on)

    # -- layouts ----------------------------------------------------------------------------

    def apply(self, name: str) -> None:
        """Study, Lecture or Full."""
        window = self._window
        self.actions[name].setChecked(True)
        shown = {"study": {"parameters_dock", "inspector_dock", "trace_dock",
                           "training_dock"},
                 "lecture": {"inspector_dock"}, "full": set()}[name]
        for key, dock in self._docks().items():
            wanted = key in shown and (key != "training_dock" or self.training_applies())
            dock.setVisible(wanted)
        inspector = self._dock("inspector_dock")
        if name == "lecture" and inspector is not None:
            window.resizeDocks([inspector], [round(window.width() * LECTURE_SHARE)],
                               Qt.Orientation.Horizontal)

    def reset(self) -> None:
        """The layout the window opened with, then the small-screen rules."""
        if self._initial is not None:
            self._window.restoreState(self._initial)
        self.actions["study"].setChecked(True)
        self._on_structure_change()
        self.fit_screen()
        self.fit_columns()

    def fit_screen(self) -> None:
        """On a short screen the diagram gets most of the height: the trace a few rows, the
        training panel one click away (:meth:`fit_columns` gives it the width)."""
        window = self._window
        if window.height() >= SMALL_SCREEN:
            return
        training = self._dock("training_dock")
        if training is not None:  # View ▸ Training or L brings it back
            training.hide()
            self._training_wanted = False
        trace = self._dock("trace_dock")
        if trace is not None:
            window.resizeDocks([trace], [TRACE_ROWS_SMALL], Qt.Orientation.Vertical)

    def fit_columns(self) -> None:
        """The side columns' widths on a short screen (Reset layout; the first start and
        ``--size`` get them from first_run.share_docks)."""
        window = self._window
        widths = small_columns(window.width(), window.height())
        docks = [self._dock("parameters_dock"), self._dock("inspector_dock")]
        if widths is not None and all(d is not None and d.isVisible() for d in docks):
            window.resizeDocks(docks, list(widths), Qt.Orientation.Horizontal)

    # -- plots large ------------------------------------------------------------------------

    def show_plots(self, on: bool) -> None:
        """The Training panel (loss curve and function view) across most of the window; the
        layout as it was when switched back."""
        window, training = self._window, self._dock("training_dock")
        if training is None:
            return
        if on and self.training_applies():
            self._plots_saved = window.saveState()
            for key, dock in self._docks().items():
                dock.setVisible(key == "training_dock")
            training.setFloating(False)
            window.centralWidget().hide()  # the plots take the whole window
        elif self._plots_saved is not None:
            window.centralWidget().show()
            window.restoreState(self._plots_saved)
            self._plots_saved = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show \
                and self._initial is None:
            self._initial = self._window.saveState()
            if not getattr(self._window, "restored", False):
                self.fit_screen()
        return False
