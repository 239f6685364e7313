"""The main window: assembles the document's views, docks, menus and toolbar.

It holds no state of its own beyond layout: the document owns the exercise and the cursor,
the stepper the stepping actions, the file controller the File menu.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from tutor.engine import NetworkProblem
from tutor.session.readout import sample_note

from . import settings, style
from .actions import make_action
from .document import Document
from .exports import ExportController
from .files import FileController
from .help import install_help
from .inspector import StepInspector
from .layouts import LayoutController
from .palette import qt_palette
from .panels.expression_panel import ParametersStack
from .panels.parameters_panel import ParametersPanel
from .panels.quiz_panel import quiz_dock
from .presentation import PresentationController
from .recovery import Autosaver
from .stepper import Stepper, StepperBar
from .trace_table import TraceTable
from .variants_dialog import add_teaching_actions

APP_NAME = "Backprop Tutor"
THEMES = {"light": "Light", "dark": "Dark", "high_contrast": "High contrast"}
FONT_STEP = 1.15


def _placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def _optional_view(factory: Callable[[], QWidget] | None, missing: str) -> QWidget:
    return factory() if factory is not None else _placeholder(missing)


def _view_factories(document: Document) -> tuple[Callable | None, Callable | None,
                                                  Callable | None]:
    """The diagram, graph and training views, when their modules are present."""
    try:
        from .diagram import NetworkDiagramView
        network = lambda: NetworkDiagramView(document)  # noqa: E731
    except ImportError:
        network = None
    try:
        from .diagram import GraphView  # type: ignore[attr-defined]
        graph = lambda: GraphView(document)  # noqa: E731
    except ImportError:
        graph = None
    try:
        from .panels.training_panel import TrainingPanel  # type: ignore[import-not-found]
        training = lambda: TrainingPanel(document)  # noqa: E731
    except ImportError:
        training = None
    return network, graph, training


class MainWindow(QMainWindow):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.document = document
        self.stepper = Stepper(document, self)
        self.files = FileController(document, self)
        self.files.message.connect(self._show_message)
        self.autosaver = Autosaver(document, self)  # unsaved work survives a crash
        self._build_centre()
        self._build_docks()
        self.stepper_bar = StepperBar(document, self.stepper, self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.stepper_bar)
        self._build_menus()
        document.modified_changed.connect(self._on_modified_change)
        document.path_changed.connect(self._update_title)
        document.exercise_changed.connect(self._update_title)
        self._update_title()
        self.sample_note = QLabel(objectName="sample_note")
        self.statusBar().addPermanentWidget(self.sample_note)
        document.trace_changed.connect(self._update_sample_note)
        self._update_sample_note()
        self.resize(1600, 1000)
        self.restored = settings.restore_window(self)  # False on the first run: maximise
        app = QApplication.instance()
        self._base_point_size = app.font().pointSizeF() if isinstance(app, QApplication) else 10
        style.theme().changed.connect(self._on_theme_change)
        self.apply_theme(settings.theme_name())
        style.theme().set_font_scale(settings.font_scale())
        self._on_theme_change()

    # -- assembly

    def _build_centre(self) -> None:
        network, graph, _ = _view_factories(self.document)
        self.centre = QStackedWidget(objectName="centre")
        self.network_view = _optional_view(network, "The network diagram appears here.")
        self.graph_view = _optional_view(graph, "The computation graph appears here.")
        self.centre.addWidget(self.network_view)
        self.centre.addWidget(self.graph_view)
        self.setCentralWidget(self.centre)
        self.graph_action = make_action(self, "action_toggle_graph", "Computation &graph",
                                        "Show the computation graph instead of the network",
                                        ("G",))
        self.graph_action.setCheckable(True)
        self.graph_action.toggled.connect(self._on_graph_toggled)
        self.document.structure_changed.connect(self._on_structure_change)
        self._on_structure_change()

    def _dock(self, title: str, name: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        toggle = dock.toggleViewAction()
        toggle.setObjectName(f"action_show_{name}")
        toggle.setToolTip(f"Show or hide the {title.lower()} panel")
        return dock

    def _build_docks(self) -> None:
        _, _, training = _view_factories(self.document)
        self.inspector = StepInspector(self.document)
        self.trace_table = TraceTable(self.document)
        self.parameters = ParametersPanel(self.document)
        self.parameters.error_reported.connect(self._show_message)
        self.training = _optional_view(training, "Training controls appear here.")
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.inspector_dock = self._dock("Step", "dock_inspector", self.inspector, right)
        self.training_dock = self._dock("Training", "dock_training", self.training, right)
        self.trace_dock = self._dock("Trace", "dock_trace", self.trace_table, bottom)
        self.parameters_stack = ParametersStack(self.document, self.parameters)
        self.parameters_dock = self._dock("Parameters", "dock_parameters", self.parameters_stack,
                                          Qt.DockWidgetArea.LeftDockWidgetArea)
        # equal shares: the loss curve and the function view sit side by side in training
        self.resizeDocks([self.inspector_dock, self.training_dock], [1, 1],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.inspector_dock, self.parameters_dock], [560, 380],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.trace_dock], [260], Qt.Orientation.Vertical)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.files.new_action, self.files.open_action])
        file_menu.addMenu(self.files.recent_menu)
        file_menu.addMenu(self.files.examples_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.files.save_action, self.files.save_as_action])
        file_menu.addSeparator()
        self.exports = ExportController(self.document, self, self.centre.currentWidget)
        self.exports.message.connect(self._show_message)
        file_menu.addMenu(self.exports.export_menu)
        file_menu.addActions(self.exports.print_actions())
        file_menu.addSeparator()
        add_teaching_actions(self, file_menu, self.files, self.document)
        quit_action = make_action(self, "action_quit", "&Quit", "Quit",
                                  (QKeySequence.StandardKey.Quit,))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu("&Edit")
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.undo_action.setObjectName("action_undo")
        self.redo_action.setObjectName("action_redo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action.setToolTip("Undo the last change (Ctrl+Z)")
        self.redo_action.setToolTip("Redo the change (Ctrl+Shift+Z, Ctrl+Y)")
        edit_menu.addActions([self.undo_action, self.redo_action])

        step_menu = bar.addMenu("&Step")
        step_menu.addActions(self.stepper.actions())
        step_menu.addSeparator()
        step_menu.addActions([self.stepper.node_action, self.stepper.layer_action])

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.graph_action)
        view_menu.addSeparator()
        for dock in (self.inspector_dock, self.trace_dock, self.parameters_dock,
                     self.training_dock):
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addMenu(self._theme_menu())
        bigger = make_action(self, "action_font_bigger", "&Bigger text", "Bigger text",
                             ("Ctrl+Alt+=", "Ctrl+Alt++"))
        smaller = make_action(self, "action_font_smaller", "&Smaller text", "Smaller text",
                              ("Ctrl+Alt+-",))
        reset = make_action(self, "action_font_reset", "&Normal text", "Normal text size",
                            ("Ctrl+Alt+0",))
        bigger.triggered.connect(lambda: self.set_font_scale(style.theme().font_scale * FONT_STEP))
        smaller.triggered.connect(lambda: self.set_font_scale(style.theme().font_scale / FONT_STEP))
        reset.triggered.connect(lambda: self.set_font_scale(1.0))
        view_menu.addActions([bigger, smaller, reset])
        view_menu.addSeparator()
        view_menu.addAction(self._hand_action())
        self.quiz_dock = quiz_dock(self.document, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.quiz_dock)
        self.quiz_dock.widget().running_changed.connect(self._on_quiz_running)
        view_menu.addAction(self.quiz_dock.toggleViewAction())
        self.presentation = PresentationController(self)
        self.presentation.presenting_changed.connect(self._on_presenting)
        view_menu.addActions(self.presentation.actions())
        self.layouts = LayoutController(self)  # View ▸ Layout presets, Training where it applies
        view_menu.addMenu(self.layouts.menu)
        view_menu.addAction(self.layouts.plots_action)
        view_menu.addAction(self.layouts.flow_action)

        help_menu = bar.addMenu("&Help")
        about = make_action(self, "action_about", "&About", "About Backprop Tutor")
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        install_help(self, help_menu)  # welcome, guide, shortcuts, exercise format

    def _hand_action(self):
        """View ▸ Hand calculation: carry the printed, rounded values forward (hand.py)."""
        action = make_action(self, "action_hand_calculation", "&Hand calculation",
                             "Round every printed value before the next step uses it, as on "
                             "paper")
        action.setCheckable(True)
        action.setChecked(self.document.hand)
        action.toggled.connect(self.document.set_hand)
        return action

    def _theme_menu(self):
        menu = self.menuBar().addMenu("&Theme")
        self.menuBar().removeAction(menu.menuAction())
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for key, text in THEMES.items():
            action = make_action(self, f"action_theme_{key}", text, f"{text} colours")
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, k=key: self.apply_theme(k))
            group.addAction(action)
            menu.addAction(action)
            self.theme_actions[key] = action
        return menu

    # -- appearance

    def apply_theme(self, name: str) -> None:
        if name not in style.PALETTES:
            name = "light"
        palette = style.PALETTES[name]()
        style.theme().set_palette(palette)
        settings.set_theme_name(name)
        self.theme_actions[name].setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setPalette(qt_palette(palette))

    def set_font_scale(self, scale: float) -> None:
        style.theme().set_font_scale(scale)
        settings.set_font_scale(style.theme().font_scale)

    # -- reactions

    def _on_theme_change(self) -> None:
        """Scale every widget's text with the theme, for the back row of a lecture hall."""
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._base_point_size > 0:
            font = app.font()
            font.setPointSizeF(self._base_point_size * style.theme().font_scale)
            app.setFont(font)

    def _on_graph_toggled(self, show_graph: bool) -> None:
        self.centre.setCurrentWidget(self.graph_view if show_graph else self.network_view)

    def _on_structure_change(self) -> None:
        is_network = isinstance(self.document.exercise.problem, NetworkProblem)
        if not is_network and not self.graph_action.isChecked():
            self.graph_action.setChecked(True)
        self.graph_action.setEnabled(is_network)

    def _on_quiz_running(self, running: bool) -> None:
        """The loss curve and the function view show ℓ and ŷ before the quiz asks for them:
        the training dock steps aside while questions are open and comes back after."""
        dock = self.training_dock
        if running:
            dock.setProperty("shown_before_quiz", dock.isVisible())
            dock.hide()
        elif dock.property("shown_before_quiz"):
            dock.show()

    def _on_modified_change(self, modified: bool) -> None:
        self.setWindowModified(modified)

    def _update_title(self) -> None:
        path = self.document.path
        name = path.name if path is not None else self.document.exercise.title
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_modified)

    def _update_sample_note(self) -> None:
        text = sample_note(self.document.sample, self.document.sample_count)
        self.sample_note.setText(text)
        self.sample_note.setVisible(bool(text))

    def _on_presenting(self, presenting: bool) -> None:
        """No status bar on the projector: its small print (which sample is shown, file
        messages) is chrome the room cannot read; the banner names the step instead."""
        self.statusBar().setVisible(not presenting)

    def _show_message(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text, 8000)
        else:
            self.statusBar().clearMessage()

    def _about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          "Watch backpropagation happen, one node at a time.")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.stepper.pause()
        settings.save_window(self)
        self.autosaver.clear()  # a clean close leaves nothing to recover
        event.accept()

