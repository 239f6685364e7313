"""Round trips, atomic saving, the schema and the bundled library."""

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from tutor.engine import Key, Method, Quantity
from tutor.engine.activations import NAMES
from tutor.engine.network import BiasMode
from tutor.exercise import (
    BundledExercise,
    ExerciseError,
    bundled,
    default_path,
    dumps,
    from_dict,
    load,
    loads,
    save,
    to_dict,
)
from tutor.exercise import atomic as atomic_module
from tutor.exercise.validate import schema_path

BUNDLED = bundled()
REPO = Path(__file__).resolve().parents[2]


def schema() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("item", BUNDLED, ids=lambda b: b.name)
def test_load_save_load_changes_nothing(item: BundledExercise, tmp_path):
    first = load(item.path)
    path = tmp_path / "copy.json"
    save(first, path)
    second = load(path)
    assert to_dict(second) == to_dict(first)
    first_bytes = path.read_bytes()
    save(second, path)
    assert path.read_bytes() == first_bytes


@pytest.mark.parametrize("item", BUNDLED, ids=lambda b: b.name)
def test_bundled_files_are_in_canonical_form(item: BundledExercise):
    """What the program writes is what we ship, so a save never reformats a bundled file."""
    assert dumps(load(item.path)) == item.path.read_text(encoding="utf-8")


def test_parameters_are_written_as_the_sheet_writes_them():
    ftml = to_dict(load(default_path().with_name("ftml-session-8.json")))
    assert ftml["parameters"]["W1"] == [[0.5, -0.5], [0.25, 0.5], [0, 0.1]]  # (d+1)×m
    cmu = to_dict(load(default_path()))
    assert cmu["parameters"] == {"W1": [[2, 1, 0], [0, 2, 0]], "W2": [[0, 1, 2]]}


def test_changed_numbers_survive_a_round_trip(tmp_path):
    exercise = load(default_path())
    problem = exercise.problem
    params = problem.params.replace_tensor("W1", problem.params.weights[0] + 0.1)
    changed = exercise.with_problem(problem.with_params(params))
    path = tmp_path / "changed.json"
    save(changed, path)
    np.testing.assert_array_equal(load(path).problem.params.weights[0],
                                  problem.params.weights[0] + 0.1)


def test_loads_and_from_dict_agree():
    text = default_path().read_text(encoding="utf-8")
    assert to_dict(loads(text)) == to_dict(from_dict(json.loads(text)))


# --------------------------------------------------------------------------- atomic save

def _old_file(tmp_path):
    path = tmp_path / "sheet.json"
    path.write_text("the teacher's previous version", encoding="utf-8")
    return path


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_interrupted_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch,
                                                                     failing):
    path = _old_file(tmp_path)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(atomic_module.os, failing, fail)
    with pytest.raises(OSError, match="disk full"):
        save(load(default_path()), path)
    assert path.read_text(encoding="utf-8") == "the teacher's previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.json"]


def test_failure_in_the_middle_of_writing(tmp_path, monkeypatch):
    path = _old_file(tmp_path)
    real_open = open

    class HalfWriter:
        def __init__(self, stream):
            self.stream = stream

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

        def write(self, text):
            self.stream.write(text[: len(text) // 2])
            raise KeyboardInterrupt  # the user gave up half-way

    monkeypatch.setattr(atomic_module, "open", lambda *a, **k: HalfWriter(real_open(*a, **k)),
                        raising=False)  # the module's name shadows the builtin
    with pytest.raises(KeyboardInterrupt):
        save(load(default_path()), path)
    assert path.read_text(encoding="utf-8") == "the teacher's previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.json"]


def test_save_keeps_the_file_mode(tmp_path):
    path = _old_file(tmp_path)
    path.chmod(0o640)
    save(load(default_path()), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_non_finite_parameters_cannot_be_saved(tmp_path):
    exercise = load(default_path())
    problem = exercise.problem
    broken = problem.with_params(problem.params.replace_tensor("W2", np.array([[np.nan, 1.0]])))
    path = _old_file(tmp_path)
    with pytest.raises(ExerciseError, match="not finite"):
        save(exercise.with_problem(broken), path)
    assert path.read_text(encoding="utf-8") == "the teacher's previous version"


# --------------------------------------------------------------------------- schema

def test_schema_is_a_valid_draft_2020_12_schema():
    document = schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("item", BUNDLED, ids=lambda b: b.name)
def test_every_bundled_file_validates_against_the_schema(item: BundledExercise):
    document = json.loads(item.path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema()).validate(document)


def test_schema_choices_match_the_engine():
    defs = schema()["$defs"]
    assert defs["layer"]["properties"]["activation"]["enum"] == list(NAMES)
    assert defs["layer"]["properties"]["bias"]["enum"] == [m.value for m in BiasMode]
    method = schema()["properties"]["training"]["properties"]["method"]["enum"]
    assert method == [m.value for m in Method]


# --------------------------------------------------------------------------- library

def test_bundled_library():
    names = [b.name for b in BUNDLED]
    assert names == sorted(names)
    assert "cmu-recitation-5" in names
    for item in BUNDLED:
        assert item.path.is_file() and item.path.stem == item.name
        assert item.title == load(item.path).title
    assert default_path() in [b.path for b in BUNDLED]


def test_engine_and_exercise_do_not_import_qt():
    import subprocess
    import sys

    code = ("import sys, tutor.exercise, tutor.cli; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the teachers' guide

def _guide() -> str:
    return (REPO / "docs" / "exercise-format.md").read_text(encoding="utf-8")


def test_the_guides_complete_example_loads():
    text = _guide().split("## Complete example", 1)[1]
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    exercise = loads(example, "guide")
    assert exercise.hidden == {"answers"}
    trace = exercise.problem.trace()
    assert trace.find(Key(Quantity.ADJOINT, "b1[0]")) is not None


def test_the_guides_error_examples_are_real():
    doc = json.loads(default_path().read_text(encoding="utf-8"))
    doc["parameters"]["W1"][1] = [0, 2]
    with pytest.raises(ExerciseError) as caught:
        from_dict(doc, "my-sheet.json")
    assert str(caught.value) in _guide()
    doc = json.loads(default_path().read_text(encoding="utf-8"))
    doc["network"]["layers"][0]["activation"] = "swish"
    with pytest.raises(ExerciseError) as caught:
        from_dict(doc, "my-sheet.json")
    assert str(caught.value) in _guide()
