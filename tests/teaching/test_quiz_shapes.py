"""Layer-granularity quiz answers typed in the sheet's shape: CMU's columns, FTML's rows."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine.numbers import parse_matrix
from tutor.exercise import load
from tutor.exercise.library import find
from tutor.teaching.quiz import Quiz, QuizMode
from tutor.teaching.quiz_shapes import ShapeError, parse_shaped, typing_hint


def at_step(name: str, number: int):
    """A layer-granularity every-step quiz standing on step ``number`` (from 1)."""
    exercise = load(find(name))
    state = Quiz.start(exercise, exercise.problem.trace("layer"), QuizMode.EVERY_STEP)
    while state.current.step.number != number:
        state, _ = state.reveal()
    return state


@pytest.mark.parametrize("text", ["[4; 8]", "[4, 8]ᵀ", "[4 8]ᵀ", "4; 8", "4\n8", "[4;8]",
                                  " [ 4 ; 8 ] ", "[4, 8]^T", "[[4], [8]]", "4,0; 8,0"])
def test_cmu_column_typed_as_the_sheet_writes_it(text):
    state = at_step("cmu-recitation-5", 8)  # ∂ℓ/∂a = [4; 8]
    assert state.current.shape == (2, 1)
    _, feedback = state.answer(text)
    assert feedback.correct, (text, feedback.message)


@pytest.mark.parametrize("text", ["[4, 8]", "4 8", "4, 8", "[4 8]"])
def test_cmu_column_typed_as_a_row_is_refused_with_how_the_sheet_writes_it(text):
    state = at_step("cmu-recitation-5", 8)
    after, feedback = state.answer(text)
    assert feedback.outcome == "invalid"
    assert "the sheet writes this as a column" in feedback.message
    assert "[a; b] or [a, b]ᵀ" in feedback.message
    assert after.record.attempts == 0  # not counted against the student


def test_cmu_column_wrong_numbers_are_wrong_not_invalid():
    state = at_step("cmu-recitation-5", 7)  # ∂ℓ/∂z = [4; 8]
    assert state.answer("[4; 9]")[1].outcome == "wrong"
    assert state.answer("[8; 4]")[1].outcome == "wrong"


def test_cmu_matrix_rows_on_lines_or_semicolons():
    state = at_step("cmu-recitation-5", 9)  # ∂ℓ/∂α = [4, 4, 8; 8, 8, 16]
    assert state.current.shape == (2, 3)
    for text in ("[4, 4, 8; 8, 8, 16]", "4 4 8\n8 8 16", "4 4 8; 8 8 16",
                 "[[4, 4, 8], [8, 8, 16]]", "4 4 8 8 8 16"):
        assert state.answer(text)[1].correct, text
    _, transposed = state.answer("[4, 8; 4, 8; 8, 16]")
    assert transposed.outcome == "invalid" and "2 rows of 3" in transposed.message


def test_cmu_row_of_the_output_layer_gradient():
    state = at_step("cmu-recitation-5", 6)  # ∂ℓ/∂β = [4, 12, 8]
    assert state.answer("4 12 8")[1].correct
    _, column = state.answer("[4; 12; 8]")
    assert column.outcome == "invalid" and "as a row" in column.message


def test_ftml_rows_and_columns_with_decimal_commas():
    state = at_step("ftml-session-8", 9)  # ∂l/∂h = [−0.0821787, 0.0821787], a row
    assert state.current.shape == (1, 2)
    assert state.answer("[−0.0821787, 0.0821787]")[1].correct
    assert state.answer("−0,0821787 0,0821787")[1].correct
    _, column = state.answer("[−0.0821787; 0.0821787]")
    assert column.outcome == "invalid" and "the sheet writes this as a row" in column.message
    state = at_step("ftml-session-8", 8)  # ∇_θ l, a 3×1 column
    assert state.current.shape == (3, 1)
    assert state.answer("[−0,0600774; −0,0530592; −0,0821787]")[1].correct
    assert state.answer("[−0.0600774, −0.0530592, −0.0821787]ᵀ")[1].correct
    assert "column" in state.answer("−0.0600774 −0.0530592 −0.0821787")[1].message
    state = at_step("ftml-session-8", 11)  # ∇_wₕ l, (d+1)×m = 3×2
    rows = "−0.0161573 0.0188012\n−0.0323146 0.0376024\n−0.0161573 0.0188012"
    assert state.answer(rows)[1].correct
    _, transposed = state.answer("[−0.0161573, −0.0323146, −0.0161573; "
                                 "0.0188012, 0.0376024, 0.0188012]")
    assert transposed.outcome == "invalid" and "3 rows of 2" in transposed.message


def test_the_answer_box_says_which_shape():
    assert typing_hint(at_step("cmu-recitation-5", 8).current.step) == \
        "A column of 2 numbers: [a; b] or [a, b]ᵀ; Return checks it"
    assert typing_hint(at_step("ftml-session-8", 9).current.step).startswith("A row of 2")
    assert typing_hint(at_step("ftml-session-8", 11).current.step).startswith("A 3×2 matrix")
    assert typing_hint(at_step("ftml-session-8", 5).current.step).startswith("Your answer")


# --------------------------------------------------------------------------- the parser

@pytest.mark.parametrize(("text", "columns", "rows"), [
    ("[4; 8]", None, [[4], [8]]),
    ("[4, 8]ᵀ", None, [[4], [8]]),
    ("4 8", None, [[4, 8]]),
    ("[0,5; 1,5]", 1, [[0.5], [1.5]]),
    ("0,5 1,5", None, [[0.5, 1.5]]),
    ("1/2 −3e-1", None, [[0.5, -0.3]]),
    ("[4,8]", None, [[4, 8]]),
    ("[4,8]", 1, [[4.8]]),
    ("1 2;\n3 4;", None, [[1, 2], [3, 4]]),
])
def test_parse_matrix(text, columns, rows):
    assert parse_matrix(text, columns=columns) == rows


@pytest.mark.parametrize(("text", "message"), [
    ("[1, 2; 3]", "different lengths"),
    ("[1, 2", "brackets"),
    ("[1; ; 2]", "a row is empty"),
    ("[1, x]", "not a number"),
    ("1" * 100_001, "too long"),
])
def test_parse_matrix_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_matrix(text)


def test_parse_shaped_reads_a_flat_row_of_a_matrix_row_by_row():
    np.testing.assert_array_equal(parse_shaped("1 2 3 4", (2, 2)), [1, 2, 3, 4])
    with pytest.raises(ShapeError, match="expected 4 numbers"):
        parse_shaped("1 2 3", (2, 2))
