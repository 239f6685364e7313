"""One test per way a file can be wrong: each must name the field and say what is wrong."""

import json

import pytest

from tutor.exercise import ExerciseError, from_dict, load, loads
from tutor.exercise import validate as validate_module

from .helpers import cmu_doc, expression_doc


def error_for(doc) -> ExerciseError:
    with pytest.raises(ExerciseError) as caught:
        from_dict(doc, "sheet.json")
    return caught.value


def text_error(text: str) -> ExerciseError:
    with pytest.raises(ExerciseError) as caught:
        loads(text, "sheet.json")
    return caught.value


def test_the_bundled_document_is_valid():
    assert from_dict(cmu_doc()).title.startswith("CMU")


def test_message_is_one_line_naming_file_field_and_problem():
    doc = cmu_doc()
    doc["network"]["layers"][1]["activation"] = "swish"
    error = error_for(doc)
    assert error.field == "network.layers[1].activation"
    assert "swish" in error.problem and "relu" in error.problem
    assert str(error) == f"sheet.json: network.layers[1].activation: {error.problem}"
    assert "\n" not in str(error)
    assert isinstance(error, ValueError)


# --------------------------------------------------------------------------- shapes

def test_matrix_with_too_few_rows():
    doc = cmu_doc()
    doc["parameters"]["W1"] = [[2, 1, 0]]
    error = error_for(doc)
    assert error.field == "parameters.W1"
    assert "expected a 2×3 matrix, got 1 rows" in error.problem


def test_matrix_row_of_the_wrong_length():
    doc = cmu_doc()
    doc["parameters"]["W1"][1] = [0, 2]
    error = error_for(doc)
    assert error.field == "parameters.W1[1]"
    assert "expected 3 numbers" in error.problem and "got 2" in error.problem


def test_folded_bias_given_separately():
    doc = cmu_doc()
    doc["parameters"]["b1"] = [1, 2]
    error = error_for(doc)
    assert error.field == "parameters.b1"
    assert "folded" in error.problem


def test_missing_weight_matrix_says_its_shape():
    doc = cmu_doc()
    del doc["parameters"]["W2"]
    error = error_for(doc)
    assert error.field == "parameters.W2"
    assert "missing" in error.problem and "1×3" in error.problem


def test_separate_bias_of_the_wrong_length():
    doc = cmu_doc()
    doc["network"]["layers"][0]["bias"] = "separate"
    doc["parameters"]["W1"] = [[1, 0], [2, 0]]
    doc["parameters"]["b1"] = [2, 0, 1]
    error = error_for(doc)
    assert error.field == "parameters.b1"
    assert "expected 2 numbers, got 3" in error.problem


def test_input_row_of_the_wrong_width():
    doc = cmu_doc()
    doc["data"]["inputs"] = [[1, 2, 3]]
    error = error_for(doc)
    assert error.field == "data.inputs[0]"
    assert "expected 2 numbers" in error.problem


def test_targets_and_inputs_disagree_in_length():
    doc = cmu_doc()
    doc["data"]["targets"] = [[3], [4]]
    error = error_for(doc)
    assert error.field == "data.targets"
    assert "expected 1 rows" in error.problem and "got 2" in error.problem


def test_weight_names_of_the_wrong_shape():
    doc = cmu_doc()
    doc["network"]["layers"][0]["notation"]["weight_names"] = [["a", "b"]]
    error = error_for(doc)
    assert error.field == "network.layers[0].notation.weight_names"
    assert "expected 2×2" in error.problem and "got 1×2" in error.problem


# --------------------------------------------------------------------------- values and types

@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_rejected_where_they_are(literal):
    text = json.dumps(cmu_doc()).replace("[[2, 1, 0]", f"[[2, 1, {literal}]", 1)
    error = text_error(text)
    assert error.field == "parameters.W1[0][2]"
    assert "finite" in error.problem


def test_wrong_type():
    doc = cmu_doc()
    doc["network"]["input_size"] = "two"
    error = error_for(doc)
    assert error.field == "network.input_size"
    assert error.problem == "expected integer, got string"


def test_boolean_is_not_a_number():
    doc = cmu_doc()
    doc["parameters"]["W2"][0][1] = True
    assert error_for(doc).field == "parameters.W2[0][1]"


def test_missing_key():
    doc = cmu_doc()
    del doc["network"]["layers"][0]["size"]
    error = error_for(doc)
    assert error.field == "network.layers[0].size"
    assert "missing" in error.problem


def test_missing_title():
    doc = cmu_doc()
    del doc["title"]
    assert error_for(doc).field == "title"


def test_misspelt_key():
    doc = cmu_doc()
    doc["training"]["learning_rat"] = 0.1
    error = error_for(doc)
    assert error.field == "training.learning_rat"
    assert "unknown key" in error.problem


def test_duplicate_key():
    text = json.dumps(cmu_doc())[:-1] + ', "title": "again"}'
    error = text_error(text)
    assert error.field == "title"
    assert "more than once" in error.problem


def test_slope_only_for_leaky_relu():
    doc = cmu_doc()
    doc["network"]["layers"][0]["slope"] = 0.1
    assert error_for(doc).field == "network.layers[0].slope"
    doc["network"]["layers"][0]["activation"] = "leaky_relu"
    layer = from_dict(doc).problem.network.layers[0]
    assert (layer.activation.name, layer.activation.slope) == ("leaky_relu", 0.1)


def test_non_positive_learning_rate():
    doc = cmu_doc()
    doc["training"]["learning_rate"] = 0
    error = error_for(doc)
    assert error.field == "training.learning_rate"
    assert "greater than 0" in error.problem


def test_unknown_frozen_tensor():
    doc = cmu_doc()
    doc["training"]["frozen"] = ["b1", "W3"]  # b1: the intercept column folded into W1
    error = error_for(doc)
    assert error.field == "training.frozen[1]"
    assert "W1, W2, b1, b2" in error.problem


def test_residual_requires_squared_error():
    doc = cmu_doc()
    doc["network"]["loss"] |= {"kind": "binary_cross_entropy", "residual": "target_minus_output"}
    assert error_for(doc).field == "network.loss.residual"


# --------------------------------------------------------------------------- the file itself

def test_newer_format_version():
    doc = cmu_doc()
    doc["format_version"] = 2
    doc["a_field_from_the_future"] = True  # must not be reported: the version comes first
    error = error_for(doc)
    assert error.field == "format_version"
    assert error.problem == "written by a newer version: format 2, this program reads up to 1"


def test_older_or_missing_format_version():
    doc = cmu_doc()
    doc["format_version"] = 0
    assert error_for(doc).field == "format_version"
    del doc["format_version"]
    assert error_for(doc).field == "format_version"


def test_not_json_gives_line_and_column():
    error = text_error('{\n  "format_version": 1,\n  "kind": network\n}')
    assert error.field == ""
    assert "not valid JSON: line 3, column 11" in error.problem
    assert str(error).startswith("sheet.json: not valid JSON")


def test_top_level_must_be_an_object():
    error = text_error("[1, 2]")
    assert "expected a JSON object" in error.problem and "array" in error.problem


def test_nested_too_deeply_is_an_error_not_a_crash():
    error = text_error("[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in error.problem


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "Übung"}'.encode("latin-1"))
    with pytest.raises(ExerciseError) as caught:
        load(path)
    assert "not UTF-8" in caught.value.problem
    assert caught.value.file == str(path)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + default_text().encode("utf-8"))
    assert load(path).title.startswith("CMU")


def default_text() -> str:
    return json.dumps(cmu_doc(), ensure_ascii=False)


def test_directory(tmp_path):
    with pytest.raises(ExerciseError) as caught:
        load(tmp_path)
    assert "is a directory" in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(ExerciseError) as caught:
        load(tmp_path / "nothing.json")
    assert "no such file" in str(caught.value)


def test_file_over_the_size_cap_is_not_read(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(default_text(), encoding="utf-8")
    monkeypatch.setattr(validate_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(ExerciseError) as caught:
        load(path)
    assert "limited to" in caught.value.problem


# --------------------------------------------------------------------------- caps

def test_layer_too_wide():
    doc = cmu_doc()
    doc["network"]["layers"][0]["size"] = 5000
    error = error_for(doc)
    assert error.field == "network.layers[0].size"
    assert "at most 1024" in error.problem


def test_network_too_deep():
    doc = cmu_doc()
    doc["network"]["layers"] = [{"size": 1, "activation": "relu"}] * 17
    error = error_for(doc)
    assert error.field == "network.layers"
    assert "at most 16" in error.problem


def test_too_many_parameters_in_total():
    doc = cmu_doc()
    doc["network"]["input_size"] = 1024
    doc["network"]["layers"] = [{"size": 1024, "activation": "relu"}] * 3
    error = error_for(doc)
    assert error.field == "network.layers"
    assert "200,000" in error.problem


# --------------------------------------------------------------------------- questions, lists

def test_question_about_a_node_that_does_not_exist():
    doc = cmu_doc()
    doc["questions"][0]["node"] = "z3[0]"
    error = error_for(doc)
    assert error.field == "questions[0].node"
    assert "z3[0]" in error.problem


def test_question_ids_are_unique():
    doc = cmu_doc()
    doc["questions"][1]["id"] = doc["questions"][0]["id"]
    assert error_for(doc).field == "questions[1].id"


def test_updated_value_only_for_parameters_and_loss():
    doc = cmu_doc()
    doc["questions"][0]["quantity"] = "updated"  # a₁ is not a parameter
    assert error_for(doc).field == "questions[0].quantity"


def test_input_adjoint_needs_input_gradients():
    doc = cmu_doc()
    doc["questions"][0] |= {"quantity": "adjoint", "node": "x[0]"}
    assert error_for(doc).field == "questions[0].quantity"
    doc["trace"]["input_gradients"] = True
    assert from_dict(doc).questions[0].node == "x[0]"


def test_question_sample_for_a_single_sample():
    doc = cmu_doc()
    doc["questions"][0]["sample"] = 0
    assert error_for(doc).field == "questions[0].sample"


def test_locked_names_must_exist():
    doc = cmu_doc()
    doc["locked"] = ["parameters.W3"]
    error = error_for(doc)
    assert error.field == "locked[0]"
    assert "parameters.W1" in error.problem


def test_hidden_names_answers_or_a_question():
    doc = cmu_doc()
    doc["hidden"] = ["answers", "dl_dbeta1"]
    assert from_dict(doc).hidden == {"answers", "dl_dbeta1"}
    doc["hidden"] = ["nope"]
    assert error_for(doc).field == "hidden[0]"


# --------------------------------------------------------------------------- expressions

def test_expression_syntax_error_names_line_and_column():
    error = error_for(expression_doc("u = x*y\nf = u +* 2"))
    assert error.field == "expression.program"
    assert "line 2" in error.problem and "column" in error.problem


def test_expression_variable_without_a_value():
    error = error_for(expression_doc("f = x*q", x=1.0))
    assert error.field == "expression.values"
    assert "'q'" in error.problem


def test_expression_trainable_must_be_a_value():
    doc = expression_doc()
    doc["expression"]["trainable"] = ["w"]
    assert error_for(doc).field == "expression.trainable[0]"


def test_kind_and_sections_must_agree():
    doc = expression_doc()
    doc["data"] = {"inputs": [[1]], "targets": [[1]]}
    error = error_for(doc)
    assert error.field == "data"
    assert "expression" in error.problem
    network = cmu_doc()
    network["kind"] = "expression"
    assert error_for(network).field == "expression"


def test_odd_keys_are_quoted_so_the_message_stays_one_line():
    doc = cmu_doc()
    doc["network"]["notation"]["\n"] = None
    error = error_for(doc)
    assert error.field == 'network.notation["\\n"]'
    assert "\n" not in str(error)
