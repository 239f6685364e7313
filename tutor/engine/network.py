"""Multilayer perceptrons: the specification, their parameters, data and notation.

Internally every layer computes ``z = W·h_prev + b`` with ``W`` of shape (out, in) and a bias
vector ``b``.  How the bias is *shown* is a matter of notation: a separate vector (``+ b``),
folded into the weight matrix as an intercept column fed by a constant 1 (x₀ = 1, as in the
CMU recitation), or absent.  The exercise's display matrices are converted with
:func:`split_display_matrix` / :func:`display_matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache

import numpy as np

from .activations import Activation
from .ids import WEIGHT, bias_tensor, parse_parameter_tensor, weight_tensor
from .notation import instantiate, sample_adjoint


class BiasMode(StrEnum):
    SEPARATE = "separate"
    FOLDED = "folded"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class LayerNotation:
    """Symbol templates for one layer.  ``$j`` is the neuron, ``$i`` the input, ``$l`` the layer.

    ``None`` means "use the default".  Explicit names (``weight_names``, ``bias_names``) win
    over templates; they are given in the layer's (out, in) orientation.
    """

    pre: str | None = None
    act: str | None = None
    weight: str | None = None
    bias: str | None = None
    intercept: str | None = None  # the constant-1 input of a folded bias, e.g. x_0 or z_0
    pre_vector: str | None = None
    act_vector: str | None = None
    weight_matrix: str | None = None
    bias_vector: str | None = None
    weight_names: tuple[tuple[str, ...], ...] | None = None
    bias_names: tuple[str, ...] | None = None
    intercept_last: bool = False  # x̄ = (x, 1) rather than (1, x)
    transposed: bool = False  # the matrix is shown (in, out), e.g. FTML's w_h
    j_base: int = 1
    i_base: int = 1
    # the sheet's own names in the layer trace: the activation's symbol (INF264's g), the
    # weights without the intercept (CMU's β̂, FTML's θ̃ = θ[:-1]ᵀ; W̃ by default) and the
    # pre-activation's adjoint (INF264's δ_h = ∂L/∂z)
    activation_symbol: str | None = None
    bias_free: str | None = None
    pre_adjoint: str | None = None
    # the sheet's closed form of ∂loss/∂(weight matrix) in the trace's vector symbols, shown
    # after the chain-rule product with their numbers put in (DS 102: "2z_4 \cdot (−z_2)")
    gradient_form: str | None = None


@dataclass(frozen=True, slots=True)
class Layer:
    size: int
    activation: Activation = field(default_factory=Activation)
    bias: BiasMode = BiasMode.SEPARATE
    notation: LayerNotation = field(default_factory=LayerNotation)


class LossKind(StrEnum):
    SQUARED_ERROR = "squared_error"
    BINARY_CROSS_ENTROPY = "binary_cross_entropy"


class Residual(StrEnum):
    NONE = "none"
    OUTPUT_MINUS_TARGET = "output_minus_target"
    TARGET_MINUS_OUTPUT = "target_minus_output"


@dataclass(frozen=True, slots=True)
class Loss:
    """Every factor explicit: ½ or not, sum or mean over outputs, sum or mean over samples."""

    kind: LossKind = LossKind.SQUARED_ERROR
    half: bool = True
    mean_over_outputs: bool = False
    mean_over_samples: bool = True
    residual: Residual = Residual.NONE  # show the error as its own node (DS 102's z₄ = y − z₃)

    def scale(self, outputs: int) -> float:
        """The constant in front of Σₖ: ½ and/or 1/K."""
        base = 0.5 if (self.half and self.kind is LossKind.SQUARED_ERROR) else 1.0
        return base / outputs if self.mean_over_outputs else base


@dataclass(frozen=True, slots=True)
class Notation:
    """Network-wide symbols; per-layer ones live in each Layer's notation."""

    input: str = "x_{$i}"
    input_names: tuple[str, ...] | None = None
    input_vector: str = "x"
    target: str = "y_{$k}"
    target_vector: str = "y"
    residual: str = "r_{$k}"
    loss: str = "ℓ"
    batch_loss: str = "L"
    i_base: int = 1
    # a parameter's gradient as the sheet writes it, e.g. FTML's "∇_{$s} $l" (the transpose
    # of the Jacobian ∂l/∂θ); "" writes ∂ℓ/∂W, in the parameter's own shape
    gradient: str = ""
    # how the sheet names one sample of its data, "$n" counting from 1 (INF264's "x_{$n}"
    # for x₁, x₂); "" says "sample 1 of 2"
    sample: str = ""
    # one sample's loss where the batch combines them, $n the sample from 1: INF264's
    # "L(x_{$n}, y_{$n})"; "" writes ℓ⁽ⁿ⁾
    sample_loss: str = ""


def sample_loss_symbol(template: str, loss: str, n: int | str) -> str:
    """Sample n's loss: ``L(x_1, y_1)`` from INF264's template, ``ℓ^{(1)}`` by default; ``n``
    may be the letter of a sum (Σ_n L(x_n, y_n))."""
    return template.replace("$n", str(n)) if template else f"{loss}^{{({n})}}"


def per_sample_label(markup: str, n: int, loss: str = "", template: str = "") -> str:
    """Sample n's quantity named apart from the other samples': its own loss and that loss's
    adjoints as the sheet names them (``template``: L(x₁, y₁), ∂L(x₁, y₁)/∂w₀), anything
    else numbered (ŷ⁽¹⁾, ∂ℓ/∂w₀⁽¹⁾)."""
    if not template:
        return f"{markup}^{{({n})}}"
    named = sample_loss_symbol(template, loss, n)
    return markup if markup == named else sample_adjoint(markup, loss, named, n)


@dataclass(frozen=True, slots=True)
class Network:
    input_size: int
    layers: tuple[Layer, ...]
    loss: Loss = field(default_factory=Loss)
    notation: Notation = field(default_factory=Notation)

    def __post_init__(self) -> None:
        if self.input_size < 1 or not self.layers or any(L.size < 1 for L in self.layers):
            raise ValueError("a network needs at least one input and one layer of size ≥ 1")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.input_size, *(L.size for L in self.layers))

    @property
    def output_size(self) -> int:
        return self.layers[-1].size

    def with_layer(self, index: int, **changes) -> Network:
        layers = list(self.layers)
        layers[index] = replace(layers[index], **changes)
        return replace(self, layers=tuple(layers))


@dataclass(frozen=True)
class Parameters:
    """Weights (out, in) and biases (out,) per layer; bias is None when the layer has none.

    Arrays are made read-only so that a Parameters value can be shared safely.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray | None, ...]

    def __post_init__(self) -> None:
        for array in (*self.weights, *self.biases):
            if array is not None:
                array.setflags(write=False)  # twice as fast as flags.writeable: once per update

    @staticmethod
    def of(weights, biases) -> Parameters:
        return Parameters(
            tuple(np.array(w, dtype=float, ndmin=2) for w in weights),
            tuple(None if b is None else np.array(b, dtype=float, ndmin=1) for b in biases),
        )

    def tensors(self) -> dict[str, np.ndarray]:
        """Named tensors: ``W1``, ``b1``, ``W2``…"""
        named = {weight_tensor(n): w for n, w in enumerate(self.weights)}
        named |= {bias_tensor(n): b for n, b in enumerate(self.biases) if b is not None}
        return named

    def flat(self) -> np.ndarray:
        return np.concatenate([t.ravel() for t in self.tensors().values()])

    def replace_tensor(self, name: str, value: np.ndarray) -> Parameters:
        kind, layer = parse_parameter_tensor(name)
        weights, biases = list(self.weights), list(self.biases)
        target = weights if kind == WEIGHT else biases
        target[layer] = np.array(value, dtype=float)
        return Parameters(tuple(weights), tuple(biases))

    def map(self, fn) -> Parameters:
        return Parameters(tuple(fn(w) for w in self.weights),
                          tuple(None if b is None else fn(b) for b in self.biases))


def check_parameters(network: Network, params: Parameters) -> None:
    """Raise ValueError naming the tensor whose shape does not fit the network."""
    if len(params.weights) != len(network.layers):
        raise ValueError(f"expected {len(network.layers)} weight matrices, "
                         f"got {len(params.weights)}")
    for n, (layer, w, b) in enumerate(zip(network.layers, params.weights, params.biases,
                                          strict=True)):
        fan_in = network.sizes[n]
        if w.shape != (layer.size, fan_in):
            raise ValueError(f"{weight_tensor(n)} has shape {w.shape}, "
                             f"expected {(layer.size, fan_in)}")
        if (layer.bias is BiasMode.NONE) != (b is None):
            raise ValueError(f"{bias_tensor(n)} must be {'absent' if b is None else 'given'} "
                             f"for bias mode {layer.bias}")
        if b is not None and b.shape != (layer.size,):
            raise ValueError(f"{bias_tensor(n)} has shape {b.shape}, expected {(layer.size,)}")


def random_parameters(network: Network, seed: int, scale: float | None = None) -> Parameters:
    """Reproducible initial weights (Glorot-uniform unless ``scale`` is given), zero biases."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, layer in zip(network.sizes, network.layers, strict=False):
        limit = scale if scale is not None else np.sqrt(6.0 / (fan_in + layer.size))
        weights.append(rng.uniform(-limit, limit, size=(layer.size, fan_in)))
        biases.append(None if layer.bias is BiasMode.NONE else np.zeros(layer.size))
    return Parameters(tuple(weights), tuple(biases))


@dataclass(frozen=True)
class Dataset:
    """N samples: inputs (N, d) and targets (N, K)."""

    inputs: np.ndarray
    targets: np.ndarray

    def __post_init__(self) -> None:
        x = np.array(self.inputs, dtype=float, ndmin=2)
        y = np.array(self.targets, dtype=float, ndmin=2)
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"{x.shape[0]} input rows but {y.shape[0]} target rows")
        x.flags.writeable = y.flags.writeable = False
        object.__setattr__(self, "inputs", x)
        object.__setattr__(self, "targets", y)

    def __len__(self) -> int:
        return self.inputs.shape[0]

    def subset(self, rows) -> Dataset:
        return Dataset(self.inputs[rows], self.targets[rows])


# --------------------------------------------------------------------------- display matrices

# --------------------------------------------------------------------------- symbols

@dataclass(frozen=True, slots=True)
class LayerSymbols:
    pre: tuple[str, ...]
    act: tuple[str, ...]
    weights: tuple[tuple[str, ...], ...]  # (out, in)
    biases: tuple[str, ...]
    intercept: str
    pre_vector: str
    act_vector: str
    weight_matrix: str
    bias_vector: str


def _indexed(template: str, size: int, base: int, name: str, **fixed: int) -> tuple[str, ...]:
    return tuple(instantiate(template, **{name: n + base}, **fixed) for n in range(size))


def _drop_index(template: str, size: int, *names: str) -> str:
    """Default templates lose their index when there is only one element (ŷ, not ŷ₁)."""
    if size != 1:
        return template
    for name in names:
        template = template.replace(f"_{{${name}}}", "").replace(f",${name}", "")
    return template


def input_symbols(network: Network) -> tuple[str, ...]:
    note = network.notation
    if note.input_names and len(note.input_names) == network.input_size:
        return note.input_names
    first = network.layers[0]
    if first.bias is BiasMode.FOLDED and first.notation.intercept is None:
        template = note.input  # the intercept is x₀, so the one input stays x₁, not x
    else:
        template = _drop_index(note.input, network.input_size, "i")
    return _indexed(template, network.input_size, note.i_base, "i")


def target_symbols(network: Network) -> tuple[str, ...]:
    template = _drop_index(network.notation.target, network.output_size, "k")
    return _indexed(template, network.output_size, 1, "k")


def residual_symbols(network: Network) -> tuple[str, ...]:
    template = _drop_index(network.notation.residual, network.output_size, "k")
    return _indexed(template, network.output_size, 1, "k")


@lru_cache(maxsize=32)  # a few networks: an edit session, its undo stack
def layer_symbols(network: Network, index: int) -> LayerSymbols:
    """Resolve layer ``index``'s templates into one symbol per scalar.

    Cached: the views and traces ask again and again, a 784×128 layer has 100,352 weight
    names, and the answer (immutable) depends only on the (immutable, hashable) network.
    """
    layer = network.layers[index]
    note = layer.notation
    number = index + 1
    last = index == len(network.layers) - 1
    fan_in = network.sizes[index]
    size = layer.size
    single = "" if len(network.layers) == 1 else f"^{{({number})}}"
    pre_t = note.pre or _drop_index(f"z{single}_{{$j}}", size, "j")
    act_t = note.act or _drop_index("ŷ_{$j}" if last else f"h{single}_{{$j}}", size, "j")
    w_t = note.weight or _drop_index(f"W{single}_{{$j,$i}}", size, "j")
    b_t = note.bias or _drop_index(f"b{single}_{{$j}}", size, "j")
    fixed = {"l": number}
    pre = _indexed(pre_t, size, note.j_base, "j", **fixed)
    if layer.activation.is_identity:
        # one node per neuron; it takes the activation's name when there is one (ŷ)
        if note.act is not None or (last and note.pre is None):
            pre = _indexed(act_t, size, note.j_base, "j", **fixed)
        act = pre
    else:
        act = _indexed(act_t, size, note.j_base, "j", **fixed)
    # the intercept's index: just before the first input, or just after the last one
    intercept_i = fan_in + note.i_base if note.intercept_last else note.i_base - 1
    if note.weight_names and np.shape(note.weight_names) == (size, fan_in):
        weights = tuple(tuple(row) for row in note.weight_names)
    else:
        weights = tuple(_indexed(w_t, fan_in, note.i_base, "i", j=j + note.j_base, **fixed)
                        for j in range(size))
    if note.bias_names and len(note.bias_names) == size:
        biases = tuple(note.bias_names)
    elif layer.bias is BiasMode.FOLDED and not note.bias:
        biases = tuple(instantiate(w_t, j=j + note.j_base, i=intercept_i, **fixed)
                       for j in range(size))
    else:
        biases = _indexed(b_t, size, note.j_base, "j", **fixed)
    previous = (network.notation.input if index == 0
                else (network.layers[index - 1].notation.act or "h_{$j}"))
    intercept = note.intercept or instantiate(previous, i=intercept_i, j=intercept_i, **fixed)
    act_vector = note.act_vector or ("ŷ" if last else f"h{single}")
    pre_vector = note.pre_vector or f"z{single}"
    if layer.activation.is_identity and (note.act_vector or (last and not note.pre_vector)):
        pre_vector = act_vector  # one node per neuron, named like the activation
    return LayerSymbols(
        pre=pre, act=act, weights=weights, biases=biases, intercept=intercept,
        pre_vector=pre_vector, act_vector=act_vector,
        weight_matrix=note.weight_matrix or f"W{single}",
        bias_vector=note.bias_vector or f"b{single}",
    )
