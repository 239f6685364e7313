"""Every gradient the engine reports agrees with central differences of an independent model.

Random networks cover every activation, loss, bias notation and depth; ReLU-type layers are
kept away from their kink (finite differences are meaningless there).
"""

import pytest
from hypothesis import assume, given, settings

from tutor.engine import Granularity, loss_and_gradients

from .networks import (
    Case,
    assert_parameters_close,
    away_from_kinks,
    cases,
    finite_difference,
    layer_gradients,
    node_gradients,
    reference_loss,
)

RTOL, ATOL = 1e-6, 1e-8


def check_against_finite_differences(case: Case) -> None:
    assume(away_from_kinks(case))
    numeric = finite_difference(case)
    fast = loss_and_gradients(case.network, case.params, case.data)
    assert fast.loss == pytest.approx(
        reference_loss(case.network, list(case.params.weights), list(case.params.biases),
                       case.data), rel=1e-12, abs=1e-14)
    assert_parameters_close(fast.params, numeric, rtol=RTOL, atol=ATOL)
    problem = case.problem()
    assert_parameters_close(node_gradients(case, problem.trace(Granularity.NODE)), numeric,
                            rtol=RTOL, atol=ATOL)
    assert_parameters_close(layer_gradients(case, problem.trace(Granularity.LAYER)), numeric,
                            rtol=RTOL, atol=ATOL)


@settings(max_examples=60)
@given(cases())
def test_gradients_match_finite_differences(case: Case) -> None:
    check_against_finite_differences(case)


@pytest.mark.slow
@settings(max_examples=1500)
@given(cases())
def test_gradients_match_finite_differences_thoroughly(case: Case) -> None:
    check_against_finite_differences(case)
