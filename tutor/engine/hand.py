"""Hand calculation: carry the printed, rounded values forward, as a student does on paper.

In the exact mode (the default) every step is computed from unrounded values and only the
printing rounds, so a student recomputing ``2 · (−1.34828)`` from the printed operands may get
a different last digit than the printed ``−2.69657``.  In hand mode every quantity a step
prints is rounded to the printed precision *before* later steps use it: parameters, inputs,
each result and each printed intermediate (a local derivative written as a number).  Then
every printed result is what its printed operands give, rounded to the printed precision.

The printed precision is :func:`~tutor.engine.notation.format_number`'s: 6 significant
digits, more beside ±1 where a saturated σ would otherwise print as 1.  Rounding is
half away from zero on the number's shortest decimal form (``2.69657 · 0.5 = 1.348285`` gives
``1.34829``, as on paper), not on its binary value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from .batch import dataset_loss, forward_tensors
from .losses import output_adjoint, sample_losses
from .network import Dataset, LossKind, Network, Parameters, Residual
from .notation import printed_digits, snaps_to_whole

Rounding = Callable[[np.ndarray], np.ndarray]

EXACT_SENTENCE = ("Exact calculation: every result is computed from unrounded values and printed "
                  "to 6 significant digits, so a result recomputed from the printed numbers can "
                  "differ in its last digit.")
HAND_SENTENCE = ("Hand calculation: every printed value is rounded to 6 significant digits "
                 "before the next step uses it, so each result is exactly what its printed "
                 "numbers give.")


def hand_round(value: float) -> float:
    """``value`` at the printed precision, rounded half away from zero as on paper."""
    value = float(value)
    if not math.isfinite(value) or value == 0:
        return value
    if snaps_to_whole(value):
        return float(round(value))  # format_number prints 6.9999999999 as 7
    exact = Decimal(repr(value))  # the shortest decimal that is this float
    digits = printed_digits(value)
    quantum = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    return float(exact.quantize(quantum, rounding=ROUND_HALF_UP))


_hand_array = np.frompyfunc(hand_round, 1, 1)


def round_values(values: np.ndarray | float) -> np.ndarray | float:
    """:func:`hand_round` of a number or, entry by entry, of an array (a new array)."""
    if np.ndim(values) == 0:
        return hand_round(float(values))
    return np.asarray(_hand_array(np.asarray(values, dtype=float)), dtype=float)


def exact(values: np.ndarray | float) -> np.ndarray | float:
    """The exact mode's "rounding": none."""
    return values


def rounding_for(hand: bool) -> Rounding:
    return round_values if hand else exact


def round_parameters(params: Parameters) -> Parameters:
    """The parameters as printed: the values a student starts from."""
    return Parameters(tuple(round_values(w) for w in params.weights),
                      tuple(None if b is None else round_values(b) for b in params.biases))


def round_dataset(data: Dataset) -> Dataset:
    return Dataset(round_values(data.inputs), round_values(data.targets))


def mode_sentence(hand: bool) -> str:
    """One sentence for a key or a printout: which calculation its numbers follow."""
    return HAND_SENTENCE if hand else EXACT_SENTENCE


# --------------------------------------------------------------------------- the layer trace

def layer_loss(network: Network, out: np.ndarray, y: np.ndarray, rounding: Rounding) -> float:
    """One sample's loss as the layer trace prints it: from the printed error vector where the
    step shows one (½‖r‖², z₄²), else from the printed output and target (½(7 − 3)²)."""
    loss = network.loss
    shows_error = loss.kind is LossKind.SQUARED_ERROR and (
        network.output_size > 1 or loss.residual is not Residual.NONE)
    if not shows_error or rounding is exact:  # the exact mode: the losses table as it is
        return float(rounding(float(sample_losses(network, out[None, :], y[None, :])[0])))
    error = rounding(y - out if loss.residual is Residual.TARGET_MINUS_OUTPUT else out - y)
    return float(rounding(loss.scale(network.output_size) * float(np.sum(error ** 2))))


def layer_output_adjoint(network: Network, out: np.ndarray, y: np.ndarray,
                         rounding: Rounding) -> np.ndarray:
    """∂ℓ/∂output as the layer trace prints it; through an error node, from its printed value
    (2 · (−1.34828)) and that step's printed result."""
    loss = network.loss
    if (loss.kind is not LossKind.SQUARED_ERROR or loss.residual is Residual.NONE
            or rounding is exact):
        return rounding(output_adjoint(network, out[None, :], y[None, :])[0])
    flip = loss.residual is Residual.TARGET_MINUS_OUTPUT
    error = rounding(y - out if flip else out - y)
    error_adjoint = rounding(2 * loss.scale(network.output_size) * error)
    return -error_adjoint if flip else error_adjoint


def layer_dataset_loss(network: Network, params: Parameters, data: Dataset,
                       rounding: Rounding) -> float:
    """The loss over ``data`` computed as the layer trace's steps would print it."""
    if rounding is exact:
        return dataset_loss(network, params, data)
    outputs = forward_tensors(network, params.weights, params.biases, data.inputs,
                              rounding).output
    losses = [layer_loss(network, o, y, rounding) for o, y in zip(outputs, data.targets,
                                                                 strict=True)]
    total = sum(losses[1:], losses[0])
    return float(rounding(total / len(losses) if network.loss.mean_over_samples else total))
