"""Each loss writes its own vector form for the layer steps (one class per loss holds every
form): the numbers below are what the sheets print."""

from __future__ import annotations

import numpy as np

from tutor.engine.losses import BinaryCrossEntropy, SquaredError, VectorLoss
from tutor.engine.network import Residual
from tutor.engine.notation import to_unicode


def shown(out, y, residual=Residual.NONE, scale=0.5, column=True) -> VectorLoss:
    return VectorLoss("ŷ", "y", "z_4", np.array(out, float), np.array(y, float), column, scale,
                      residual)


def test_squared_error_writes_the_cmu_loss_and_its_derivative():
    # CMU recitation: ŷ = 7, y = 3 → ℓ = ½(7 − 3)² = 8, ∂ℓ/∂ŷ = ŷ − y = 4
    v = shown([7.0], [3.0])
    assert SquaredError.vector_formula(v) == ("½(ŷ − y)^2", "½(7 − 3)^2")
    assert SquaredError.vector_adjoint(v) == ("ŷ − y", "7 − 3")


def test_squared_error_through_the_error_node_writes_z4():
    # DS 102: z₄ = y − ŷ is its own node, 𝓛 = z₄², ∂𝓛/∂ŷ = −2z₄
    v = shown([1.0], [2.5], Residual.TARGET_MINUS_OUTPUT, scale=1.0)
    assert SquaredError.vector_formula(v) == ("z_4^2", "(1.5)^2")
    assert SquaredError.vector_adjoint(v) == ("−2z_4", "−2 \\cdot 1.5")


def test_several_outputs_use_the_norm_and_the_sheets_orientation():
    v = shown([1.0, 2.0], [0.0, 4.0])
    formula, numbers = SquaredError.vector_formula(v)
    assert (formula, to_unicode(numbers)) == ("½‖ŷ − y‖^2", "½‖[1, −2]‖²")
    assert to_unicode(SquaredError.vector_adjoint(v)[1]) == "[1; 2] − [0; 4]"
    row = shown([1.0, 2.0], [0.0, 4.0], column=False)
    assert to_unicode(SquaredError.vector_adjoint(row)[1]) == "[1, 2] − [0, 4]"


def test_cross_entropy_writes_its_quotient():
    formula, numbers = BinaryCrossEntropy.vector_adjoint(shown([0.25], [1.0], scale=1.0))
    assert formula == "(ŷ − y) / (ŷ \\odot (1 − ŷ))"
    assert numbers == "(0.25 − 1) / (0.25 \\odot (1 − 0.25))"
