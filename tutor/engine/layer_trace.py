"""The trace at layer granularity: the same run in matrix form, one step per layer quantity.

Step node ids name whole layers: ``x``, ``z1`` (pre-activations), ``h1`` (activations),
``W1``, ``b1``, ``r`` (residuals) and ``loss``; results are arrays with their shapes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .batch import forward_tensors
from .closed_form import checked_form, vector_numbers
from .hand import (
    Rounding,
    exact,
    layer_loss,
    layer_output_adjoint,
)
from .ids import (
    INPUT,
    LOSS,
    RESIDUAL,
    TARGET,
    act_tensor,
    bias_tensor,
    pre_tensor,
    value_tensor,
    weight_tensor,
)
from .layer_text import (
    LayerShown,
    activation_symbol,
    bias_free_note,
    bias_free_symbol,
    derivative_symbol,
    error_symbol,
    extended_note,
    gradient_symbol,
    is_column,
    jacobian_note,
    layers_shown,
    loss_text,
    output_adjoint_text,
    pre_adjoint,
    pre_adjoint_lhs,
    shown_as_column,
)
from .network import (
    BiasMode,
    Network,
    Parameters,
    Residual,
    sample_loss_symbol,
)
from .notation import (
    adjoint,
    format_coefficient,
    to_unicode,
    transpose,
)
from .sheet_layout import extended_input
from .trace import Key, Phase, Quantity, Step
from .vector_text import factor_text, vector_text


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
            explanation: str, sample: int | str | None = "same", column: bool = False) -> Step:
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
            column = column or shape == (1,)  # a one-entry vector reads as the number it is
        step = Step(
            index=self.start + len(self.steps), phase=phase, key=Key(quantity, node, sample_id),
            lhs=lhs, formula=formula, numbers=numbers, result=result,
            reads=tuple([r if isinstance(r, Key) else Key(r[0], r[1], sample_id) for r in reads]),
            granularity="layer", shape=shape, column=column,
            explanation=to_unicode(explanation)  # plain prose: symbols as ∂ℓ/∂z⁽¹⁾, not markup
            + (f" Shape {_shape_text(shape)}." if shape else ""),
        )
        self.steps.append(step)
        return step


def _tensor_key(name: str) -> Key:
    """A parameter tensor is a leaf shared by every sample."""
    return Key(Quantity.VALUE, name, None)


def _value_id(network: Network, n: int) -> str:
    """The step id holding layer n's output (n = 0: the input)."""
    if n == 0:
        return INPUT
    return value_tensor(n - 1, network.layers[n - 1].activation.is_identity)


def _weight_gradient_text(col: bool, delta: np.ndarray, delta_sym: str, ext: str,
                          inp: np.ndarray) -> tuple[str, str]:
    """∂ℓ/∂W = δ x̂ᵀ (a column times a row), or with row vectors the gradient ∇_w l = x̄ᵀ δ,
    the transpose of the Jacobian δᵀ x̄ (a one-entry δ first either way)."""
    if col or delta.size == 1:
        return (f"{delta_sym} {transpose(ext)}",
                f"{factor_text(delta, col)} {factor_text(inp, not col)}")
    return (f"{transpose(ext)} {delta_sym}",
            f"{vector_text(inp, True)} {factor_text(delta, False)}")


def sample_layer_steps(network: Network, params: Parameters, x: np.ndarray, y: np.ndarray,
                       *, start: int, sample: int | None, input_gradients: bool,
                       layers: tuple[LayerShown, ...] | None = None,
                       gradients: Sequence[np.ndarray] | None = None,
                       rounding: Rounding = exact,
                       frozen: frozenset[str] = frozenset()) -> list[Step]:
    """One sample's forward and backward steps, each vector oriented as the sheet writes it.

    ``layers`` (from :func:`layers_shown` of the same parameters) saves working out the
    parameters' markup again for every sample; ``gradients[n]``, if given, is where layer n's
    weight gradient is written (a row of the stack the batch average reads); ``rounding``
    (hand.py) rounds each printed quantity before a later step reads it. A ``frozen`` tensor
    gets no gradient step: nothing reads it.
    """
    if layers is None:
        layers = layers_shown(network, params)
    cache = forward_tensors(network, params.weights, params.biases, x[None, :],
                            None if rounding is exact else rounding)
    b = _Builder(start, sample)
    prev_id = INPUT
    inputs: list[np.ndarray] = []  # each layer's input, the intercept's 1 included
    for n, layer in enumerate(network.layers):
        shown = layers[n]
        syms = shown.symbols
        col = is_column(layer)
        vec, ext = shown.input_names
        inp = extended_input(layer, cache.act[n][0])
        inputs.append(inp)
        w_sym = syms.weight_matrix
        reads = [(Quantity.VALUE, prev_id), _tensor_key(weight_tensor(n))]
        if layer.bias is BiasMode.SEPARATE:
            reads.append(_tensor_key(bias_tensor(n)))
        if col:
            formula, numbers = f"{w_sym} {ext}", f"{shown.matrix_text} {factor_text(inp, True)}"
        else:  # row vectors: pre = x̄ w
            formula, numbers = f"{ext} {w_sym}", f"{vector_text(inp, False)} {shown.matrix_text}"
        if layer.bias is BiasMode.SEPARATE:
            formula += f" + {syms.bias_vector}"
            numbers += f" + {factor_text(params.biases[n], col)}"
        pre_name = pre_tensor(n)
        identity = layer.activation.is_identity
        lhs = syms.act_vector if identity else syms.pre_vector
        b.add(Phase.FORWARD, Quantity.VALUE, pre_name, lhs, formula, numbers, cache.pre[n][0],
              tuple(reads), f"Layer {n + 1}: one matrix product gives every pre-activation "
              f"({_shape_text(shown.matrix.shape)} matrix)." + extended_note(layer, vec, ext),
              column=col)
        prev_id = pre_name
        if not identity:
            g = activation_symbol(layer)
            b.add(Phase.FORWARD, Quantity.VALUE, act_tensor(n), syms.act_vector,
                  f"{g}({syms.pre_vector})", f"{g}({vector_text(cache.pre[n][0], col)})",
                  cache.act[n + 1][0], ((Quantity.VALUE, pre_name),),
                  f"Layer {n + 1}: the activation applies element-wise.", column=col)
            prev_id = act_tensor(n)
    out = cache.output[0]
    loss_sym = network.notation.loss
    out_sym = layers[-1].symbols.act_vector
    out_col = is_column(network.layers[-1])
    last = len(network.layers) - 1
    flip = network.loss.residual is Residual.TARGET_MINUS_OUTPUT
    if network.loss.residual is not Residual.NONE:  # the error as its own node (DS 102's z₄)
        y_sym = network.notation.target_vector
        b.add(Phase.FORWARD, Quantity.VALUE, RESIDUAL, error_symbol(network),
              f"{y_sym} − {out_sym}" if flip else f"{out_sym} − {y_sym}",
              f"{vector_text(y, out_col)} − {factor_text(out, out_col)}" if flip
              else f"{vector_text(out, out_col)} − {factor_text(y, out_col)}",
              rounding(y - out if flip else out - y),
              ((Quantity.VALUE, prev_id), (Quantity.VALUE, TARGET)),
              "The error, as its own node.", column=out_col)
    formula, numbers = loss_text(network, out_sym, out, y)
    loss_value = layer_loss(network, out, y, rounding)
    sample_loss = network.notation.sample_loss  # INF264's L(x₁, y₁) for sample 1
    b.add(Phase.FORWARD, Quantity.VALUE, LOSS,
          sample_loss_symbol(sample_loss, loss_sym, sample + 1) if sample_loss and
          sample is not None else loss_sym, formula, numbers, loss_value,
          ((Quantity.VALUE, prev_id), (Quantity.VALUE, TARGET)), "The loss of this sample.")
    # backward
    delta = layer_output_adjoint(network, out, y, rounding)
    if network.loss.residual is not Residual.NONE:
        error_sym = error_symbol(network)
        coef = format_coefficient(2 * network.loss.scale(network.output_size))
        error = y - out if flip else out - y
        b.add(Phase.BACKWARD, Quantity.ADJOINT, RESIDUAL, adjoint(loss_sym, error_sym),
              f"{coef}{error_sym}", f"{coef} \\cdot {factor_text(error, out_col)}",
              -delta if flip else delta, ((Quantity.VALUE, RESIDUAL),),
              "Start of the backward pass: the loss's derivative with respect to the error.",
              column=out_col)
    start_formula, start_numbers = output_adjoint_text(network, out_sym, out, y, out_col)
    identity_out = network.layers[-1].activation.is_identity
    start_lhs = (pre_adjoint_lhs(network, last, layers[-1].symbols) if identity_out
                 else adjoint(loss_sym, out_sym))
    b.add(Phase.BACKWARD, Quantity.ADJOINT, prev_id, start_lhs, start_formula, start_numbers,
          delta, ((Quantity.VALUE, prev_id), (Quantity.VALUE, TARGET)),
          "Through the error node: z = y − ŷ gives ∂z/∂ŷ = −1."
          if network.loss.residual is not Residual.NONE else
          "Start of the backward pass: the loss's derivative with respect to the output.",
          column=out_col)
    upstream_sym = adjoint(loss_sym, out_sym)  # how the next step names the cached adjoint
    if identity_out:
        upstream_sym = pre_adjoint(network, last, layers[-1].symbols)
    for n in range(last, -1, -1):
        layer = network.layers[n]
        syms = layers[n].symbols
        col = is_column(layer)
        pre_name, act_name = pre_tensor(n), act_tensor(n)
        if not layer.activation.is_identity:
            local = rounding(layer.activation.derivative(cache.pre[n][0], cache.act[n + 1][0]))
            upstream_act, delta = delta, rounding(delta * local)
            times = "\\cdot" if layer.size == 1 else "\\odot"  # ⊙ only between vectors
            b.add(Phase.BACKWARD, Quantity.ADJOINT, pre_name, pre_adjoint_lhs(network, n, syms),
                  f"{upstream_sym} {times} {derivative_symbol(layer, syms.pre_vector)}",
                  f"{factor_text(upstream_act, col)} {times} {factor_text(local, col)}", delta,
                  ((Quantity.ADJOINT, act_name), (Quantity.VALUE, pre_name)),
                  f"Reuses the cached {upstream_sym}; multiplies element-wise by the local "
                  "derivative.", column=col)
        delta_sym = pre_adjoint(network, n, syms)
        vec, ext = layers[n].input_names
        inp = inputs[n]
        if gradients is None:
            grad = rounding(np.outer(delta, inp))
            full = grad.T if layer.notation.transposed else grad
        else:
            full = gradients[n]
            np.outer(delta, inp, out=full.T if layer.notation.transposed else full)
            if rounding is not exact:
                full[...] = rounding(full)
        if weight_tensor(n) not in frozen:
            w_formula, w_numbers = _weight_gradient_text(col, delta, delta_sym, ext, inp)
            form, note = layer.notation.gradient_form, ""
            if form:  # the sheet's answer, its numbers put in (only if they give the result)
                shown = checked_form(form, vector_numbers(
                    network, layers, x, y, [p[0] for p in cache.pre],
                    [a[0] for a in cache.act[1:]]), full)
                if shown is None:
                    note = f" The file's closed form {to_unicode(form)} does not give it here."
                else:
                    w_formula, w_numbers = f"{w_formula} = {form}", shown
            b.add(Phase.GRADIENT, Quantity.ADJOINT, weight_tensor(n),
                  gradient_symbol(network, loss_sym, syms.weight_matrix), w_formula, w_numbers,
                  full, ((Quantity.ADJOINT, pre_name), (Quantity.VALUE, _value_id(network, n))),
                  f"Reuses the cached {delta_sym}: an outer product with the layer's input."
                  + jacobian_note(network, loss_sym, syms.weight_matrix, delta_sym, ext, col)
                  + note, column=shown_as_column(syms.weight_matrix, full))
        if layer.bias is BiasMode.SEPARATE and bias_tensor(n) not in frozen:
            b.add(Phase.GRADIENT, Quantity.ADJOINT, bias_tensor(n),
                  gradient_symbol(network, loss_sym, syms.bias_vector), delta_sym,
                  vector_text(delta, col), delta, ((Quantity.ADJOINT, pre_name),),
                  "The bias gradient is the cached pre-activation adjoint itself.", column=col)
        if n == 0 and not input_gradients:
            break
        upstream = rounding(delta @ params.weights[n])
        below = _value_id(network, n)
        below_sym = layers[n - 1].symbols.act_vector if n else vec
        free = bias_free_symbol(layer, syms)
        if col:  # ∂ℓ/∂h = W̃ᵀ δ (a scalar δ first: δ · w, as INF264 writes δ_ŷ · w₃)
            if params.weights[n].size == 1:
                formula = f"{delta_sym} \\cdot {free}"
                numbers = f"{factor_text(delta, True)} \\cdot {layers[n].backward_text}"
            else:
                formula = f"{transpose(free)} {delta_sym}"
                numbers = f"{layers[n].backward_text} {factor_text(delta, True)}"
        else:  # Jacobians are rows: ∂l/∂h = ∂l/∂pre_y θ̃
            formula = f"{delta_sym} {free}"
            numbers = f"{factor_text(delta, False)} {layers[n].backward_text}"
        b.add(Phase.BACKWARD, Quantity.ADJOINT, below, adjoint(loss_sym, below_sym), formula,
              numbers, upstream, ((Quantity.ADJOINT, pre_name),),
              "Reuses the cached adjoint of the layer above." + bias_free_note(layer, syms),
              column=is_column(network.layers[n - 1]) if n else col)
        upstream_sym = adjoint(loss_sym, below_sym)
        delta = upstream
    return b.steps
