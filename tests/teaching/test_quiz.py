"""Predict-then-reveal on the sheets' own numbers: parsing, tolerance, hints, score, reveal."""

import math
from dataclasses import replace

import numpy as np
import pytest

from tutor.exercise import load
from tutor.exercise.library import exercises_dir
from tutor.teaching.quiz import (
    ABSOLUTE_TOLERANCE,
    RELATIVE_TOLERANCE,
    AnswerError,
    Quiz,
    QuizMode,
    describe_score,
    parse_answer,
    parse_number,
)


def typed(question) -> str:
    """The correct answer as a student would type it (all entries, row by row, in the shape
    the sheet writes it: a column's entries separated by semicolons)."""
    rows, columns = question.shape
    values = [repr(float(v)) for v in question.expected]
    return "; ".join(", ".join(values[r * columns:(r + 1) * columns]) for r in range(rows))


def questions_quiz(exercise):
    return Quiz.start(exercise, exercise.problem.trace("node"), "questions")


# --------------------------------------------------------------------------- parsing

@pytest.mark.parametrize(("text", "value"), [
    ("7", 7.0), (" 7 ", 7.0), ("-0.25", -0.25), ("−0.25", -0.25), ("+3", 3.0),
    ("0,25", 0.25), ("−0,2", -0.2), ("1/2", 0.5), ("-3/4", -0.75), ("3e-2", 0.03),
    ("3E2", 300.0), (".5", 0.5), ("5.", 5.0), ("1/4e1", 0.025), ("∞", math.inf),
    ("−∞", -math.inf),
])
def test_parse_number_accepts_what_students_type(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", [
    "", "abc", "2+3", "1/0", "1e999", "1,000.5", "0,2,5", "__import__('os')", "1//2",
    "3 4", "7 = 7", "0x10", "1_000", "x" * 20_000,
])
def test_parse_number_refuses_anything_else(text):
    with pytest.raises(AnswerError):
        parse_number(text)


def test_parse_answer_reads_vectors_and_matrices_row_by_row():
    np.testing.assert_array_equal(parse_answer("[4, 12, 8]", 3), [4, 12, 8])
    np.testing.assert_array_equal(parse_answer("4 12 8", 3), [4, 12, 8])
    np.testing.assert_array_equal(parse_answer("[4, 4, 8; 8, 8, 16]", 6), [4, 4, 8, 8, 8, 16])
    np.testing.assert_array_equal(parse_answer("[[1/2, −1], [3e-1, 0]]", 4), [0.5, -1, 0.3, 0])
    with pytest.raises(AnswerError, match="expected 3 numbers"):
        parse_answer("[4, 12]", 3)


# --------------------------------------------------------------------------- questions mode

def test_cmu_questions_in_order_with_the_sheets_answers(cmu):
    state = questions_quiz(cmu)
    assert state.mode is QuizMode.QUESTIONS and state.total == 6
    assert [q.id for q in state.questions] == ["a1", "yhat", "loss", "dl_dyhat", "dl_dbeta1",
                                               "dl_dalpha11"]
    for answer in ("3", "7", "8", "4", "12", "4"):
        state, feedback = state.answer(answer)
        assert feedback.correct, feedback.message
    assert state.finished and state.current is None
    assert (state.score, state.first_try) == (6, 6)


def test_question_tolerance_is_absolute_and_inclusive(cmu):
    state = questions_quiz(cmu)  # a₁ = 3, tolerance 0.001
    assert state.current.absolute_tolerance == 1e-3
    _, outside = state.answer("3.0011")
    assert outside.outcome == "wrong"
    _, below = state.answer("2.9989")
    assert below.outcome == "wrong"
    _, inside = state.answer("3.0009")
    assert inside.correct
    _, edge = state.answer("3.001")
    assert edge.correct


def test_hints_come_in_order_formula_then_numbers(cmu):
    state = questions_quiz(cmu)
    for _ in range(3):  # a₁, ŷ, ℓ right
        state, _ = state.answer(typed(state.current))
    assert state.current.id == "dl_dyhat"
    state, first = state.answer("7")
    assert (first.outcome, first.hint_level) == ("wrong", 1)
    assert first.hints == ("Differentiate ½(ŷ − y)².", "\\d{ℓ}{ŷ} = ŷ − y")
    state, second = state.answer("−4")
    assert second.hint_level == 2
    assert second.hints[-1] == "\\d{ℓ}{ŷ} = ŷ − y = 7 − 3"
    state, third = state.answer("3")
    assert third.hint_level == 2 and "reveal" in third.message
    state, right = state.answer("4")
    assert right.correct and right.answer == "4"
    assert right.line == "∂ℓ/∂ŷ = ŷ − y = 7 − 3 = 4"
    assert state.records[3].attempts == 4 and state.records[3].correct


def test_a_question_without_a_teachers_hint_starts_with_the_formula(cmu):
    state = questions_quiz(cmu)
    state, _ = state.answer("3")
    state, _ = state.answer("7")
    assert state.current.id == "loss" and state.current.hint == ""
    _, feedback = state.answer("16")
    assert feedback.hints == ("ℓ = ½(ŷ − y)^2",)
    assert state.hints() == ()  # the state before the wrong answer has none unlocked


def test_not_a_number_is_not_an_attempt(cmu):
    state = questions_quiz(cmu)
    after, feedback = state.answer("three")
    assert feedback.outcome == "invalid" and "not a number" in feedback.message
    assert after is state
    assert after.records[0].attempts == 0


def test_reveal_scores_nothing_and_advances(cmu):
    state = questions_quiz(cmu)
    state, _ = state.answer("2")
    state, shown = state.reveal()
    assert shown.outcome == "revealed" and shown.answer == "3"
    assert state.position == 1 and state.score == 0
    assert state.records[0].revealed and not state.records[0].correct
    for answer in ("7", "8", "4", "12", "4"):
        state, _ = state.answer(answer)
    assert state.finished and state.score == 5 and state.first_try == 5
    assert describe_score(state) == "5 of 6 correct (5 at the first try), 1 revealed"
    after, feedback = state.answer("1")
    assert after is state and feedback.outcome == "finished"


def test_summary_lists_answers_attempts_and_reveals(cmu):
    state = questions_quiz(cmu)
    state, _ = state.answer("3")
    state, _ = state.answer("6")
    state, _ = state.answer("7")
    state, _ = state.reveal()
    rows = state.summary()
    assert len(rows) == 6
    assert (rows[0].prompt, rows[0].answers, rows[0].correct_value, rows[0].attempts,
            rows[0].correct, rows[0].revealed) == ("a_1 = ?", ("3",), "3", 1, True, False)
    assert (rows[1].answers, rows[1].attempts, rows[1].correct) == (("6", "7"), 2, True)
    assert (rows[2].correct_value, rows[2].revealed, rows[2].correct) == ("8", True, False)
    assert rows[3].attempts == 0


def test_restart_forgets_everything(cmu):
    state = questions_quiz(cmu)
    state, _ = state.answer("3")
    state, _ = state.answer("1")
    fresh = state.restart()
    assert fresh.position == 0 and fresh.score == 0
    assert all(r.attempts == 0 for r in fresh.records)
    assert fresh.questions == state.questions


def test_dataset_questions_use_their_sample(inf264):
    state = questions_quiz(inf264)
    assert [q.expected[0] for q in state.questions[:2]] == [3, 0]  # ŷ of samples 0 and 1
    answers = ["3", "0", "3.25", "3.4", "-0.2", "0.949", str(state.questions[-1].expected[0])]
    for answer in answers:
        state, feedback = state.answer(answer)
        assert feedback.correct, (answer, feedback.message)


def test_layer_trace_questions_fall_back_to_the_node_trace(cmu):
    state = Quiz.start(cmu, cmu.problem.trace("layer"), "questions")
    assert state.current.cursor is None  # the layer trace has no scalar a₁
    assert state.current.expected[0] == 3


def test_no_questions_is_a_finished_quiz(cmu):
    exercise = replace(cmu, questions=())
    state = Quiz.start(exercise, exercise.problem.trace(), "questions")
    assert state.finished and state.total == 0


# --------------------------------------------------------------------------- every step

def test_every_step_asks_each_step_in_trace_order(cmu):
    trace = cmu.problem.trace("node")
    state = Quiz.start(cmu, trace, "every step")
    assert state.total == len(trace)
    assert [q.cursor for q in state.questions] == list(range(len(trace)))
    assert state.current.prompt == "a_{1} = ?"
    for step in trace:
        state, feedback = state.answer(str(float(step.result)))
        assert feedback.correct
    assert state.score == len(trace)


def test_every_step_default_tolerance_is_relative_and_absolute(cmu):
    trace = cmu.problem.trace("node")
    state = Quiz.start(cmu, trace, "every step")
    while state.current.step.key.node != "W2[0,0]":
        state, _ = state.answer(typed(state.current))
    assert state.current.expected[0] == 12  # ∂ℓ/∂β₁
    allowed = ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * 12  # 0.0605
    assert state.answer(str(12 + allowed * 0.99))[1].correct
    assert not state.answer(str(12 + allowed * 1.01))[1].correct
    assert not state.answer(str(12 - allowed * 1.01))[1].correct
    while state.current.step.key.node != "W1[0,1]" or state.current.step.phase != "update":
        state, _ = state.answer(typed(state.current))
    assert state.current.expected[0] == pytest.approx(-0.8)
    assert state.answer("−0,8")[1].correct
    assert state.answer("-4/5")[1].correct
    assert not state.answer("0.8")[1].correct


def test_every_step_near_zero_uses_the_absolute_part():
    exercise = load(exercises_dir() / "ds102-discussion-12.json")
    trace = exercise.problem.trace("node")
    state = Quiz.start(exercise, trace, "every step")
    assert state.current.step.result == 0  # z₁,₁ = 0 on the DS 102 file
    assert state.answer("0.0004")[1].correct
    assert not state.answer("0.0006")[1].correct


def test_every_step_with_samples_says_which_sample(inf264):
    state = Quiz.start(inf264, inf264.problem.trace("node"), QuizMode.EVERY_STEP)
    assert state.current.prompt.endswith("(sample 1) = ?")


def test_layer_steps_are_answered_with_all_entries(cmu):
    trace = cmu.problem.trace("layer")
    state = Quiz.start(cmu, trace, "every step")
    while state.current.step.key.node != "W2":
        state, _ = state.answer(typed(state.current))
    assert state.current.size == 3 and state.current.answer_text == "\\mat{4,12,8}"
    _, short = state.answer("[4, 12]")
    assert short.outcome == "invalid" and "expected 3 numbers" in short.message
    _, wrong = state.answer("[4, 12, 9]")
    assert wrong.outcome == "wrong"
    state, right = state.answer("[4, 12, 8]")
    assert right.correct
    while state.current.step.key.node != "W1":
        state, _ = state.answer(typed(state.current))
    assert state.answer("[4, 4, 8; 8, 8, 16]")[1].correct
    assert not state.answer("[4, 8, 4, 8, 8, 16]")[1].correct  # column by column is wrong


def test_the_quiz_never_changes_the_trace(cmu):
    trace = cmu.problem.trace("node")
    before = [s.result for s in trace]
    state = Quiz.start(cmu, trace, "every step")
    state.answer("1")
    state.reveal()
    assert [s.result for s in trace] == before
