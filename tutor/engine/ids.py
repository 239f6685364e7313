"""The one id codec: the only place that writes or reads strings like ``W1[0,1]`` or ``b2``.

Two kinds of id name what the engine computes:

* a **tensor id** names a whole layer quantity — ``W1``, ``b1`` (parameters), ``z1``, ``h1``
  (pre-activation, activation) — and is what the layer trace, the frozen set, the file
  format and the answer keys use;
* a **scalar id** names one number of the node graph — ``x[i]``, ``y[k]``, ``one1`` (the
  constant 1 of a folded bias), ``W1[j,i]``, ``b1[j]``, ``z1[j]``, ``h1[j]``, ``r[k]``,
  ``loss``.

Makers take the engine's 0-based layer index ``n`` and write the sheet's 1-based number
(layer 0's weights are ``W1``); :func:`parse_id` and :func:`parse_tensor` give the number
back as written (``.layer``) and as an index (``.layer_index``).  Everything else in the
project builds and reads ids through these functions, so a change of spelling is one edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

LOSS = "loss"
INPUT, TARGET, RESIDUAL = "x", "y", "r"
WEIGHT, BIAS, PRE, ACT, INTERCEPT = "W", "b", "z", "h", "one"
PARAMETER_KINDS = (WEIGHT, BIAS)


# --------------------------------------------------------------------------- tensor ids

def tensor_id(kind: str, n: int) -> str:
    """``tensor_id("W", 0)`` → ``W1``: layer ``n``'s (0-based) tensor of ``kind``."""
    return f"{kind}{n + 1}"


def weight_tensor(n: int) -> str:
    return f"W{n + 1}"


def bias_tensor(n: int) -> str:
    return f"b{n + 1}"


def pre_tensor(n: int) -> str:
    return f"z{n + 1}"


def act_tensor(n: int) -> str:
    return f"h{n + 1}"


def value_tensor(n: int, identity: bool) -> str:
    """Layer ``n``'s output vector: the pre-activation itself when its activation is identity."""
    return pre_tensor(n) if identity else act_tensor(n)


def parameter_tensors(layers: int) -> list[str]:
    """Every parameter tensor a network of ``layers`` layers can have: W1, b1, W2, b2, …"""
    return [f"{kind}{n + 1}" for n in range(layers) for kind in PARAMETER_KINDS]


# --------------------------------------------------------------------------- scalar ids

def input_id(i: int) -> str:
    return f"x[{i}]"


def target_id(k: int) -> str:
    return f"y[{k}]"


def residual_id(k: int) -> str:
    return f"r[{k}]"


def weight_id(n: int, j: int, i: int) -> str:
    """Layer ``n``'s weight from input ``i`` to neuron ``j`` (the engine's (out, in) order)."""
    return f"W{n + 1}[{j},{i}]"


def bias_id(n: int, j: int) -> str:
    return f"b{n + 1}[{j}]"


def pre_id(n: int, j: int) -> str:
    return f"z{n + 1}[{j}]"


def act_id_of(n: int, j: int, identity: bool) -> str:
    """The activation node, which is the pre-activation itself for an identity layer."""
    return pre_id(n, j) if identity else f"h{n + 1}[{j}]"


def intercept_id(n: int) -> str:
    return f"{INTERCEPT}{n + 1}"


def scalar_id(tensor: str, index: Iterable[int]) -> str:
    """``scalar_id("W1", (0, 1))`` → ``W1[0,1]``; an empty index gives the tensor id itself."""
    index = tuple(index)
    return f"{tensor}[{','.join(str(int(i)) for i in index)}]" if index else tensor


# --------------------------------------------------------------------------- reading

_ID = re.compile(r"([A-Za-z]+)(\d*)(?:\[(\d+(?:,\d+)*)\])?\Z")
_MAX_ID_LENGTH = 64  # no id the engine writes is longer; longer text is not an id


@dataclass(frozen=True, slots=True)
class ScalarId:
    """``W1[0,1]`` → prefix ``W``, layer 1 (as written), index (0, 1)."""

    prefix: str
    layer: int | None
    index: tuple[int, ...]

    @property
    def tensor(self) -> str:
        """The tensor the scalar belongs to: ``W1[0,1]`` → ``W1``, ``x[2]`` → ``x``."""
        return f"{self.prefix}{self.layer if self.layer is not None else ''}"

    @property
    def layer_index(self) -> int | None:
        """The engine's 0-based layer index (``W1`` → 0); None for ids without a layer."""
        return None if self.layer is None else self.layer - 1

    @property
    def is_parameter(self) -> bool:
        return self.prefix in PARAMETER_KINDS and self.layer is not None

    def __str__(self) -> str:
        return scalar_id(self.tensor, self.index)


TensorId = ScalarId  # a tensor id is a scalar id with an empty index


def parse_id(node_id: str) -> ScalarId | None:
    """The inverse of the makers above: ``W1[0,1]``, ``x[2]``, ``one1``, ``W1``; None for
    anything else (``∂x``, ``W1[0``)."""
    if len(node_id) > _MAX_ID_LENGTH:
        return None
    match = _ID.match(node_id)
    if match is None:
        return None
    prefix, layer, index = match.groups()
    return ScalarId(prefix, int(layer) if layer else None,
                    tuple(int(i) for i in index.split(",")) if index else ())


def parse_tensor(name: str) -> ScalarId | None:
    """A tensor id (``W1``, ``b2``, ``z3``); None for a scalar id or anything else."""
    parsed = parse_id(name)
    return parsed if parsed is not None and not parsed.index else None


def parse_parameter_tensor(name: str) -> tuple[str, int]:
    """``W2`` → (``W``, 1): kind and 0-based layer of a parameter tensor; ValueError else."""
    parsed = parse_tensor(name)
    if parsed is None or not parsed.is_parameter or parsed.layer < 1:
        raise ValueError(f"{name!r} is not a weight or bias tensor (W1, b1, W2, …)")
    return parsed.prefix, parsed.layer - 1


def is_parameter(node_id: str) -> bool:
    """Whether ``node_id`` is one weight or bias (``W1[0,1]``, ``b2[0]``), as opposed to a
    value the network computes or a number of the data."""
    parsed = parse_id(node_id)
    return parsed is not None and parsed.is_parameter and bool(parsed.index)


def tensor_of(node_id: str) -> str:
    """The tensor a scalar id belongs to (``W1[0,1]`` → ``W1``); other text is returned whole."""
    parsed = parse_id(node_id)
    return node_id if parsed is None else parsed.tensor


def matrix_of(tensor: str) -> str:
    """The weight matrix a bias vector is folded into (``b2`` → ``W2``); others unchanged."""
    parsed = parse_tensor(tensor)
    if parsed is not None and parsed.prefix == BIAS and parsed.layer is not None:
        return f"{WEIGHT}{parsed.layer}"
    return tensor
