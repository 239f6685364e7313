"""Predict-then-reveal: the student types the next value or adjoint before it is shown.

Pure logic over immutable values, so the app and the tests drive it the same way::

    state = Quiz.start(exercise, trace, "every step")   # or "questions"
    while not state.finished:
        question = state.current            # prompt markup, the step it concerns, tolerance
        state, feedback = state.answer(text)  # or state.reveal()
    state.score, state.summary()

Modes: ``"every step"`` asks every step of the trace in order, with a default tolerance
(within 0.5 % or 0.0005, whichever is larger); ``"questions"`` asks only the exercise's
questions, each with its own absolute tolerance.

Hints come in order: after the first wrong answer the formula in symbols (preceded by the
teacher's hint, when the question has one), after the second the formula with the numbers
to plug in.  :meth:`QuizState.reveal` shows the answer; a revealed question scores nothing.

Answers are parsed, never evaluated: ``3``, ``-0.25``, ``−0.25`` (Unicode minus), ``0,25``
(decimal comma), ``1/2``, ``3e-2``, ``∞``.  A vector or matrix result (layer granularity) is
answered with all its entries at once, in the sheet's shape: a column as ``[4; 8]`` or
``[4, 8]ᵀ``, a row as ``[4, 12, 8]`` or ``4 12 8``, a matrix row by row ``[4, 4, 8; 8, 8, 16]``
(rows separated by ``;`` or new lines; ``0,5 1,5`` with decimal commas); the transposed shape
is refused with a message saying how the sheet writes it (see quiz_shapes.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from tutor.engine import Key, Step, Trace, numbers
from tutor.engine.notation import sample_label, to_unicode
from tutor.exercise.model import Exercise

from .quiz_shapes import parse_shaped, sheet_shape

RELATIVE_TOLERANCE = 5e-3  # every-step mode: a student rounds to three significant digits
ABSOLUTE_TOLERANCE = 5e-4  # … or to three decimals
MAX_ANSWER_LENGTH = 10_000  # characters; anything longer is not an answer
HINT_LEVELS = 2  # 1: the formula in symbols, 2: the formula with numbers


class QuizMode(StrEnum):
    EVERY_STEP = "every step"
    QUESTIONS = "questions"


class AnswerError(ValueError):
    """Typed text that is not a number (or not the right count of numbers)."""


# --------------------------------------------------------------------------- parsing

def parse_number(text: str) -> float:
    """One number: ``-0.5``, ``−0.5``, ``0,5``, ``1/2``, ``3e-2``, ``∞``; raises AnswerError."""
    if len(text) > MAX_ANSWER_LENGTH:
        raise AnswerError("that answer is too long")
    try:  # ∞ and nan: the value of a step that diverged may be the answer
        return numbers.parse_number(text, finite=False)
    except ValueError as error:
        raise AnswerError(str(error)) from None


def parse_answer(text: str, size: int = 1, shape: tuple[int, int] | None = None
                 ) -> np.ndarray:
    """``size`` numbers (row by row for a matrix); one number may use a decimal comma.
    With ``shape``, the sheet's (rows, columns): typed in that shape (quiz_shapes.py)."""
    if size == 1 and "[" not in text:
        return np.array([parse_number(text)])
    if len(text) > MAX_ANSWER_LENGTH:
        raise AnswerError("that answer is too long")
    if shape is not None:
        try:
            return parse_shaped(text, shape)
        except ValueError as error:
            raise AnswerError(str(error)) from None
    parts = [p for p in re.split(r"[\s,;\[\]]+", text.replace("−", "-")) if p]
    values = np.array([parse_number(p) for p in parts], dtype=float)
    if len(values) != size:
        raise AnswerError(f"expected {_count(size)}, got {len(values)}")
    return values


def _count(size: int) -> str:
    return "1 number" if size == 1 else f"{size} numbers (row by row)"


def within(answer: np.ndarray, expected: np.ndarray, absolute: float,
           relative: float = 0.0) -> bool:
    """Every entry within ``absolute + relative·|expected|``; ∞ and NaN must match exactly."""
    answer, expected = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if answer.shape != expected.shape:
        return False
    for a, e in zip(answer.ravel(), expected.ravel(), strict=True):
        if not (math.isfinite(a) and math.isfinite(e)):
            if not (a == e or (math.isnan(a) and math.isnan(e))):
                return False
        elif abs(a - e) > (absolute + relative * abs(e)) * (1 + 1e-12):  # float slack only
            return False
    return True


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    """One thing to predict: the step that computes it and how close an answer must be.

    ``cursor`` is the step's index in the trace the quiz was started with: the app shows the
    trace up to ``cursor - 1`` and hides this step's result.  It is ``None`` when the quiz
    had to answer a question from the node trace because the given trace (layer
    granularity) does not hold that scalar.
    """

    prompt: str  # markup, e.g. "\\d{ℓ}{β_1} = ?"
    step: Step
    cursor: int | None
    absolute_tolerance: float
    relative_tolerance: float = 0.0
    hint: str = ""  # the teacher's hint (markup), shown with the formula
    id: str = ""  # the exercise question's id; empty in every-step mode

    @property
    def expected(self) -> np.ndarray:
        return np.asarray(self.step.result, dtype=float).ravel()  # row by row

    @property
    def size(self) -> int:
        return int(self.expected.size)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) as the sheet writes the answer: a column is typed [4; 8]."""
        return sheet_shape(self.step)

    @property
    def answer_text(self) -> str:
        """The correct answer as markup (a number, or ``\\mat{…}``)."""
        return self.step.result_markup()

    def hint_text(self, level: int) -> str:
        """Level 1: the formula in symbols; level 2: the same with the numbers plugged in."""
        step = self.step
        if level <= 1:
            return f"{step.lhs} = {step.formula}"
        if step.numbers and step.numbers != step.formula:
            return f"{step.lhs} = {step.formula} = {step.numbers}"
        return f"{step.lhs} = {step.formula}, with the numbers of the steps it reads"

    def check(self, values: np.ndarray) -> bool:
        return within(values, self.expected, self.absolute_tolerance, self.relative_tolerance)


@dataclass(frozen=True, slots=True)
class Record:
    """What happened to one question so far."""

    answers: tuple[str, ...] = ()  # the texts typed that parsed (wrong and right)
    correct: bool = False
    revealed: bool = False

    @property
    def attempts(self) -> int:
        return len(self.answers)

    @property
    def done(self) -> bool:
        return self.correct or self.revealed

    @property
    def hint_level(self) -> int:
        """Wrong answers so far, capped at the last hint level."""
        wrong = self.attempts - (1 if self.correct else 0)
        return min(wrong, HINT_LEVELS)


@dataclass(frozen=True, slots=True)
class Feedback:
    """What to show after an answer (all text is markup).

    ``outcome`` is ``"correct"``, ``"wrong"``, ``"invalid"`` (not a number: no attempt
    counted), ``"revealed"`` or ``"finished"`` (no question left).  ``hints`` holds every
    hint unlocked so far, in order; ``answer`` and ``line`` are filled once the step is
    shown (correct or revealed).
    """

    outcome: str
    message: str
    hint_level: int = 0
    hints: tuple[str, ...] = ()
    answer: str = ""
    line: str = ""  # the step's whole chain-rule line, once revealed

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"


@dataclass(frozen=True, slots=True)
class Summary:
    """One row of the end-of-quiz table."""

    prompt: str
    answers: tuple[str, ...]
    correct_value: str  # markup
    attempts: int
    correct: bool
    revealed: bool


@dataclass(frozen=True, slots=True)
class QuizState:
    """An immutable quiz position: every method returns a new state."""

    questions: tuple[QuizQuestion, ...]
    records: tuple[Record, ...]
    position: int = 0
    mode: QuizMode = QuizMode.EVERY_STEP

    # -- where we are -----------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.position >= len(self.questions)

    @property
    def current(self) -> QuizQuestion | None:
        return None if self.finished else self.questions[self.position]

    @property
    def record(self) -> Record | None:
        return None if self.finished else self.records[self.position]

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def score(self) -> int:
        """Questions answered correctly without a reveal."""
        return sum(1 for r in self.records if r.correct)

    @property
    def first_try(self) -> int:
        """Questions answered correctly at the first attempt."""
        return sum(1 for r in self.records if r.correct and r.attempts == 1)

    def hints(self) -> tuple[str, ...]:
        """The hints unlocked for the current question, in order."""
        question, record = self.current, self.record
        if question is None or record is None:
            return ()
        return _hints(question, record.hint_level)

    # -- moves ------------------------------------------------------------------------------

    def answer(self, text: str) -> tuple[QuizState, Feedback]:
        """Check ``text`` against the current question; right answers advance the quiz."""
        question, record = self.current, self.record
        if question is None or record is None:
            return self, Feedback("finished", "The quiz is over.")
        try:
            values = parse_answer(text, question.size, question.shape)
        except AnswerError as error:
            return self, Feedback("invalid", str(error), record.hint_level,
                                  _hints(question, record.hint_level))
        if question.check(values):
            done = replace(record, answers=(*record.answers, text.strip()), correct=True)
            feedback = Feedback("correct", "Correct.", record.hint_level,
                                _hints(question, record.hint_level),
                                question.answer_text, question.step.line())
            return self._advance(done), feedback
        wrong = replace(record, answers=(*record.answers, text.strip()))
        level = wrong.hint_level
        message = {1: "Not quite. Here is the formula.",
                   2: "Not yet. Here are the numbers to plug in."}[level]
        if record.hint_level == HINT_LEVELS:
            message = "Still not it. Check each number, or reveal the answer."
        return self._with(wrong), Feedback("wrong", message, level, _hints(question, level))

    def reveal(self) -> tuple[QuizState, Feedback]:
        """Show the current answer and move on; the question scores nothing."""
        question, record = self.current, self.record
        if question is None or record is None:
            return self, Feedback("finished", "The quiz is over.")
        shown = replace(record, revealed=True)
        feedback = Feedback("revealed", "Here is the answer.", record.hint_level,
                            _hints(question, record.hint_level), question.answer_text,
                            question.step.line())
        return self._advance(shown), feedback

    def restart(self) -> QuizState:
        """The same questions, from the first, with nothing answered."""
        return QuizState(self.questions, tuple(Record() for _ in self.questions), 0, self.mode)

    def summary(self) -> tuple[Summary, ...]:
        """Per question: the prompt, the answers typed, the correct value, attempts, reveal."""
        return tuple(Summary(q.prompt, r.answers, q.answer_text, r.attempts, r.correct,
                             r.revealed) for q, r in zip(self.questions, self.records,
                                                         strict=True))

    # -- internals --------------------------------------------------------------------------

    def _with(self, record: Record) -> QuizState:
        records = list(self.records)
        records[self.position] = record
        return replace(self, records=tuple(records))

    def _advance(self, record: Record) -> QuizState:
        return replace(self._with(record), position=self.position + 1)


def _hints(question: QuizQuestion, level: int) -> tuple[str, ...]:
    hints: list[str] = []
    if level >= 1 and question.hint:
        hints.append(question.hint)
    hints += [question.hint_text(n) for n in range(1, level + 1)]
    return tuple(hints)


# --------------------------------------------------------------------------- starting


class Quiz:
    """Builds the first :class:`QuizState` of an exercise's trace."""

    @staticmethod
    def start(exercise: Exercise, trace: Trace,
              mode: QuizMode | str = QuizMode.EVERY_STEP) -> QuizState:
        """Every step of ``trace`` (``"every step"``) or the exercise's questions.

        An exercise without questions gives, in ``"questions"`` mode, a quiz that is
        already finished (``total == 0``).
        """
        mode = QuizMode(mode)
        if mode is QuizMode.EVERY_STEP:
            questions = tuple(_step_question(s) for s in trace)
        else:
            questions = _exercise_questions(exercise, trace)
        return QuizState(questions, tuple(Record() for _ in questions), 0, mode)


def _step_question(step: Step) -> QuizQuestion:
    where = "" if step.sample is None else f" ({sample_label(step.sample)})"
    return QuizQuestion(f"{step.lhs}{where} = ?", step, step.index, ABSOLUTE_TOLERANCE,
                        RELATIVE_TOLERANCE)


def _exercise_questions(exercise: Exercise, trace: Trace) -> tuple[QuizQuestion, ...]:
    node_trace: Trace | None = None
    out = []
    for q in exercise.questions:
        key = Key(q.quantity, q.node, q.sample)
        step, cursor = trace.find(key), trace.producer.get(key)
        if step is None:  # a layer trace: answer the scalar from the node trace
            node_trace = node_trace or exercise.problem.trace("node")
            step = node_trace.find(key)
        if step is None:
            raise ValueError(f"the question “{to_unicode(q.prompt)}” asks for a node that "
                             "this exercise no longer has")
        out.append(QuizQuestion(q.prompt, step, cursor, q.tolerance, 0.0, q.hint, q.id))
    return tuple(out)


def describe_score(state: QuizState) -> str:
    """``"5 of 6 correct (3 at the first try), 1 revealed"``."""
    revealed = sum(1 for r in state.records if r.revealed)
    text = f"{state.score} of {state.total} correct ({state.first_try} at the first try)"
    return text + (f", {revealed} revealed" if revealed else "")


__all__ = [
    "ABSOLUTE_TOLERANCE",
    "RELATIVE_TOLERANCE",
    "AnswerError",
    "Feedback",
    "Quiz",
    "QuizMode",
    "QuizQuestion",
    "QuizState",
    "Record",
    "Summary",
    "describe_score",
    "parse_answer",
    "parse_number",
    "within",
]
