"""One crafted file per way a small file used to crash, hang or eat memory: each is now one
ExerciseError that names where (a field path, or a line and column)."""

import json
import os

import pytest

from tutor.engine.limits import (
    MAX_KEY_LENGTH,
    MAX_LAYER_STEPS,
    MAX_LAYER_TRACE,
    MAX_NESTING,
    MAX_SCHEMA_ERRORS,
    MAX_SHOWN,
)
from tutor.exercise import ExerciseError, from_dict, load, loads
from tutor.exercise import validate as validate_module

from .helpers import cmu_doc, expression_doc


def text_error(text: str) -> ExerciseError:
    with pytest.raises(ExerciseError) as caught:
        loads(text, "sheet.json")
    return caught.value


def doc_error(doc) -> ExerciseError:
    with pytest.raises(ExerciseError) as caught:
        from_dict(doc, "sheet.json")
    return caught.value


# --------------------------------------------------------------------------- nesting

def test_nesting_deeper_than_python_allows_names_line_and_column():
    doc = cmu_doc()
    doc["description"] = "x"
    text = json.dumps(doc, indent=1).replace('"x"', "[" * 600 + "]" * 600)
    error = text_error(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "[[[" in row)
    # the top-level object is the first level, so the 32nd bracket is one too many
    column = text.splitlines()[line - 1].index("[") + MAX_NESTING  # 1-based
    assert error.problem.startswith(f"line {line}, column {column}: nested too deeply")


def test_nesting_just_past_the_cap_in_a_valid_place():
    text = '{"format_version": 1, "kind": "network", "title": ' + "[" * 40 + "]" * 40 + "}"
    assert text_error(text).problem.startswith(f"line 1, column {50 + MAX_NESTING}: ")


def test_nesting_in_a_document_built_in_memory_names_the_field():
    doc = cmu_doc()
    deep: list = []
    doc["description"] = deep
    for _ in range(2000):
        deep.append([])
        deep = deep[0]
    error = doc_error(doc)
    assert error.field == "description" + "[0]" * (MAX_NESTING - 1)
    assert "nested too deeply" in error.problem


# --------------------------------------------------------------------------- integers

@pytest.mark.parametrize(("path", "value"), [
    (("network", "layers", 0, "size"), 2.0),
    (("network", "input_size"), 2.0),
    (("format_version",), 1.0),
    (("training", "seed"), 5.0),
    (("training", "batch_size"), 1.0),
])
def test_a_whole_number_float_is_not_an_integer(path, value):
    doc = cmu_doc()
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    if path[-1] == "seed":
        doc["training"] |= {"method": "sgd", "shuffle": True}
    error = doc_error(doc)
    where = ".".join(str(p) for p in path).replace(".0.", "[0].")
    assert error.field == where
    assert error.problem == f"expected an integer, got {value} (write it without '.0')"


def test_a_float_index_base_never_reaches_the_symbols():
    doc = cmu_doc()
    doc["network"]["layers"][0]["notation"] = {"j_base": 0.0}
    assert doc_error(doc).field == "network.layers[0].notation.j_base"


def test_a_whole_number_float_in_a_number_field_stays_a_number():
    doc = cmu_doc()
    doc["training"]["learning_rate"] = 1.0
    assert from_dict(doc).problem.training.learning_rate == 1.0


# --------------------------------------------------------------------------- Unicode

def test_a_lone_surrogate_in_the_title_is_invalid_unicode():
    text = json.dumps(cmu_doc()).replace('"title": "', '"title": "ab\\ud800', 1)
    error = text_error(text)
    assert error.field == "title"
    assert error.problem == "not valid Unicode: a lone surrogate (U+D800) at character 3"


def test_a_lone_surrogate_deep_in_a_question():
    doc = cmu_doc()
    doc["questions"][0]["hint"] = "fine \udfff"
    error = doc_error(doc)
    assert error.field == "questions[0].hint"
    assert "lone surrogate (U+DFFF) at character 6" in error.problem


def test_a_lone_surrogate_in_a_key():
    doc = expression_doc()
    doc["expression"]["symbols"] = {"x\ud801": "x"}
    error = doc_error(doc)
    assert error.field.startswith("expression.symbols")
    assert "lone surrogate (U+D801)" in error.problem


def test_a_paired_surrogate_escape_is_an_ordinary_character():
    text = json.dumps(cmu_doc()).replace('"title": "', '"title": "\\ud83d\\ude00 ', 1)
    assert loads(text).title.startswith("😀 ")


# --------------------------------------------------------------------------- sizes

def test_a_huge_symbol_key_is_refused_with_a_short_message():
    doc = expression_doc()
    doc["expression"]["symbols"] = {"k" * 4_000_000: "x"}
    error = doc_error(doc)
    assert error.field == "expression.symbols"
    assert error.problem == f"too long: at most {MAX_KEY_LENGTH} allowed, got 4,000,000"


def test_an_unknown_key_and_a_bad_enum_are_echoed_cut_short():
    doc = cmu_doc()
    doc["network"]["layers"][0]["activation"] = "s" * 100_000
    error = doc_error(doc)
    assert error.field == "network.layers[0].activation"
    assert len(str(error)) < 400
    assert "s" * (MAX_SHOWN - 1) + "…" in error.problem


def test_schema_errors_stop_after_a_few(monkeypatch):
    real = validate_module._validator()
    pulled = []

    class Counting:
        def iter_errors(self, doc):
            for error in real.iter_errors(doc):
                pulled.append(error)
                yield error

    monkeypatch.setattr(validate_module, "_validator", Counting)
    doc = cmu_doc()
    doc["data"]["inputs"] = [["not a number"] * 2] * 10_000  # 20,000 errors
    error = doc_error(doc)
    assert error.field == "data.inputs[0][0]"
    assert error.problem == "expected number, got string"
    assert len(pulled) == MAX_SCHEMA_ERRORS


def wide_network(samples: int, width: int = 400) -> dict:
    """1-width-width-1, all zeros: small on disk, large to trace."""
    return {"format_version": 1, "kind": "network", "title": "Wide",
            "network": {"input_size": 1, "layers": [{"size": width, "activation": "relu"},
                                                    {"size": width, "activation": "relu"},
                                                    {"size": 1, "activation": "identity"}]},
            "parameters": {"W1": [[0]] * width, "b1": [0] * width,
                           "W2": [[0] * width] * width, "b2": [0] * width,
                           "W3": [[0] * width], "b3": [0]},
            "data": {"inputs": [[0]] * samples, "targets": [[0]] * samples}}


def test_a_layer_trace_too_large_to_hold_is_refused_at_load():
    error = doc_error(wide_network(10_000))
    parameters = 400 * 2 + 400 * 401 + 401
    assert error.field == "data"
    assert error.problem == (
        f"the layer-by-layer trace's size (parameters × traced samples) is "
        f"{parameters * 10_000:,}; the limit is {MAX_LAYER_TRACE:,} (use fewer samples per "
        f"update (SGD or mini-batches) or a smaller network)")


def narrow_network(samples: int) -> dict:
    """1-100-1: 301 parameters, well inside the size cap, but a group of steps per sample and
    layer (10,000 samples took 37 s to solve layer by layer and over a minute as a key)."""
    return {"format_version": 1, "kind": "network", "title": "Many samples",
            "network": {"input_size": 1, "layers": [{"size": 100, "activation": "sigmoid"},
                                                    {"size": 1, "activation": "identity"}]},
            "parameters": {"W1": [[0.1]] * 100, "b1": [0] * 100, "W2": [[0.1] * 100],
                           "b2": [0]},
            "data": {"inputs": [[i / samples] for i in range(samples)],
                     "targets": [[0.5]] * samples}}


def test_a_layer_trace_with_too_many_sample_layer_groups_is_refused_at_load():
    assert MAX_LAYER_TRACE >= 301 * 10_000  # the size cap alone lets it through
    error = doc_error(narrow_network(10_000))
    assert error.field == "data"
    assert error.problem == (
        "the layer-by-layer trace's length (10,000 traced samples × 2 layers) is 20,000; "
        "the limit is 2,000 (use fewer samples per update (SGD or mini-batches) or fewer "
        "layers)")
    assert MAX_LAYER_STEPS == 2_000


def test_a_layer_trace_at_the_length_cap_loads_and_traces():
    problem = from_dict(narrow_network(1_000)).problem  # 1,000 samples × 2 layers
    assert len(problem.trace("layer")) > 2_000


def test_the_same_network_with_sgd_loads():
    doc = wide_network(10_000)
    doc["training"] = {"method": "sgd"}
    assert len(from_dict(doc).problem.data) == 10_000


# --------------------------------------------------------------------------- not files

def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ExerciseError) as caught:
        load(fifo)
    assert caught.value.problem == "is a named pipe (FIFO), not a file"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused():
    with pytest.raises(ExerciseError) as caught:
        load("/dev/zero")
    assert caught.value.problem == "is a device, not a file"


def test_a_symlink_to_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "link.json").symlink_to(fifo)
    with pytest.raises(ExerciseError) as caught:
        load(tmp_path / "link.json")
    assert "named pipe" in caught.value.problem
