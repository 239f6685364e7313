"""Demonstrations open on one sample (their file's ``view``); sheets open on the whole batch."""

from __future__ import annotations

import json

import pytest

from tutor.exercise import load
from tutor.exercise.errors import ExerciseError
from tutor.exercise.format import dumps, loads
from tutor.exercise.library import exercises_dir
from tutor.session import Session
from tutor.session.readout import sample_note

# name → (samples in the data, steps in one sample's node trace, steps for the whole batch)
DEMOS = {"xor": (4, 32, 108), "curve-fit-1d": (12, 76, 682), "two-class-2d": (24, 44, 748)}


def bundled(name: str):
    return load(exercises_dir() / f"{name}.json")


@pytest.mark.parametrize("name", DEMOS)
def test_a_demo_opens_on_its_first_sample(name: str) -> None:
    samples, steps, batch_steps = DEMOS[name]
    session = Session(bundled(name))
    assert session.exercise.view_sample == 0
    assert (session.sample, session.sample_count, len(session.trace)) == (0, samples, steps)
    assert {step.sample for step in session.trace} == {None}  # one pass, no per-sample steps
    session.set_sample(None)  # "All samples" is the whole batch again: hundreds of steps
    assert len(session.trace) == batch_steps


def test_the_first_demo_sample_is_the_first_row_of_the_data() -> None:
    session = Session(bundled("xor"))  # x = (0, 0): z⁽¹⁾₁ = b⁽¹⁾₁ = 0.14
    assert session.trace.value("z1[0]") == pytest.approx(0.14)


def test_a_sheet_still_opens_on_all_samples() -> None:
    session = Session(bundled("inf264-homework-4"))
    assert session.exercise.view_sample is None and session.sample is None
    assert {step.sample for step in session.trace} == {None, 0, 1}


def test_reset_applies_the_new_exercises_view() -> None:
    session = Session(bundled("inf264-homework-4"))
    session.reset(bundled("curve-fit-1d"))
    assert (session.sample, len(session.trace)) == (0, 76)
    session.reset(bundled("inf264-homework-4"))
    assert session.sample is None


def test_the_view_round_trips_through_save_and_load() -> None:
    text = dumps(bundled("two-class-2d"))
    assert json.loads(text)["view"] == {"sample": 0}
    assert loads(text).view_sample == 0
    doc = json.loads(text)
    doc["view"] = {"sample": 23}
    assert loads(dumps(loads(json.dumps(doc)))).view_sample == 23
    assert "view" not in json.loads(dumps(bundled("inf264-homework-4")))


@pytest.mark.parametrize(("view", "message"), [
    ({"sample": 4}, "the data has 4 samples"),
    ({"sample": -1}, "view"),
    ({"sample": 1.5}, "view"),
    ({"samples": 0}, "view"),
])
def test_a_bad_view_is_refused(view: dict, message: str) -> None:
    doc = json.loads(dumps(bundled("xor")))
    doc["view"] = view
    with pytest.raises(ExerciseError, match=message):
        loads(json.dumps(doc))


def test_an_expression_exercise_has_no_view() -> None:
    doc = json.loads(dumps(bundled("chain-rule-discussion-expression")))
    doc["view"] = {"sample": 0}
    with pytest.raises(ExerciseError, match="view"):
        loads(json.dumps(doc))


def test_the_note_says_which_sample_and_how_to_see_them_all() -> None:
    assert sample_note(0, 24) == ("Showing sample 1 of 24 — choose All samples in the "
                                  "toolbar for the whole batch")
    assert sample_note(None, 24) == "" and sample_note(0, 1) == ""
