"""The trace at layer granularity: the same run in matrix form, one step per layer quantity.

Step node ids name whole layers: ``x``, ``z1`` (pre-activations), ``h1`` (activations),
``W1``, ``b1``, ``r`` (residuals) and ``loss``; results are arrays with their shapes.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np

from .batch import apply_update, dataset_loss, forward, output_adjoint, sample_losses
from .ids import (
    INPUT,
    LOSS,
    TARGET,
    WEIGHT,
    act_tensor,
    bias_tensor,
    parse_parameter_tensor,
    pre_tensor,
    value_tensor,
    weight_tensor,
)
from .network import (
    BiasMode,
    Dataset,
    Layer,
    LayerSymbols,
    LossKind,
    Network,
    Parameters,
    Residual,
    display_matrix,
    layer_symbols,
    split_display_matrix,
)
from .notation import (
    adjoint,
    format_array,
    format_coefficient,
    format_number,
    loss_after_update,
    to_unicode,
    transpose,
    updated,
)
from .trace import Key, Phase, Quantity, Step, run_to_end


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if shape else "1"


class _Builder:
    """Accumulates steps for one sample (or the batch), numbering them as it goes."""

    def __init__(self, start: int, sample: int | None) -> None:
        self.steps: list[Step] = []
        self.start = start
        self.sample = sample

    def add(self, phase: Phase, quantity: Quantity, node: str, lhs: str, formula: str,
            numbers: str, result: np.ndarray, reads: tuple[tuple[Quantity, str] | Key, ...],
            explanation: str, sample: int | str | None = "same") -> Step:
        """``reads`` given as (quantity, node) belong to this step's sample; a Key is kept."""
        sample_id = self.sample if sample == "same" else sample
        if isinstance(result, float):  # a loss (NumPy's float64 is a float too)
            result, shape = float(result), ()
        else:
            # a fresh array is kept as it is (a 784-128-10 trace makes 100,000-entry gradients)
            result = np.array(result, dtype=float, copy=None, order="C")
            result.setflags(write=False)  # a step is an immutable record
            shape = result.shape
            if not shape:
                result = float(result)
        step = Step(
            index=self.start + len(self.steps), phase=phase, key=Key(quantity, node, sample_id),
            lhs=lhs, formula=formula, numbers=numbers, result=result,
            reads=tuple([r if isinstance(r, Key) else Key(r[0], r[1], sample_id) for r in reads]),
            granularity="layer", shape=shape,
            explanation=to_unicode(explanation)  # plain prose: symbols as ∂ℓ/∂z⁽¹⁾, not markup
            + (f" Shape {_shape_text(shape)}." if shape else ""),
        )
        self.steps.append(step)
        return step


def _extended(layer: Layer, vector: np.ndarray) -> np.ndarray:
    """The layer input with the constant 1 of a folded intercept (x̂ = [1, x] or [x, 1])."""
    if layer.bias is not BiasMode.FOLDED:
        return vector
    return np.append(vector, 1.0) if layer.notation.intercept_last else np.insert(vector, 0, 1.0)


def _tensor_key(name: str) -> Key:
    """A parameter tensor is a leaf shared by every sample."""
    return Key(Quantity.VALUE, name, None)


def _value_id(network: Network, n: int) -> str:
    """The step id holding layer n's output (n = 0: the input)."""
    if n == 0:
        return INPUT
    return value_tensor(n - 1, network.layers[n - 1].activation.is_identity)


def _input_names(network: Network, n: int) -> tuple[str, str]:
    """(vector symbol, its intercept-extended symbol) of layer n's input."""
    base = network.notation.input_vector if n == 0 else layer_symbols(network, n - 1).act_vector
    layer = network.layers[n]
    extended = (f"{base}̄" if layer.notation.intercept_last else f"{base}̂")
    return base, extended if layer.bias is BiasMode.FOLDED else base


@dataclass(frozen=True)
class _LayerShown:
    """What every sample's steps show of one layer and its parameters: worked out once per
    trace (a 784×128 matrix is the same in all 64 samples' steps)."""

    symbols: LayerSymbols
    input_names: tuple[str, str]  # see _input_names
    matrix: np.ndarray  # as the sheet writes it (display_matrix)
    matrix_text: str
    bias_text: str  # markup of the separate bias vector, "" without one
    transposed_text: str  # markup of Wᵀ, the backward product's matrix


def _layers_shown(network: Network, params: Parameters) -> tuple[_LayerShown, ...]:
    shown = []
    for n, layer in enumerate(network.layers):
        matrix = display_matrix(layer, params.weights[n], params.biases[n])
        bias = params.biases[n] if layer.bias is BiasMode.SEPARATE else None
        shown.append(_LayerShown(
            layer_symbols(network, n), _input_names(network, n), matrix, format_array(matrix),
            "" if bias is None else format_array(bias), format_array(params.weights[n].T)))
    return tuple(shown)


def _residual_vector(network: Network) -> str:
    """The error vector's symbol: ``z_4`` from the template ``z_4``, ``r`` from ``r_{$k}``."""
    return network.notation.residual.replace("_{$k}", "")


def _output_adjoint_text(network: Network, out_sym: str, y_sym: str, out: np.ndarray,
                         y: np.ndarray) -> tuple[str, str]:
    """∂ℓ/∂ŷ in symbols and numbers: 2s(ŷ − y) for squared error, the BCE quotient otherwise."""
    scale = network.loss.scale(network.output_size)
    out_num, y_num = f"{format_array(out)}^T", f"{format_array(y)}^T"
    residual = network.loss.residual
    if network.loss.kind is LossKind.SQUARED_ERROR and residual is not Residual.NONE:
        # through the error node, as the sheet writes it: ∂𝓛/∂z₃ = 2z₄·(−1) for z₄ = y − z₃
        sign = "−" if residual is Residual.TARGET_MINUS_OUTPUT else ""
        coef = format_coefficient(2 * scale)
        error = y - out if residual is Residual.TARGET_MINUS_OUTPUT else out - y
        return (f"{sign}{coef}{_residual_vector(network)}",
                f"{sign}{coef} {format_array(error)}^T")
    if network.loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        coef = format_coefficient(scale)
        return (f"{coef}({out_sym} − {y_sym}) / ({out_sym} \\odot (1 − {out_sym}))",
                f"{coef}({out_num} − {y_num}) / ({out_num} \\odot (1 − {out_num}))")
    coef = format_coefficient(2 * scale)
    if not coef:
        return f"{out_sym} − {y_sym}", f"{out_num} − {y_num}"
    return f"{coef}({out_sym} − {y_sym})", f"{coef}({out_num} − {y_num})"


def sample_layer_steps(network: Network, params: Parameters, x: np.ndarray, y: np.ndarray,
                       *, start: int, sample: int | None, input_gradients: bool,
                       layers: tuple[_LayerShown, ...] | None = None,
                       gradients: Sequence[np.ndarray] | None = None) -> list[Step]:
    """One sample's forward and backward steps.

    ``layers`` (from :func:`_layers_shown` of the same parameters) saves working out the
    parameters' markup again for every sample; ``gradients[n]``, if given, is where layer n's
    weight gradient is written (a row of the stack the batch average reads).
    """
    if layers is None:
        layers = _layers_shown(network, params)
    cache = forward(network, params, x[None, :])
    b = _Builder(start, sample)
    prev_id = INPUT
    inputs: list[tuple[np.ndarray, str]] = []  # each layer's input and its markup
    for n, layer in enumerate(network.layers):
        shown = layers[n]
        syms = shown.symbols
        vec, ext = shown.input_names
        inp = _extended(layer, cache.act[n][0])
        inputs.append((inp, format_array(inp)))
        matrix = shown.matrix
        w_sym = syms.weight_matrix
        reads = [(Quantity.VALUE, prev_id), _tensor_key(weight_tensor(n))]
        if layer.bias is BiasMode.SEPARATE:
            reads.append(_tensor_key(bias_tensor(n)))
        if layer.notation.transposed:  # row-vector convention: pre = x̄ w
            formula, numbers = f"{ext} {w_sym}", f"{inputs[n][1]} {shown.matrix_text}"
        else:
            formula, numbers = f"{w_sym} {ext}", f"{shown.matrix_text} {inputs[n][1]}^T"
        if layer.bias is BiasMode.SEPARATE:
            formula += f" + {syms.bias_vector}"
            numbers += f" + {shown.bias_text}^T"
        pre_name = pre_tensor(n)
        identity = layer.activation.is_identity
        lhs = syms.act_vector if identity else syms.pre_vector
        b.add(Phase.FORWARD, Quantity.VALUE, pre_name, lhs, formula, numbers, cache.pre[n][0],
              tuple(reads), f"Layer {n + 1}: one matrix product gives every pre-activation "
              f"({_shape_text(matrix.shape)} matrix).")
        prev_id = pre_name
        if not identity:
            act = layer.activation.display
            b.add(Phase.FORWARD, Quantity.VALUE, act_tensor(n), syms.act_vector,
                  f"{act}({syms.pre_vector})", f"{act}({format_array(cache.pre[n][0])}^T)",
                  cache.act[n + 1][0], ((Quantity.VALUE, pre_name),),
                  f"Layer {n + 1}: the activation applies element-wise.")
            prev_id = act_tensor(n)
    out = cache.output[0]
    # the error as the notation writes it: r = y − ŷ for a target-minus-output residual
    error = y - out if network.loss.residual is Residual.TARGET_MINUS_OUTPUT else out - y
    loss_value = float(sample_losses(network, cache.output, y[None, :])[0])
    loss_sym = network.notation.loss
    out_sym = layers[-1].symbols.act_vector
    y_sym = network.notation.target_vector
    scale = network.loss.scale(network.output_size)
    half = format_coefficient(scale)
    if network.loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        formula = f"−{half}Σ[{y_sym} log {out_sym} + (1 − {y_sym}) log(1 − {out_sym})]"
    elif network.loss.residual is not Residual.NONE:
        error_sym = (f"{y_sym} − {out_sym}" if network.loss.residual is
                     Residual.TARGET_MINUS_OUTPUT else f"{out_sym} − {y_sym}")
        formula = f"{half}‖{_residual_vector(network)}‖^2 = {half}‖{error_sym}‖^2"
    else:
        formula = f"{half}‖{out_sym} − {y_sym}‖^2"
    b.add(Phase.FORWARD, Quantity.VALUE, LOSS, loss_sym, formula,
          f"{half}‖{format_array(error)}‖^2" if network.loss.kind is LossKind.SQUARED_ERROR
          else formula, loss_value, ((Quantity.VALUE, prev_id), (Quantity.VALUE, TARGET)),
          "The loss of this sample.")
    # backward
    delta = output_adjoint(network, cache.output, y[None, :])[0]
    start_formula, start_numbers = _output_adjoint_text(network, out_sym, y_sym, out, y)
    b.add(Phase.BACKWARD, Quantity.ADJOINT, prev_id, adjoint(loss_sym, out_sym),
          start_formula, start_numbers, delta,
          ((Quantity.VALUE, prev_id), (Quantity.VALUE, TARGET)),
          "Start of the backward pass: the loss's derivative with respect to the output.")
    for n in range(len(network.layers) - 1, -1, -1):
        layer = network.layers[n]
        syms = layers[n].symbols
        pre_name, act_name = pre_tensor(n), act_tensor(n)
        if not layer.activation.is_identity:
            local = layer.activation.derivative(cache.pre[n][0], cache.act[n + 1][0])
            upstream_act, delta = delta, delta * local
            b.add(Phase.BACKWARD, Quantity.ADJOINT, pre_name, adjoint(loss_sym, syms.pre_vector),
                  f"{adjoint(loss_sym, syms.act_vector)} \\odot "
                  f"{layer.activation.display}′({syms.pre_vector})",
                  f"{format_array(upstream_act)}^T \\odot {format_array(local)}^T", delta,
                  ((Quantity.ADJOINT, act_name), (Quantity.VALUE, pre_name)),
                  f"Reuses the cached {adjoint(loss_sym, syms.act_vector)}; multiplies "
                  "element-wise by the local derivative.")
        vec, ext = layers[n].input_names
        inp, inp_text = inputs[n]
        delta_text = format_array(delta)
        if gradients is None:
            grad = np.outer(delta, inp)
            full = grad.T if layer.notation.transposed else grad
        else:
            full = gradients[n]
            np.outer(delta, inp, out=full.T if layer.notation.transposed else full)
        if layer.notation.transposed:
            w_formula = f"{transpose(ext)} {adjoint(loss_sym, syms.pre_vector)}"
        else:
            w_formula = f"{adjoint(loss_sym, syms.pre_vector)} {transpose(ext)}"
        b.add(Phase.GRADIENT, Quantity.ADJOINT, weight_tensor(n),
              adjoint(loss_sym, syms.weight_matrix),
              w_formula, f"{delta_text}^T {inp_text}", full,
              ((Quantity.ADJOINT, pre_name), (Quantity.VALUE, _value_id(network, n))),
              f"Reuses the cached {adjoint(loss_sym, syms.pre_vector)}: an outer product with "
              "the layer's input.")
        if layer.bias is BiasMode.SEPARATE:
            b.add(Phase.GRADIENT, Quantity.ADJOINT, bias_tensor(n),
                  adjoint(loss_sym, syms.bias_vector), adjoint(loss_sym, syms.pre_vector),
                  delta_text, delta, ((Quantity.ADJOINT, pre_name),),
                  "The bias gradient is the cached pre-activation adjoint itself.")
        if n == 0 and not input_gradients:
            break
        upstream = delta @ params.weights[n]
        below = _value_id(network, n)
        below_sym = layers[n - 1].symbols.act_vector if n else vec
        hat = "̂" if layer.bias is BiasMode.FOLDED else ""
        w_t = transpose(syms.weight_matrix[0] + hat + syms.weight_matrix[1:])
        b.add(Phase.BACKWARD, Quantity.ADJOINT, below, adjoint(loss_sym, below_sym),
              f"{w_t} {adjoint(loss_sym, syms.pre_vector)}",
              f"{layers[n].transposed_text} {delta_text}^T", upstream,
              ((Quantity.ADJOINT, pre_name),),
              "Reuses the cached adjoint of the layer above (intercept column dropped)."
              if hat else "Reuses the cached adjoint of the layer above.")
        delta = upstream
    return b.steps


def build_layer_steps(network: Network, params: Parameters, data: Dataset, *,
                      learning_rate: float | None, frozen: frozenset[str] = frozenset(),
                      input_gradients: bool = False) -> list[Step]:
    """Per-sample matrix steps, the batch average, the update and the loss afterwards."""
    return run_to_end(layer_steps_in_parts(network, params, data, learning_rate=learning_rate,
                                           frozen=frozen, input_gradients=input_gradients))


def layer_steps_in_parts(network: Network, params: Parameters, data: Dataset, *,
                         learning_rate: float | None, frozen: frozenset[str] = frozenset(),
                         input_gradients: bool = False) -> Generator[None, None, list[Step]]:
    """:func:`build_layer_steps` a sample at a time: it pauses (yields) after each sample and
    returns the steps, so a window can trace 64 samples of a large network between events."""
    single = len(data) == 1
    layers = _layers_shown(network, params)
    # every sample's weight gradients side by side: the average reads them without stacking
    # them first (np.mean of the list would copy them into just such an array)
    stacks = None if single else [np.empty((len(data), *layer.matrix.shape)) for layer in layers]
    steps: list[Step] = []
    for row in range(len(data)):
        steps += sample_layer_steps(network, params, data.inputs[row], data.targets[row],
                                    start=len(steps), sample=None if single else row,
                                    input_gradients=input_gradients, layers=layers,
                                    gradients=None if stacks is None else [g[row] for g in stacks])
        yield
    tensors = {}
    for n, layer in enumerate(network.layers):
        tensors[weight_tensor(n)] = layers[n].symbols.weight_matrix
        if layer.bias is BiasMode.SEPARATE:
            tensors[bias_tensor(n)] = layers[n].symbols.bias_vector
    loss_sym, batch_sym = network.notation.loss, network.notation.batch_loss
    mean = network.loss.mean_over_samples
    b = _Builder(len(steps), None)
    grads = {}
    if single:
        grads = {name: next(s.result for s in steps if s.key == Key(Quantity.ADJOINT, name))
                 for name in tensors}
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
        b.add(Phase.AVERAGE, Quantity.VALUE, LOSS, batch_sym,
              f"{factor}Σ_n {loss_sym}^{{(n)}}",
              f"{factor}({' + '.join(format_number(v) for v in losses)})",
              np.mean(losses) if mean else np.sum(losses),
              tuple(s.key for s in loss_steps), "The batch loss.")
        for name, sym in tensors.items():
            per_sample = gradient_steps[name]
            parts = [s.result for s in per_sample]
            kind, layer_index = parse_parameter_tensor(name)
            stacked = stacks[layer_index] if kind == WEIGHT and stacks else parts
            value = np.mean(stacked, axis=0) if mean else np.sum(stacked, axis=0)
            grads[name] = value
            b.add(Phase.AVERAGE, Quantity.ADJOINT, name, adjoint(batch_sym, sym),
                  f"{factor}Σ_n {adjoint(loss_sym, sym)}^{{(n)}}",
                  f"{factor}({' + '.join(format_array(p) for p in parts)})", value,
                  tuple(s.key for s in per_sample), "Combine the cached per-sample gradients.")
    if learning_rate is not None:
        target = loss_sym if single else batch_sym
        for n in range(len(network.layers)):
            for name, sym in tensors.items():
                kind, layer_index = parse_parameter_tensor(name)
                if layer_index != n or name in frozen:
                    continue
                weights = kind == WEIGHT
                current = layers[n].matrix if weights else params.biases[n]
                current_text = layers[n].matrix_text if weights else layers[n].bias_text
                b.add(Phase.UPDATE, Quantity.UPDATED, name, updated(sym),
                      f"{sym} − η {adjoint(target, sym)}",
                      f"{current_text} − {format_number(learning_rate)} "
                      f"{format_array(grads[name])}", current - learning_rate * grads[name],
                      (_tensor_key(name), (Quantity.ADJOINT, name)),
                      "Gradient descent on the whole tensor.")
        new_params = apply_update(params, _as_parameters(network, params, grads), learning_rate,
                                  frozen)
        before = dataset_loss(network, params, data)
        after = dataset_loss(network, new_params, data)
        updates = tuple(s.key for s in b.steps if s.phase is Phase.UPDATE)
        b.add(Phase.EVALUATE, Quantity.UPDATED, LOSS, updated(target),
              loss_after_update(target, [tensors[n] for n in tensors if n not in frozen]),
              format_number(after), after, updates,
              f"The loss after the update is {'lower' if after < before else 'not lower'} "
              f"than before ({format_number(before)}).")
    return steps + b.steps


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
