"""Student worksheets: the network, the given numbers and one empty box per asked quantity.

The content is built here, free of Qt, and written as LaTeX here or as PDF by
``tutor/ui/worksheet_pdf.py`` (Qt's text engine, no TeX needed)::

    sheet = worksheet(exercise)                  # the exercise's questions
    sheet = worksheet(exercise, phase="backward")  # or every step of one phase
    text = worksheet_latex(sheet)

The sheet shows the network as its forward equations in symbols (the first sample's, in the
exercise's own notation), then every number the student is given, then the boxes.  Each box
keeps the answer and the tolerance, so a key or a test can read them back; the student's
copy never prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tutor.engine import BiasMode, Key, NetworkProblem, Phase, Quantity, Step, Trace
from tutor.engine.network import (
    input_symbols,
    layer_symbols,
    per_sample_label,
    target_symbols,
)
from tutor.engine.notation import format_array, format_number, to_unicode
from tutor.engine.sheet_layout import display_matrix
from tutor.engine.trace import format_result
from tutor.exercise import Exercise

from .latex_escape import latex_math, latex_text

PHASES = ("forward", "backward", "update")
_PHASE_STEPS = {
    "forward": (Phase.FORWARD,),
    "backward": (Phase.BACKWARD, Phase.GRADIENT),
    "update": (Phase.UPDATE, Phase.EVALUATE),
}
ENTRY_LIST_MAX = 16  # a layer with more weights is given as a matrix only
_ASKS = re.compile(r"\s*=\s*\?\s*\Z")


@dataclass(frozen=True, slots=True)
class Given:
    symbol: str  # markup
    value: str  # markup: a number or \mat{…}


@dataclass(frozen=True, slots=True)
class Box:
    number: int  # 1, 2, … as printed
    label: str  # markup, what goes left of the box ("a_1", "\d{ℓ}{β_1}")
    size: int  # numbers to write: 1, or the entries of a vector / matrix
    answer: str  # markup; printed only on the key
    tolerance: float | None  # absolute, from the exercise's question; None in phase mode
    values: tuple[float, ...] = ()  # the exact answer, row by row (empty: not in the trace)


@dataclass(frozen=True, slots=True)
class Worksheet:
    title: str
    source: str
    description: str
    equations: tuple[str, ...]  # markup, "lhs = formula"
    givens: tuple[tuple[Given, ...], ...]  # one row per layer (and η, an expression's values)
    samples: tuple[tuple[Given, ...], ...]  # inputs and targets, one tuple per sample
    boxes: tuple[Box, ...]
    asks: str  # what the boxes are: "the questions" or "every forward step"
    kind: str = "network"  # or "expression": the equations' heading says which

    @property
    def structure(self) -> str:
        return "The network" if self.kind == "network" else "The expression"

    @property
    def instructions(self) -> str:
        """How close an answer must be, when the questions say (the sheet's one rule)."""
        tolerances = {b.tolerance for b in self.boxes if b.tolerance}
        if len(tolerances) == 1:
            return f"Each answer counts when it is within {format_number(tolerances.pop())} " \
                   "of the exact value."
        if tolerances:
            return f"Answers count within {format_number(min(tolerances))} to " \
                   f"{format_number(max(tolerances))} of the exact value, by question."
        return "Write each number to three decimals."


def worksheet(exercise: Exercise, phase: str | None = None) -> Worksheet:
    """The sheet of ``exercise``: its questions' boxes, or every step of ``phase``."""
    if phase is not None and phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
    if phase is None and not exercise.questions:
        raise ValueError(f"{exercise.title}: the exercise has no questions; ask every step "
                         f"of a phase instead ({', '.join(PHASES)})")
    trace = exercise.problem.trace("node")
    problem = exercise.problem
    losses = problem.sample_losses if isinstance(problem, NetworkProblem) else ("", "")
    boxes = (_phase_boxes(trace, phase, losses) if phase
             else _question_boxes(exercise, trace))
    asks = f"every {phase} step" if phase else "the questions"
    givens, samples = _givens(exercise)
    return Worksheet(exercise.title, exercise.source, exercise.description,
                     _equations(trace), givens, samples, tuple(boxes), asks, exercise.kind)


def _equations(trace: Trace) -> tuple[str, ...]:
    first = next((s.sample for s in trace if s.phase is Phase.FORWARD), None)
    lines = [f"{s.lhs} = {s.formula}" for s in trace
             if s.phase is Phase.FORWARD and s.sample == first]
    lines += [f"{s.lhs} = {s.formula}" for s in trace
              if s.phase is Phase.AVERAGE and s.key.quantity is Quantity.VALUE]
    return tuple(lines)


def _label(step: Step, losses: tuple[str, str]) -> str:
    """Per-sample quantities named apart as the batch average writes them: ∂ℓ/∂w₀⁽¹⁾, or
    with the sheet's own name for a sample's loss (INF264: ∂L(x₁, y₁)/∂w₀)."""
    return step.lhs if step.sample is None else per_sample_label(step.lhs, step.sample + 1,
                                                                 *losses)


def _phase_boxes(trace: Trace, phase: str, losses: tuple[str, str]) -> list[Box]:
    phases = _PHASE_STEPS[phase]
    averaged = {"forward": Quantity.VALUE, "backward": Quantity.ADJOINT}.get(phase)
    steps = [s for s in trace if s.phase in phases
             or (s.phase is Phase.AVERAGE and s.key.quantity is averaged)]
    return [Box(n + 1, _label(s, losses), int(np.size(s.result)), format_result(s.result), None,
                _values(s)) for n, s in enumerate(steps)]


def _values(step: Step | None) -> tuple[float, ...]:
    return () if step is None else tuple(float(v) for v in np.ravel(step.result))


def _question_boxes(exercise: Exercise, trace: Trace) -> list[Box]:
    boxes = []
    for q in exercise.questions:
        step = trace.find(Key(Quantity(q.quantity), q.node, q.sample))
        answer = "" if step is None else format_result(step.result)
        size = 1 if step is None else int(np.size(step.result))
        boxes.append(Box(len(boxes) + 1, _ASKS.sub("", q.prompt), size, answer, q.tolerance,
                         _values(step)))
    return boxes


Rows = tuple[tuple[Given, ...], ...]


def _givens(exercise: Exercise) -> tuple[Rows, Rows]:
    problem = exercise.problem
    if not isinstance(problem, NetworkProblem):
        return (tuple(Given(problem.symbols.get(v, v), format_number(problem.values[v]))
                      for v in problem.variables),), ()
    network, params = problem.network, problem.params
    givens: list[tuple[Given, ...]] = []
    for n, layer in enumerate(network.layers):
        symbols = layer_symbols(network, n)
        w, b = params.weights[n], params.biases[n]
        row: list[Given] = []
        if layer.bias is BiasMode.SEPARATE:
            row += [Given(symbols.weight_matrix, format_array(w)),
                    Given(symbols.bias_vector, format_array(np.asarray(b)))]
        else:
            row.append(Given(symbols.weight_matrix, format_array(display_matrix(layer, w, b))))
            if symbols.intercept not in ("", "1"):  # x₀ = 1, z₀ = 1: the folded constant
                row.append(Given(symbols.intercept, "1"))
        if w.size <= ENTRY_LIST_MAX:
            row += _entries(symbols, w, b, layer.notation.intercept_last)
        givens.append(tuple(row))
    if problem.show_update:
        givens.append((Given("η", format_number(problem.training.learning_rate)),))
    rows = problem.first_batch()
    inputs, targets = input_symbols(network), target_symbols(network)
    samples = tuple(
        tuple(Given(s, format_number(v)) for s, v in zip(inputs, problem.data.inputs[r],
                                                         strict=True))
        + tuple(Given(s, format_number(v)) for s, v in zip(targets, problem.data.targets[r],
                                                           strict=True))
        for r in rows)
    return tuple(givens), samples


def _entries(symbols, w: np.ndarray, b: np.ndarray | None, intercept_last: bool) -> list[Given]:
    """Each weight by its own name (w_3, α_{1,2}): the name the questions use."""
    out = []
    for j in range(w.shape[0]):
        row = [Given(symbols.weights[j][i], format_number(float(w[j, i])))
               for i in range(w.shape[1])]
        if b is not None and symbols.biases:
            bias = Given(symbols.biases[j], format_number(float(b[j])))
            row = [*row, bias] if intercept_last else [bias, *row]
        out += row
    return out


# --------------------------------------------------------------------------- LaTeX


def worksheet_latex(sheet: Worksheet) -> str:
    """A complete LaTeX document (amsmath, amssymb, geometry only): the student's copy."""
    body = [r"\documentclass[11pt]{article}", r"\usepackage{iftex}",
            r"\ifPDFTeX\usepackage[utf8]{inputenc}\usepackage[T1]{fontenc}\fi",
            r"\usepackage{amsmath,amssymb}", r"\usepackage[margin=2cm]{geometry}",
            r"\setlength{\parindent}{0pt}", r"\newcommand{\answerbox}[1]{\fbox{\parbox[c]"
            r"[1.6em][c]{#1}{\hfill}}}",
            r"\begin{document}", rf"{{\Large\bfseries {latex_text(sheet.title)}}}\par\medskip",
            r"Name: \rule{7cm}{0.4pt}\par\medskip"]
    if sheet.source:
        body.append(rf"{{\small {latex_text(sheet.source)}}}\par\medskip")
    if sheet.description:
        body.append(latex_text(sheet.description) + r"\par")
    body += [rf"\section*{{{sheet.structure}}}", r"\begin{align*}",
             " \\\\\n".join(_align(eq) for eq in sheet.equations), r"\end{align*}"]
    body.append(r"\section*{Given}")
    body += [_latex_givens(row) for row in sheet.givens]
    for n, sample in enumerate(sheet.samples):
        label = f"Sample {n + 1}: " if len(sheet.samples) > 1 else ""
        body.append(label + _latex_givens(sample))
    body += [rf"\section*{{Your answers ({latex_text(sheet.asks)})}}",
             latex_text(sheet.instructions) + r"\par\bigskip"]
    for box in sheet.boxes:  # one paragraph each, so a long list breaks across pages
        width = "3cm" if box.size == 1 else f"{min(3 + 1.5 * box.size, 13):.1f}cm"
        body.append(rf"\makebox[2.5em][r]{{({box.number})}}\quad {label_latex(box.label)} = "
                    rf"\answerbox{{{width}}}\par\medskip")
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"


_WORDS = re.compile(r"(?<![\\A-Za-z])[a-z]{3,}\b")  # "after one step": prose, not symbols


def label_latex(label: str) -> str:
    """A box's label in LaTeX: math, unless the teacher wrote words into the prompt."""
    if _WORDS.search(label):
        return latex_text(to_unicode(label))
    return f"${latex_math(label)}$"


def _align(equation: str) -> str:
    lhs, _, rhs = equation.partition(" = ")
    return f"  {latex_math(lhs)} &= {latex_math(rhs)}"


def _latex_givens(givens: tuple[Given, ...]) -> str:
    items = [f"${latex_math(g.symbol)} = {latex_math(g.value)}$" for g in givens]
    return ", \\quad ".join(items) + r"\par\medskip"
