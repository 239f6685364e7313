"""The sigmoid's fast form (1/(1 + e^−z)) and its overflow-safe form agree; no overflow."""

from __future__ import annotations

import numpy as np

from tutor.engine.activations import EXP_SAFE, sigmoid


def safe_form(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def test_the_fast_form_agrees_with_the_safe_one_to_1e_12() -> None:
    z = np.linspace(-EXP_SAFE, EXP_SAFE, 20_001)
    np.testing.assert_allclose(sigmoid(z), safe_form(z), rtol=1e-12, atol=0)
    assert sigmoid(np.array(0.0)) == 0.5
    assert sigmoid(np.log(3.0)) == 0.75  # 1/(1 + 1/3)


def test_one_huge_negative_entry_switches_the_whole_array_to_the_safe_form() -> None:
    z = np.array([[-1e4, -2.0], [0.0, 1e4]])
    with np.errstate(over="raise"):  # an overflow in exp would raise here
        out = sigmoid(z)
    np.testing.assert_array_equal(out, safe_form(z))
    assert out[0, 0] == 0.0 and out[1, 1] == 1.0


def test_nan_stays_nan_and_scalars_stay_arrays() -> None:
    out = sigmoid(np.array([np.nan, 2.0]))
    assert np.isnan(out[0]) and out[1] == 1.0 / (1.0 + np.exp(-2.0))
    assert isinstance(sigmoid(0.3), np.ndarray) and sigmoid(0.3).ndim == 0
