"""Activation functions: value and local derivative side by side, NumPy-vectorised.

Every function accepts scalars or arrays.  ReLU's derivative at the kink is 0 (the sheets use
ReLU′(z) = 1 if z > 0 else 0); leaky ReLU uses the same convention (slope at z ≤ 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .notation import format_factor, format_number

NAMES = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus")
DISPLAY = {
    "identity": "id", "sigmoid": "σ", "tanh": "tanh", "relu": "ReLU",
    "leaky_relu": "LeakyReLU", "softplus": "softplus",
}


EXP_SAFE = 700.0  # e⁷⁰⁰ ≈ 1e304: below the largest float64, so 1/(1 + e^−z) cannot overflow
_smallest = np.minimum.reduce  # z.min() without the method's Python wrapper


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """The logistic function, overflow-safe.

    1/(1 + e^−z) is 4 NumPy calls and is used whenever no z is below −700 (always, in
    practice); otherwise exp is only taken of −|z| (8 calls), so sigmoid(−1e4) is 0, not an
    overflow.  The two forms agree to a few ulps.
    """
    z = np.asarray(z, dtype=float)
    if z.size and _smallest(z, None) >= -EXP_SAFE:  # False for NaN: the safe form keeps it
        return np.asarray(1.0 / (1.0 + np.exp(-z))) if not z.ndim else 1.0 / (1.0 + np.exp(-z))
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z: np.ndarray | float) -> np.ndarray:
    """log(1 + eᶻ) without overflow."""
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


@dataclass(frozen=True, slots=True)
class Activation:
    """One activation function; ``slope`` is only used by leaky ReLU."""

    name: str = "identity"
    slope: float = 0.01

    def __post_init__(self) -> None:
        if self.name not in NAMES:
            expected = ", ".join(NAMES)
            raise ValueError(f"unknown activation {self.name!r}; expected one of {expected}")

    @property
    def is_identity(self) -> bool:
        return self.name == "identity"

    @property
    def display(self) -> str:
        return DISPLAY[self.name]

    def __call__(self, z: np.ndarray | float) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        match self.name:
            case "identity":
                return z
            case "sigmoid":
                return sigmoid(z)
            case "tanh":
                return np.tanh(z)
            case "relu":
                return np.maximum(z, 0.0)
            case "leaky_relu":
                return np.where(z > 0, z, self.slope * z)
            case _:
                return softplus(z)

    def derivative(self, z: np.ndarray | float, out: np.ndarray | float) -> np.ndarray:
        """d act/dz, given the pre-activation ``z`` and the already computed output ``out``."""
        z, out = np.asarray(z, dtype=float), np.asarray(out, dtype=float)
        match self.name:
            case "identity":
                return np.ones_like(z)
            case "sigmoid":
                return out * (1.0 - out)
            case "tanh":
                return 1.0 - out * out
            case "relu":
                return (z > 0).astype(float)
            case "leaky_relu":
                return np.where(z > 0, 1.0, self.slope)
            case _:
                return sigmoid(z)

    # -- how a step shows the local derivative ------------------------------------------------

    def derivative_symbol(self, pre: str) -> str:
        """Markup of the local derivative in symbols, e.g. ``σ′(a_1)``."""
        return f"{self.display}′({pre})"

    def derivative_numbers(self, z: float, out: float) -> str:
        """Markup of the local derivative with numbers, e.g. ``0.73(1 − 0.73)``."""
        match self.name:
            case "sigmoid":
                return f"{format_factor(out)}(1 − {format_factor(out)})"
            case "tanh":
                return f"(1 − {format_factor(out)}^2)"
            case _:
                return format_factor(float(self.derivative(z, out)))

    def formula_numbers(self, z: float) -> str:
        return f"{self.display}({format_number(z)})"
