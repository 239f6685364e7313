"""The layer trace of a batch: each sample's matrix steps (:mod:`.layer_trace`), then the
batch's averages, the updates of whole tensors and the loss after them."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from .hand import (
    Rounding,
    exact,
    layer_dataset_loss,
    round_dataset,
    round_parameters,
    rounding_for,
)
from .ids import LOSS, WEIGHT, bias_tensor, parse_parameter_tensor, weight_tensor
from .layer_text import (
    gradient_symbol,
    is_column,
    layers_shown,
    parameter_symbol,
    shown_as_column,
    tensor_text,
)
from .layer_trace import _Builder, _tensor_key, sample_layer_steps
from .network import BiasMode, Dataset, Network, Parameters, sample_loss_symbol
from .notation import format_number, loss_after_update, updated
from .sheet_layout import split_display_matrix
from .trace import Key, Phase, Quantity, Step, run_to_end
from .training import apply_update


def build_layer_steps(network: Network, params: Parameters, data: Dataset, *,
                      learning_rate: float | None, frozen: frozenset[str] = frozenset(),
                      input_gradients: bool = False) -> list[Step]:
    """Per-sample matrix steps, the batch average, the update and the loss afterwards."""
    return run_to_end(layer_steps_in_parts(network, params, data, learning_rate=learning_rate,
                                           frozen=frozen, input_gradients=input_gradients))


def layer_steps_in_parts(network: Network, params: Parameters, data: Dataset, *,
                         learning_rate: float | None, frozen: frozenset[str] = frozenset(),
                         input_gradients: bool = False, hand: bool = False
                         ) -> Generator[None, None, list[Step]]:
    """:func:`build_layer_steps` a sample at a time: it pauses (yields) after each sample and
    returns the steps, so a window can trace 64 samples of a large network between events.
    ``hand``: carry the printed, rounded values forward (hand.py)."""
    rounding = rounding_for(hand)
    if hand:
        params, data = round_parameters(params), round_dataset(data)
    single = len(data) == 1
    unread = _unread_gradients(network, frozen)
    layers = layers_shown(network, params)
    # every sample's weight gradients side by side: the average reads them without stacking
    # them first (np.mean of the list would copy them into just such an array)
    stacks = None if single else [np.empty((len(data), *layer.matrix.shape)) for layer in layers]
    steps: list[Step] = []
    for row in range(len(data)):
        steps += sample_layer_steps(network, params, data.inputs[row], data.targets[row],
                                    start=len(steps), sample=None if single else row,
                                    input_gradients=input_gradients, layers=layers,
                                    gradients=None if stacks is None else [g[row] for g in stacks],
                                    rounding=rounding, frozen=unread)
        yield
    tensors, grads = {}, {}  # the tensors with a gradient (a frozen one's is left at 0)
    for n, layer in enumerate(network.layers):
        tensors[weight_tensor(n)] = layers[n].symbols.weight_matrix
        if layer.bias is BiasMode.SEPARATE:
            tensors[bias_tensor(n)] = layers[n].symbols.bias_vector
    for name in unread:
        del tensors[name]
        kind, n = parse_parameter_tensor(name)
        grads[name] = np.zeros_like(layers[n].matrix if kind == WEIGHT else params.biases[n])
    loss_sym, batch_sym = network.notation.loss, network.notation.batch_loss
    mean = network.loss.mean_over_samples
    b = _Builder(len(steps), None)
    if single:
        grads.update({name: next(s.result for s in steps if s.key == Key(Quantity.ADJOINT, name))
                      for name in tensors})
    else:
        gradient_steps: dict[str, list[Step]] = {name: [] for name in tensors}
        loss_steps = []
        for s in steps:  # one pass: a trace over 64 samples has ~700 steps
            if s.phase is Phase.GRADIENT and s.key.node in gradient_steps:
                gradient_steps[s.key.node].append(s)
            elif s.phase is Phase.FORWARD and s.key.node == LOSS:
                loss_steps.append(s)
        losses = [s.result for s in loss_steps]
        factor = f"(1/{len(data)})" if mean else ""
        each = sample_loss_symbol(network.notation.sample_loss, loss_sym, "n")
        b.add(Phase.AVERAGE, Quantity.VALUE, LOSS, batch_sym, f"{factor}Σ_n {each}",
              f"{factor}({' + '.join(format_number(v) for v in losses)})",
              _combine(losses, mean, rounding),
              tuple(s.key for s in loss_steps), "The batch loss.")
        for name, sym in tensors.items():
            per_sample = gradient_steps[name]
            parts = [s.result for s in per_sample]
            kind, layer_index = parse_parameter_tensor(name)
            stacked = stacks[layer_index] if kind == WEIGHT and stacks else parts
            value = _combine(stacked, mean, rounding)
            grads[name] = value
            column = shown_as_column(sym, value) or (
                kind != WEIGHT and is_column(network.layers[layer_index]))
            b.add(Phase.AVERAGE, Quantity.ADJOINT, name, gradient_symbol(network, batch_sym, sym),
                  f"{factor}Σ_n {_sample_gradient(network, loss_sym, sym)}",
                  f"{factor}({' + '.join(tensor_text(p, column) for p in parts)})", value,
                  tuple(s.key for s in per_sample), "Combine the cached per-sample gradients.",
                  column=column)
    if learning_rate is not None:
        target = loss_sym if single else batch_sym
        for n in range(len(network.layers)):
            for name, sym in tensors.items():
                kind, layer_index = parse_parameter_tensor(name)
                if layer_index != n or name in frozen:
                    continue
                weights = kind == WEIGHT
                current = layers[n].matrix if weights else params.biases[n]
                column = shown_as_column(sym, current) or (
                    not weights and is_column(network.layers[n]))
                current_text = (layers[n].matrix_text if weights and not column
                                else tensor_text(current, column))
                b.add(Phase.UPDATE, Quantity.UPDATED, name, updated(parameter_symbol(sym)),
                      f"{parameter_symbol(sym)} − η {gradient_symbol(network, target, sym)}",
                      f"{current_text} − {format_number(learning_rate)} "
                      f"{tensor_text(grads[name], column)}",
                      rounding(current - learning_rate * grads[name]),
                      (_tensor_key(name), (Quantity.ADJOINT, name)),
                      "Gradient descent on the whole tensor.", column=column)
        new_params = apply_update(params, _as_parameters(network, params, grads), learning_rate,
                                  frozen)
        if hand:
            new_params = round_parameters(new_params)
        before = layer_dataset_loss(network, params, data, rounding)
        after = layer_dataset_loss(network, new_params, data, rounding)
        updates = tuple(s.key for s in b.steps if s.phase is Phase.UPDATE)
        b.add(Phase.EVALUATE, Quantity.UPDATED, LOSS, updated(target),
              loss_after_update(target, [parameter_symbol(tensors[n]) for n in tensors
                                         if n not in frozen]),
              format_number(after), after, updates,
              f"The loss after the update is {'lower' if after < before else 'not lower'} "
              f"than before ({format_number(before)}).")
    return steps + b.steps


def _combine(parts, mean: bool, rounding: Rounding):
    """The per-sample values' mean (or sum); on paper, added in order, then rounded."""
    if rounding is exact:
        return np.mean(parts, axis=0) if mean else np.sum(parts, axis=0)
    total = sum(parts[1:], parts[0])
    return rounding(total / len(parts) if mean else total)


def _sample_gradient(network: Network, loss: str, symbol: str) -> str:
    """One sample's gradient in a sum over n: ∂L(xₙ, yₙ)/∂θ with the sheet's sample loss,
    (∂ℓ/∂W)⁽ⁿ⁾ otherwise."""
    template = network.notation.sample_loss
    if template:
        return gradient_symbol(network, sample_loss_symbol(template, loss, "n"), symbol)
    return f"({gradient_symbol(network, loss, symbol)})^{{(n)}}"


def _unread_gradients(network: Network, frozen: frozenset[str]) -> frozenset[str]:
    """The frozen tensors whose gradient nothing reads: a folded layer's matrix holds its
    intercept column, which moves unless its ``bN`` is frozen too."""
    unread = set()
    for n, layer in enumerate(network.layers):
        folded = layer.bias is BiasMode.FOLDED
        if weight_tensor(n) in frozen and (not folded or bias_tensor(n) in frozen):
            unread.add(weight_tensor(n))
        if layer.bias is BiasMode.SEPARATE and bias_tensor(n) in frozen:
            unread.add(bias_tensor(n))
    return frozenset(unread)


def _as_parameters(network: Network, params: Parameters, grads: dict) -> Parameters:
    """Gradients keyed by tensor name (display form) → Parameters shaped like ``params``."""
    weights, biases = [], []
    for n, layer in enumerate(network.layers):
        w, bias = split_display_matrix(layer, grads[weight_tensor(n)])
        if layer.bias is BiasMode.SEPARATE:
            bias = grads[bias_tensor(n)]
        weights.append(w)
        biases.append(None if params.biases[n] is None else bias)
    return Parameters(tuple(weights), tuple(biases))
