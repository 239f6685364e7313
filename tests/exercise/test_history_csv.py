"""The loss-history CSV: one row per point, exact floats, non-finite losses spelt out."""

import csv
import io
import math

import pytest

from tutor.exercise import load
from tutor.exercise.history_csv import HEADER, history_csv, loss_text
from tutor.exercise.library import exercises_dir


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_inf264_training_has_one_row_per_update_with_the_engines_losses():
    problem = load(exercises_dir() / "inf264-homework-4.json").problem
    run = problem.train(5)
    text = history_csv(run.losses)
    assert text.splitlines()[0] == ",".join(HEADER)
    table = rows(text)
    assert [int(r["update"]) for r in table] == [0, 1, 2, 3, 4, 5]
    assert float(table[0]["loss"]) == pytest.approx(3.25, abs=1e-12)  # the sheet's loss
    assert [float(r["loss"]) for r in table] == [float(v) for v in run.losses]  # exact
    assert [r["current"] for r in table] == ["0"] * 5 + ["1"]


def test_edits_and_current_are_marked():
    table = rows(history_csv([4.0, 2.0, 9.0, 3.0], edits=(2,), current=1))
    assert [r["edited"] for r in table] == ["0", "0", "1", "0"]
    assert [r["current"] for r in table] == ["0", "1", "0", "0"]


def test_non_finite_losses_are_written_explicitly_and_read_back():
    text = history_csv([1.5, math.inf, -math.inf, math.nan])
    assert [r["loss"] for r in rows(text)] == ["1.5", "inf", "-inf", "nan"]
    back = [float(r["loss"]) for r in rows(text)]
    assert back[:3] == [1.5, math.inf, -math.inf] and math.isnan(back[3])


def test_losses_round_trip_exactly():
    for value in (0.1 + 0.2, 1e-300, 123456789.123456789, 2.0 ** -1074):
        assert float(loss_text(value)) == value


def test_an_empty_history_is_only_the_header():
    assert history_csv([]) == ",".join(HEADER) + "\n"
