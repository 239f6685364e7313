"""How the layer trace writes its steps in each sheet's own notation.

The numbers come from :mod:`batch`; this module only decides how they read: which vectors are
columns (``W x̂``, CMU, DS 102, INF264) and which are rows (FTML's ``x̄ w_h``), the symbols a sheet
gives its activation (INF264's g), its weights without the intercept (CMU's β̂, FTML's
θ̃ = θ[:-1]ᵀ) and its adjoints (INF264's δ_h), and whether a parameter's derivative is written
in the parameter's shape (∂ℓ/∂W) or, as FTML insists, as the gradient ∇_θ l, the transpose of
the Jacobian ∂l/∂θ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import VectorLoss, loss_forms
from .network import (
    BiasMode,
    Layer,
    LayerSymbols,
    Network,
    Parameters,
    layer_symbols,
)
from .notation import adjoint, format_array, instantiate
from .sheet_layout import display_matrix
from .vector_text import vector_text

TILDE = "\u0303"


def is_column(layer: Layer) -> bool:
    """Column vectors (W x̂) unless the sheet stores inputs as rows (FTML: pre_h = x̄ w_h)."""
    return not layer.notation.transposed


def activation_symbol(layer: Layer) -> str:
    """``g`` where the sheet names the activation so (INF264), else its own name (σ, ReLU)."""
    return layer.notation.activation_symbol or layer.activation.display


def derivative_symbol(layer: Layer, argument: str) -> str:
    """``g′(z)``; with parentheses, so a product reads 3·(1 − t²), never 3 · 1 − t²."""
    return f"{activation_symbol(layer)}′({argument})"


def bias_free_symbol(layer: Layer, symbols: LayerSymbols) -> str:
    """The weights without the intercept, in the layer's (out, in) shape as the sheet uses it in
    the backward product: CMU's β̂, FTML's θ̃ = θ[:-1]ᵀ, W̃ by default (the accent on the first
    letter, so W̃⁽²⁾ has no stray mark after its superscript)."""
    if layer.bias is not BiasMode.FOLDED:
        return symbols.weight_matrix
    if layer.notation.bias_free:
        return layer.notation.bias_free
    name = symbols.weight_matrix
    return name[0] + TILDE + name[1:]


def bias_free_note(layer: Layer, symbols: LayerSymbols) -> str:
    """One sentence saying what the bias-free symbol is."""
    if layer.bias is not BiasMode.FOLDED:
        return ""
    free, full = bias_free_symbol(layer, symbols), symbols.weight_matrix
    if layer.notation.transposed:
        last = "last" if layer.notation.intercept_last else "first"
        return f" {free} is {full} without its {last} row (the intercept's), transposed."
    side = "last" if layer.notation.intercept_last else "first"
    return f" {free} is {full} without its {side} column (the intercept's weights)."


def extended_note(layer: Layer, base: str, extended: str) -> str:
    """Explains x̄ or x̂: the input with the intercept's constant 1."""
    if layer.bias is not BiasMode.FOLDED:
        return ""
    where = f"({base}, 1)" if layer.notation.intercept_last else f"(1, {base})"
    return f" {extended} = {where}: the input with the constant 1 the intercept multiplies."


def pre_adjoint(network: Network, n: int, symbols: LayerSymbols) -> str:
    """The adjoint of layer n's pre-activation as later steps name it: δ_h, or ∂ℓ/∂z."""
    name = network.layers[n].notation.pre_adjoint
    return name or adjoint(network.notation.loss, symbols.pre_vector)


def pre_adjoint_lhs(network: Network, n: int, symbols: LayerSymbols) -> str:
    """The step that first computes it says both: ``δ_h = ∂L/∂z``."""
    full = adjoint(network.notation.loss, symbols.pre_vector)
    name = network.layers[n].notation.pre_adjoint
    return f"{name} = {full}" if name else full


def parameter_symbol(symbol: str) -> str:
    """The parameter a sheet differentiates by: b for a layer it writes bᵀz (DS 102)."""
    return symbol.removesuffix("^T")


def shown_as_column(symbol: str, result: np.ndarray) -> bool:
    """A 1×n weight row the sheet names bᵀ is a column b in its derivative and update."""
    return symbol.endswith("^T") and np.ndim(result) == 2 and np.shape(result)[0] == 1


def gradient_symbol(network: Network, loss: str, symbol: str) -> str:
    """∂ℓ/∂W in W's own shape, or the sheet's gradient template (FTML: ∇_θ l)."""
    template = network.notation.gradient
    if not template:
        return adjoint(loss, parameter_symbol(symbol))
    return instantiate(template, s=symbol, l=loss)


def error_symbol(network: Network) -> str:
    """The error vector's symbol: ``z_4`` from the template ``z_4``, ``r`` from ``r_{$k}``."""
    return network.notation.residual.replace("_{$k}", "")


def vector_loss(network: Network, out_sym: str, out: np.ndarray, y: np.ndarray,
                column: bool = True) -> VectorLoss:
    """The loss's operands as one sample's layer steps show them."""
    return VectorLoss(out_sym, network.notation.target_vector, error_symbol(network), out, y,
                      column, network.loss.scale(network.output_size), network.loss.residual)


def loss_text(network: Network, out_sym: str, out: np.ndarray, y: np.ndarray) -> tuple[str, str]:
    """The loss in symbols and numbers, as the loss's own class writes it for vectors."""
    return loss_forms(network).vector_formula(vector_loss(network, out_sym, out, y))


def output_adjoint_text(network: Network, out_sym: str, out: np.ndarray, y: np.ndarray,
                        column: bool) -> tuple[str, str]:
    """∂ℓ/∂ŷ in symbols and numbers, as the loss's own class writes it for vectors."""
    return loss_forms(network).vector_adjoint(vector_loss(network, out_sym, out, y, column))


def input_names(network: Network, n: int) -> tuple[str, str]:
    """(vector symbol, its intercept-extended symbol) of layer n's input."""
    base = network.notation.input_vector if n == 0 else layer_symbols(network, n - 1).act_vector
    layer = network.layers[n]
    extended = (f"{base}̄" if layer.notation.intercept_last else f"{base}̂")
    return base, extended if layer.bias is BiasMode.FOLDED else base


@dataclass(frozen=True)
class LayerShown:
    """What every sample's steps show of one layer and its parameters: worked out once per
    trace (a 784×128 matrix is the same in all 64 samples' steps)."""

    symbols: LayerSymbols
    input_names: tuple[str, str]  # see input_names
    matrix: np.ndarray  # as the sheet writes it (display_matrix)
    matrix_text: str
    bias_text: str  # markup of the separate bias vector, "" without one
    backward_text: str  # markup of W̃ᵀ (columns) or W̃ (rows), the backward product's matrix


def layers_shown(network: Network, params: Parameters) -> tuple[LayerShown, ...]:
    shown = []
    for n, layer in enumerate(network.layers):
        matrix = display_matrix(layer, params.weights[n], params.biases[n])
        bias = params.biases[n] if layer.bias is BiasMode.SEPARATE else None
        shown.append(LayerShown(
            layer_symbols(network, n), input_names(network, n), matrix, format_array(matrix),
            "" if bias is None else format_array(bias),
            vector_text(params.weights[n], True) if params.weights[n].size == 1
            else format_array(params.weights[n].T if is_column(layer) else params.weights[n])))
    return tuple(shown)


def jacobian_note(network: Network, loss: str, symbol: str, delta_sym: str, ext: str,
                   column: bool) -> str:
    """Where the sheet tells the gradient from the Jacobian (FTML), say which this is."""
    if not network.notation.gradient:
        return ""
    jacobian = adjoint(loss, symbol)
    if column:
        return ""
    return (f" The Jacobian {jacobian} = ({delta_sym})ᵀ {ext} is its transpose; the update "
            f"uses the gradient, in {symbol}'s own shape.")


def tensor_text(values: np.ndarray, column: bool) -> str:
    """A parameter tensor's numbers; a 1×n row the sheet names bᵀ written as the column b."""
    return format_array(np.reshape(values, (-1, 1)) if column else values)
