"""What each diagram item shows at a cursor, read from the session's trace without Qt."""

from __future__ import annotations

import pytest

from tutor.engine import Granularity
from tutor.session import Session
from tutor.session.node_states import NodeState
from tutor.session.readout import Readout


def test_values_and_states_at_the_sheets_step_12(cmu) -> None:
    session = Session(cmu)
    readout = Readout(session.trace, session.exercise.problem)
    readout.move(11)  # ∂ℓ/∂z₂ = ∂ℓ/∂ŷ · β₂ = 4 · 2
    assert readout.value("x[1]") == 2.0 and readout.value("one1") == 1.0
    assert readout.value("W2[0,1]") == 2.0  # β₂, a given parameter
    assert readout.value("z2[0]") == 7.0  # ŷ, computed in the forward pass
    assert readout.adjoint("h1[1]") == (8.0, False)
    assert readout.adjoint("z1[0]") == (None, False)  # ∂ℓ/∂a₁ comes at step 13
    assert readout.state("h1[1]", leaf=False) is NodeState.CURRENT
    assert readout.state("z2[0]", leaf=False) is NodeState.CACHED_READ  # its ∂ℓ/∂ŷ
    assert readout.state("z1[0]", leaf=False) is NodeState.COMPUTED
    assert readout.state("x[0]", leaf=True) is NodeState.GIVEN
    assert readout.badge("z2[0]") == "cached ∂"
    readout.move(3)
    assert readout.state("z2[0]", leaf=False) is NodeState.PENDING
    assert readout.value("z2[0]") is None


def test_layer_by_layer_a_folded_bias_is_read_from_its_matrix(cmu) -> None:
    session = Session(cmu)
    session.set_granularity(Granularity.LAYER)
    readout = Readout(session.trace, session.exercise.problem)
    gradient = next(s.index for s in session.trace if s.node == "W1" and s.phase == "gradient")
    readout.move(gradient)
    # ∂ℓ/∂α = [[4, 4, 8], [8, 8, 16]] with the intercept column α·,₀ first
    assert readout.adjoint("b1[1]") == (pytest.approx(8.0), False)
    assert readout.adjoint("W1[1,1]") == (pytest.approx(16.0), False)
    assert readout.state("b1[0]", leaf=True) is NodeState.CURRENT  # a column of W1's step
