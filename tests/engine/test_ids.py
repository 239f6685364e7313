"""The id codec: every id the engine writes reads back to what made it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from tutor.engine import ids
from tutor.engine.network_graph import build_graph

from .networks import cases


def test_makers_write_the_sheet_numbering_from_a_zero_based_layer() -> None:
    assert ids.weight_id(0, 1, 2) == "W1[1,2]"
    assert ids.bias_id(2, 0) == "b3[0]"
    assert ids.pre_id(1, 4) == "z2[4]"
    assert ids.act_id_of(1, 4, identity=False) == "h2[4]"
    assert ids.act_id_of(1, 4, identity=True) == "z2[4]"
    assert (ids.input_id(3), ids.target_id(1), ids.residual_id(0)) == ("x[3]", "y[1]", "r[0]")
    assert ids.intercept_id(0) == "one1"
    assert (ids.weight_tensor(0), ids.bias_tensor(1), ids.pre_tensor(2), ids.act_tensor(3)) == (
        "W1", "b2", "z3", "h4")
    assert ids.value_tensor(0, identity=True) == "z1"
    assert ids.parameter_tensors(2) == ["W1", "b1", "W2", "b2"]
    assert ids.scalar_id("W2", (3, 0)) == "W2[3,0]" and ids.scalar_id("loss", ()) == "loss"


def test_parse_gives_back_prefix_layer_and_index() -> None:
    parsed = ids.parse_id("W2[3,0]")
    assert parsed == ids.ScalarId("W", 2, (3, 0))
    assert parsed.tensor == "W2" and parsed.layer_index == 1 and parsed.is_parameter
    assert str(parsed) == "W2[3,0]"
    assert ids.parse_id("x[7]") == ids.ScalarId("x", None, (7,))
    assert ids.parse_id("x[7]").layer_index is None
    assert ids.parse_tensor("b3") == ids.ScalarId("b", 3, ())
    assert ids.parse_tensor("b3[0]") is None
    assert ids.parse_parameter_tensor("b3") == ("b", 2)
    assert ids.tensor_of("W1[0,1]") == "W1" and ids.tensor_of("loss") == "loss"
    assert ids.tensor_of("∂x") == "∂x"
    assert ids.matrix_of("b2") == "W2" and ids.matrix_of("W2") == "W2"
    assert ids.matrix_of("x") == "x"


@pytest.mark.parametrize("text", ["W1[0", "∂x", "W1[]", "W1[0,]", "W1[-1]", "", "W" * 100,
                                  "W1 [0]", "W1[0, 1]"])
def test_anything_else_is_not_an_id(text: str) -> None:
    assert ids.parse_id(text) is None


@pytest.mark.parametrize("name", ["z1", "x", "W0", "W1[0,0]", "loss", "Wb1"])
def test_only_weights_and_biases_are_parameter_tensors(name: str) -> None:
    with pytest.raises(ValueError, match="not a weight or bias tensor"):
        ids.parse_parameter_tensor(name)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_every_node_of_a_network_round_trips(case) -> None:
    for node in build_graph(case.network).graph.nodes:
        parsed = ids.parse_id(node.id)
        assert parsed is not None and str(parsed) == node.id
        assert ids.scalar_id(parsed.tensor, parsed.index) == node.id
        assert node.group == parsed.tensor


def test_is_parameter_names_one_weight_or_bias_only():
    from tutor.engine.ids import is_parameter

    assert is_parameter("W1[0,1]") and is_parameter("b2[0]")
    assert not any(is_parameter(n) for n in ("W1", "z1[0]", "x[0]", "one1", "loss", "∂W"))
