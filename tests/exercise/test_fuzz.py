"""Whatever a file holds, loading gives an Exercise or one ExerciseError, nothing else.

CI generates about 3,600 documents in all; ``--fuzz-examples N`` (or ``FUZZ_EXAMPLES=N``)
generates about N instead, shared out in the same proportions.
"""

import contextlib
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.exercise import ExerciseError, from_dict, loads
from tutor.exercise import format as format_module
from tutor.exercise.errors import engine_errors

from .helpers import cmu_doc, expression_doc

CI_EXAMPLES = {"network": 1500, "expression": 600, "text": 1000, "truncation": 500,
               "whole path": 150}


def examples(kind: str) -> int:
    """This generator's share of FUZZ_EXAMPLES, or its CI count."""
    total = int(os.environ.get("FUZZ_EXAMPLES", "0") or 0)
    if total <= 0:
        return CI_EXAMPLES[kind]
    return max(1, round(total * CI_EXAMPLES[kind] / sum(CI_EXAMPLES.values())))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=12)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _replace(doc, path, value):
    if not path:
        return value
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


# larger and deeper than a teacher writes: long text, big numbers, nesting past the caps
large_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**40), 10**40)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=300)
    | st.sampled_from(["_{" * 300, "\\begin{filecontents}{x}", "\x1b[2J", "\ud800", "2.0"]),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=120), inner,
                                                                 max_size=4),
    max_leaves=300)


def _whole_path(doc) -> None:
    """Load; then every trace the file allows, every answer key, save and reload."""
    from tutor.engine import NetworkProblem
    from tutor.engine.limits import LimitError
    from tutor.exercise import dumps
    from tutor.teaching.answer_key import answer_key

    try:
        exercise = from_dict(doc)
    except ExerciseError as error:
        assert "\n" not in str(error)
        return
    for granularity in ("node", "layer"):
        if granularity == "layer" and not isinstance(exercise.problem, NetworkProblem):
            continue
        try:
            trace = exercise.problem.trace(granularity)
        except LimitError:
            continue
        for fmt in ("markdown", "latex", "html"):
            assert answer_key(exercise, fmt, granularity, trace=trace)
    assert dumps(loads(dumps(exercise))) == dumps(exercise)


def _load_or_error(doc) -> None:
    try:
        from_dict(doc)
    except ExerciseError as error:
        assert "\n" not in str(error)


@settings(max_examples=examples("network"))
@given(st.data())
def test_any_single_change_to_a_network_file(data):
    doc = cmu_doc()
    path = data.draw(st.sampled_from(list(_paths(doc))))
    _load_or_error(_replace(doc, path, data.draw(json_values)))


@settings(max_examples=examples("expression"))
@given(st.data())
def test_any_single_change_to_an_expression_file(data):
    doc = expression_doc()
    path = data.draw(st.sampled_from(list(_paths(doc))))
    _load_or_error(_replace(doc, path, data.draw(json_values)))


@settings(max_examples=examples("whole path"))
@given(st.data())
def test_any_large_change_goes_through_the_whole_path(data):
    doc = cmu_doc() if data.draw(st.booleans()) else expression_doc()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(doc))))
        doc = _replace(doc, path, data.draw(large_values))
    _whole_path(doc)


@settings(max_examples=examples("text"))
@given(st.text(max_size=200))
def test_any_text(text):
    with contextlib.suppress(ExerciseError):
        loads(text)


@settings(max_examples=examples("truncation"))
@given(st.integers(0, 3000))
def test_any_truncation_of_a_valid_file(cut):
    text = json.dumps(cmu_doc(), ensure_ascii=False)
    try:
        loads(text[:cut])
    except ExerciseError as error:
        assert error.problem


def test_an_engine_error_becomes_an_exercise_error_naming_the_field(monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("inputs have 3 columns, the network expects 2")

    monkeypatch.setattr(format_module, "NetworkProblem", refuse)
    with pytest.raises(ExerciseError) as caught:
        from_dict(cmu_doc(), "sheet.json")
    assert str(caught.value) == ("sheet.json: network: inputs have 3 columns, the network "
                                 "expects 2")


def test_engine_errors_leaves_other_exceptions_alone():
    with pytest.raises(KeyError), engine_errors("data"):
        raise KeyError("not a value problem")
