"""The sheet's layout: every parameter has one place in what the sheet writes, both ways."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from tutor.engine import edit
from tutor.engine.ids import bias_id, input_id, parse_id, target_id, weight_id
from tutor.engine.network_graph import build_graph
from tutor.engine.sheet_layout import (
    display_entry,
    display_matrix,
    display_shape,
    display_symbols,
    display_tensors,
    entry_id,
    parameter_value,
    shown_tensor,
    split_display_matrix,
)

from .networks import cases


@settings(max_examples=80, deadline=None)
@given(cases())
def test_every_parameter_has_one_entry_and_the_entry_names_it_back(case) -> None:
    network, params = case.network, case.params
    shown = display_tensors(network, params)
    seen: dict[str, set] = {name: set() for name in shown}
    for node in build_graph(network).graph.nodes:
        if node.role != "param":
            continue
        tensor, index = display_entry(network, node.id)
        assert shown_tensor(network, node.id) == tensor
        assert shown[tensor][index] == parameter_value(network, params, node.id)
        assert index not in seen[tensor]
        seen[tensor].add(index)
        if len(index) == 2:
            assert entry_id(network, parse_id(node.id).layer_index, *index) == node.id
    for name, tensor in shown.items():  # every entry is some parameter
        assert len(seen[name]) == tensor.size


@settings(max_examples=60, deadline=None)
@given(cases())
def test_the_display_matrix_splits_back_and_has_the_symbols_shape(case) -> None:
    network, params = case.network, case.params
    for n, layer in enumerate(network.layers):
        matrix = display_matrix(layer, params.weights[n], params.biases[n])
        assert matrix.shape == display_shape(network, n)
        symbols, rows, columns = display_symbols(network, n)
        assert symbols.shape == matrix.shape == (len(rows), len(columns))
        w, b = split_display_matrix(layer, matrix)
        np.testing.assert_array_equal(w, params.weights[n])
        if b is not None:
            np.testing.assert_array_equal(b, params.biases[n])


@settings(max_examples=60, deadline=None)
@given(cases())
def test_set_scalar_changes_exactly_that_parameter(case) -> None:
    problem = case.problem()
    for node in build_graph(case.network).graph.nodes:
        if node.role != "param":
            continue
        changed = edit.set_scalar(problem, node.id, 7.25)
        assert parameter_value(case.network, changed.params, node.id) == 7.25
        before, after = problem.params.flat(), changed.params.flat()
        assert np.count_nonzero(before != after) <= 1


def test_the_cmu_sheet_layout() -> None:
    """CMU recitation 5: the bias folded first, α₂,₀ is entry (1, 0) of W1."""
    from tutor.exercise import bundled, load

    cmu = load(next(b for b in bundled() if b.name == "cmu-recitation-5").path).problem
    assert display_entry(cmu.network, bias_id(0, 1)) == ("W1", (1, 0))
    assert display_entry(cmu.network, weight_id(0, 1, 0)) == ("W1", (1, 1))
    assert entry_id(cmu.network, 0, 1, 0) == "b1[1]"
    assert entry_id(cmu.network, 1, 0, 2) == "W2[0,1]"
    assert edit.set_scalar(cmu, bias_id(0, 1), 5.0).params.biases[0][1] == 5.0
    assert edit.set_scalar(cmu, input_id(0), 3.0, sample=0).data.inputs[0, 0] == 3.0
    assert edit.set_scalar(cmu, target_id(0), 3.0).data.targets[0, 0] == 3.0
    for bad in ("W1[5,0]", "W3[0,0]", "z1[0]", "loss", "W1"):
        assert display_entry(cmu.network, bad) is None
        with pytest.raises(ValueError, match="is not a weight, bias, input or target"):
            edit.set_scalar(cmu, bad, 1.0)
    with pytest.raises(ValueError, match="outside"):
        entry_id(cmu.network, 0, 2, 0)
