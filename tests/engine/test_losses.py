"""Each loss's forms — the graph op, the arrays, the floats — compute the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine.losses import LOSSES

OUTPUTS = np.array([[0.2, 0.7, 0.95], [0.5, 0.01, 0.6]])
TARGETS = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.3]])


@pytest.mark.parametrize("kind", list(LOSSES))
@pytest.mark.parametrize("scale", [0.5, 1 / 3, 1.0])
def test_the_forms_of_a_loss_agree(kind, scale: float) -> None:
    forms = LOSSES[kind]
    op = forms(scale)
    array_losses = forms.array_losses(OUTPUTS, TARGETS, scale)
    array_adjoint = forms.array_adjoint(OUTPUTS, TARGETS, scale)
    float_loss, float_adjoint = forms.float_forms(scale)
    for row, (out, target) in enumerate(zip(OUTPUTS, TARGETS, strict=True)):
        args = [*out, *target]
        value = op.forward(args)
        assert array_losses[row] == pytest.approx(value, rel=1e-14)
        assert float_loss(out.tolist(), target.tolist()) == pytest.approx(value, rel=1e-14)
        partials = [op.partial(k, args, value) for k in range(len(out))]
        np.testing.assert_allclose(array_adjoint[row], partials, rtol=1e-14)
        np.testing.assert_allclose(float_adjoint(out.tolist(), target.tolist(), 0.5),
                                   np.array(partials) * 0.5, rtol=1e-14)


@pytest.mark.parametrize("kind", list(LOSSES))
def test_the_adjoint_is_the_slope_of_the_loss(kind) -> None:
    forms, h = LOSSES[kind], 1e-7
    adjoint = forms.array_adjoint(OUTPUTS, TARGETS, 0.5)
    for k in range(OUTPUTS.shape[1]):
        step = np.zeros_like(OUTPUTS)
        step[:, k] = h
        numeric = (forms.array_losses(OUTPUTS + step, TARGETS, 0.5)
                   - forms.array_losses(OUTPUTS - step, TARGETS, 0.5)) / (2 * h)
        np.testing.assert_allclose(adjoint[:, k], numeric, rtol=1e-6)


def test_known_values() -> None:
    squared, cross_entropy = LOSSES.values()
    assert squared.array_losses(np.array([[3.0]]), np.array([[1.0]]), 0.5)[0] == 2.0
    assert squared.array_adjoint(np.array([[3.0]]), np.array([[1.0]]), 0.5)[0, 0] == 2.0
    assert cross_entropy.array_losses(np.array([[0.5]]), np.array([[1.0]]), 1.0)[0] == \
        pytest.approx(np.log(2))
    assert cross_entropy.array_adjoint(np.array([[0.5]]), np.array([[1.0]]), 1.0)[0, 0] == \
        pytest.approx(-2.0)
