"""File ▸ Edit template…: the drawing rules and constraints next to a preview variant.

The table edits the template's ``draw`` rules (field, range, grid, excluded numbers), the
boxes its constraints; every change re-validates the whole template with
:func:`tutor.teaching.template.template_from_dict` (a problem is shown with the field it
names) and redraws the preview: the student's sheet of one variant and its answers.
"Another variant" draws the next code.  Save writes the template as JSON.

A template left untouched is written back unchanged (same keys, same order of phases), so
opening and saving it keeps its codes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tutor.engine import NetworkProblem, Phase, ids
from tutor.engine.network import input_symbols, layer_symbols
from tutor.engine.notation import sample_number, to_html, to_unicode
from tutor.exercise import ExerciseError
from tutor.exercise.atomic import write_atomically
from tutor.teaching.template import (
    DEFAULT_TRIES,
    GRIDS,
    Template,
    make_code,
    template_from_dict,
)
from tutor.teaching.variants import make_variant
from tutor.teaching.worksheet import worksheet

from .template_chooser import TemplateChooser
from .worksheet_pdf import worksheet_html

COLUMNS = ("Field", "Low", "High", "Grid", "Exclude")
FLAGS = {  # the JSON name, what a teacher reads, the tooltip
    "relu_not_at_zero": ("No ReLU input exactly 0", "relu_not_at_zero: no pre-activation of "
                         "a ReLU is 0, so the kink never decides an answer"),
    "no_dead_units": ("Every ReLU unit on for some sample", "no_dead_units: each ReLU unit "
                      "has a positive pre-activation for at least one sample"),
    "loss_decreases": ("Loss falls after the update", "loss_decreases: the loss after the "
                       "traced update is below the loss before"),
}
PHASES = tuple(p.value for p in Phase)
EDITED = (*FLAGS, "max_decimals", "decimals_phases", "max_magnitude")  # the rest is kept
NO_PHASE = ("Tick at least one phase for Max decimals, or set Max decimals to “any” to "
            "leave results' decimals free.")


class TemplateEditor(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Template")
        self.setObjectName("template_editor")
        self.chooser = TemplateChooser()
        self.chooser.combo.currentIndexChanged.connect(self.load_chosen)
        self.table = QTableWidget(0, len(COLUMNS), objectName="template_rules")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(self.refresh)
        self.flags = {name: QCheckBox(text, objectName=name, toolTip=tip)
                      for name, (text, tip) in FLAGS.items()}
        self.decimals = QSpinBox(objectName="max_decimals", minimum=-1, maximum=12,
                                 specialValueText="any")
        self.magnitude = QDoubleSpinBox(objectName="max_magnitude", minimum=0, maximum=1e9,
                                        decimals=1, specialValueText="any")
        self.phases = {phase: QCheckBox(phase, objectName=f"decimals_{phase}")
                       for phase in PHASES}
        self.phases_row = QWidget(objectName="decimals_phases")
        phase_grid = QGridLayout(self.phases_row)
        phase_grid.setContentsMargins(0, 0, 0, 0)
        for n, box in enumerate(self.phases.values()):
            phase_grid.addWidget(box, n // 3, n % 3)
        self.phases_row.setToolTip("The steps whose results must keep at most Max decimals; "
                                   "e.g. leave out update when η = 0.01 makes long decimals "
                                   "unavoidable.")
        self.tries = QSpinBox(objectName="max_tries", minimum=1, maximum=100_000,
                              value=DEFAULT_TRIES)
        self.tries.setToolTip("Draws allowed per variant before giving up with a message "
                              "naming the constraint that rejected most of them.")
        for box in (*self.flags.values(), *self.phases.values()):
            box.toggled.connect(self.refresh)
        self.tries.valueChanged.connect(self.refresh)
        self.decimals.valueChanged.connect(self.refresh)
        self.magnitude.valueChanged.connect(self.refresh)
        self.status = QLabel(" ", objectName="template_status", wordWrap=True)
        self.kept = QLabel("", objectName="template_kept", wordWrap=True)
        self.preview = QTextBrowser(objectName="template_preview")
        self.seed = 1
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        another = buttons.addButton("Another variant", QDialogButtonBox.ButtonRole.ActionRole)
        another.clicked.connect(self.next_variant)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        add = QPushButton("Add rule", objectName="template_add_rule")
        add.clicked.connect(self.add_rule)
        remove = QPushButton("Remove rule", objectName="template_remove_rule")
        remove.clicked.connect(self.remove_rule)
        rule_buttons = QHBoxLayout()
        rule_buttons.addWidget(add)
        rule_buttons.addWidget(remove)
        rule_buttons.addStretch(1)
        left = QWidget()
        form = QFormLayout(left)
        form.addRow("Template:", self.chooser)
        form.addRow(self.table)
        form.addRow(rule_buttons)
        flags = QVBoxLayout()
        for box in self.flags.values():
            flags.addWidget(box)
        form.addRow("Constraints:", flags)
        form.addRow("Max decimals:", self.decimals)
        form.addRow("Decimals checked in:", self.phases_row)
        form.addRow("Max magnitude:", self.magnitude)
        form.addRow("Max tries per variant:", self.tries)
        form.addRow(self.kept)
        form.addRow(self.status)
        self.preview.setMinimumWidth(300)
        splitter = QSplitter(childrenCollapsible=False)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        # most of a small screen, the preview as wide as the form
        screen = self.screen().availableGeometry()
        width, height = min(1280, screen.width() * 24 // 25), min(820, screen.height() * 9 // 10)
        self.resize(width, height)
        splitter.setSizes([width // 2, width // 2])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self._doc: dict[str, Any] = {}
        self._loading = False
        self.load_chosen()

    # -- template → widgets

    def load_chosen(self) -> None:
        path = self.chooser.combo.currentData()
        if path:
            self.load(json.loads(Path(path).read_text(encoding="utf-8")))

    def load(self, doc: dict[str, Any]) -> None:
        self._loading = True
        self._doc = copy.deepcopy(doc)
        self.table.setRowCount(len(doc["draw"]))
        for row, rule in enumerate(doc["draw"]):
            cells = (rule["field"], str(rule["range"][0]), str(rule["range"][1]), "",
                     ", ".join(str(v) for v in rule.get("exclude", [])))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
            grid = QComboBox()
            grid.addItems(list(GRIDS))
            grid.setCurrentText(rule["grid"])
            grid.currentTextChanged.connect(self.refresh)
            self.table.setCellWidget(row, 3, grid)
        constraints = doc.get("constraints", {})
        for name, box in self.flags.items():
            box.setChecked(bool(constraints.get(name)))
        self.decimals.setValue(constraints.get("max_decimals", -1))
        chosen = constraints.get("decimals_phases", PHASES)
        for phase, box in self.phases.items():
            box.setChecked(phase in chosen)
        self.magnitude.setValue(constraints.get("max_magnitude", 0))
        self.tries.setValue(doc.get("max_tries", DEFAULT_TRIES))
        self._show_kept(doc)
        self.table.resizeColumnsToContents()
        self._loading = False
        self.refresh()

    def _show_kept(self, doc: dict[str, Any]) -> None:
        """The ReLU on/off constraints in the sheet's symbols, their JSON in the tooltip."""
        constraints = doc.get("constraints", {})
        try:
            template: Template | None = template_from_dict(doc, "template")
        except (ExerciseError, ValueError):
            template = None  # the status line names the problem; ids are all we can show
        self.kept.setText(_kept(constraints, template))
        self.kept.setToolTip("\n".join(
            f"{key}: {json.dumps(constraints[key], ensure_ascii=False)}"
            for key in ("relu_active", "relu_inactive") if constraints.get(key)))
        self.kept.setVisible(bool(self.kept.text()))

    def add_rule(self) -> None:
        """A new last rule (it overrides the ones above on the numbers it covers)."""
        doc = self.document()
        doc["draw"].append({"field": "data.inputs", "range": [-3, 3], "grid": "integers"})
        self.load(doc)

    def remove_rule(self) -> None:
        row = self.table.currentRow()
        doc = self.document()
        if len(doc["draw"]) > 1:
            del doc["draw"][row if row >= 0 else -1]
            self.load(doc)

    # -- widgets → template

    def document(self) -> dict[str, Any]:
        doc = copy.deepcopy(self._doc)
        doc["draw"] = [self._rule(row) for row in range(self.table.rowCount())]
        loaded = doc.get("constraints", {})
        constraints = {k: v for k, v in loaded.items() if k not in EDITED}
        constraints.update({name: True for name, box in self.flags.items() if box.isChecked()})
        if self.decimals.value() >= 0:
            constraints["max_decimals"] = self.decimals.value()
            chosen = [phase for phase, box in self.phases.items() if box.isChecked()]
            if set(chosen) == set(loaded.get("decimals_phases", PHASES)):
                if "decimals_phases" in loaded:  # as loaded, in its own order
                    constraints["decimals_phases"] = loaded["decimals_phases"]
            else:
                constraints["decimals_phases"] = chosen
        if self.magnitude.value() > 0:
            constraints["max_magnitude"] = _number(str(self.magnitude.value()))
        doc["constraints"] = {k: constraints[k] for k in sorted(constraints, key=_order)}
        if "max_tries" in self._doc or self.tries.value() != DEFAULT_TRIES:
            doc["max_tries"] = self.tries.value()
        return doc

    def problem(self) -> str | None:
        """What the form itself can tell before the template is validated."""
        if self.decimals.value() >= 0 and not any(b.isChecked() for b in self.phases.values()):
            return NO_PHASE
        return None

    def _rule(self, row: int) -> dict[str, Any]:
        def text(column: int) -> str:
            item = self.table.item(row, column)
            return item.text().strip() if item is not None else ""

        rule: dict[str, Any] = {"field": text(0), "range": [_number(text(1)), _number(text(2))],
                                "grid": self.table.cellWidget(row, 3).currentText()}
        excluded = [_number(p) for p in text(4).replace(";", ",").split(",") if p.strip()]
        if excluded:
            rule["exclude"] = excluded
        return rule

    def refresh(self) -> None:
        """Validate and draw the preview; a problem names its field and keeps the old one."""
        if self._loading:
            return
        self.phases_row.setEnabled(self.decimals.value() >= 0)
        if (problem := self.problem()) is not None:
            self.status.setText(f'<span style="color:#b00020">{problem}</span>')
            return
        try:
            template = template_from_dict(self.document(), "template")
            variant = make_variant(template, self.seed)
        except (ExerciseError, ValueError) as error:
            self.status.setText(f'<span style="color:#b00020">{error}</span>')
            return
        sheet = worksheet(variant.exercise)
        answers = "".join(f"<li>{to_html(b.label)} = <b>{to_html(b.answer)}</b></li>"
                          for b in sheet.boxes)
        # the key first: what a teacher checks while editing ranges is the answers' numbers
        key = (f'<h2>Key of this variant</h2><ol>{answers}</ol><hr>'
               f'<p class="small">The student\'s sheet:</p>')
        self.preview.setHtml(worksheet_html(sheet, title_pt=13).replace("<body>",
                                                                       f"<body>{key}", 1))
        self.status.setText(f"Variant {make_code(template, self.seed)}: accepted after "
                            f"{variant.tries} draw{'s' if variant.tries > 1 else ''}.")

    def next_variant(self) -> None:
        self.seed += 1
        self.refresh()

    def save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save template", QDir.homePath(),
                                              "Templates (*.template.json)")
        if not path:
            return
        try:
            if (problem := self.problem()) is not None:
                raise ExerciseError("constraints.decimals_phases", problem, path)
            template_from_dict(self.document(), path)
            write_atomically(path, json.dumps(self.document(), ensure_ascii=False, indent=2)
                             + "\n")
        except (ExerciseError, OSError) as error:
            self.status.setText(f'<span style="color:#b00020">{error}</span>')
            return
        self.status.setText(f"Saved {path}")


def _kept(constraints: dict[str, Any], template: Template | None) -> str:
    """The constraints kept as loaded, in words and the sheet's symbols: "z > 0 for x₁ (its
    ReLU on)"; the bare ids when the template does not validate."""
    if template is not None:  # validated: a missing sample is resolved (sample 0)
        units = {"relu_active": template.constraints.relu_active,
                 "relu_inactive": template.constraints.relu_inactive}
    else:
        units = {key: [(e.get("node", "?"), e.get("sample")) for e in constraints.get(key, [])
                       if isinstance(e, dict)] for key in ("relu_active", "relu_inactive")}
    parts = [f"{_symbol(template, node)} {sign} 0"
             + (f" for {_sample(template, sample)}" if sample is not None else "")
             + f" (its ReLU {state})"
             for key, sign, state in (("relu_active", ">", "on"), ("relu_inactive", "<", "off"))
             for node, sample in units[key]]
    return ("Also kept from the file (edit them in the JSON): " + "; ".join(parts) + ".") \
        if parts else ""


def _symbol(template: Template | None, node: str) -> str:
    """A pre-activation node as the sheet writes it (INF264's ``z``, CMU's ``a₁``)."""
    problem = template.exercise.problem if template is not None else None
    if isinstance(problem, NetworkProblem):
        parsed = ids.parse_id(node)
        if parsed is not None and parsed.prefix == ids.PRE and parsed.layer_index is not None \
                and len(parsed.index) == 1:
            return to_unicode(layer_symbols(problem.network, parsed.layer_index)
                              .pre[parsed.index[0]])
    elif problem is not None:
        return to_unicode(problem.symbols.get(node, node))
    return node


def _sample(template: Template | None, sample: int) -> str:
    """Sample ``sample`` (0-based) in the sheet's numbering: x₂ where the inputs' own names
    leave it free (INF264 writes x[0], x[1]), else x⁽²⁾ (CMU's inputs are x₁, x₂)."""
    number = sample_number(sample)
    problem = template.exercise.problem if template is not None else None
    if not isinstance(problem, NetworkProblem):
        return f"sample {number}"
    vector = problem.network.notation.input_vector
    taken = {to_unicode(s) for s in input_symbols(problem.network)}
    name = to_unicode(f"{vector}_{{{number}}}")
    return to_unicode(f"{vector}^{{({number})}}") if name in taken else name


def _order(key: str) -> int:
    """Constraints in the order the documentation lists them (the JSON reads the same)."""
    return EDITED.index(key) if key in EDITED else len(EDITED)


def _number(text: str) -> float | int | str:
    """What the teacher typed; a non-number stays text so the schema names the field."""
    try:
        value = float(text.replace("−", "-"))
    except ValueError:
        return text
    return int(value) if value.is_integer() else value
