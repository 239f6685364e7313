"""Activation functions, each defined once: one row of :data:`RULES` per function.

A row holds everything every path needs — the value and local derivative on arrays (the
matrix loop and the layer trace), the same on Python floats (the float loop, the node trace),
how the derivative is written (the node trace and expressions), and whether expressions may
call it by name.  :class:`Activation` (a layer's choice), the float loop, the graph's
``Activate`` op and the expression ``Function`` op all read this table, so adding an
activation is one row here plus its test.

ReLU's derivative at the kink is 0 (the sheets use ReLU′(z) = 1 if z > 0 else 0); leaky ReLU
uses the same convention (slope at z ≤ 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .notation import format_factor, format_number

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


# math.exp raises OverflowError where np.exp gives inf: exp is only taken where it cannot
# overflow, as sigmoid() does, so a diverging float run ends in inf/NaN, not an exception

def sigmoid_float(z: float) -> float:
    if z >= -EXP_SAFE:  # False for NaN, which the other form keeps
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softplus_float(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


ArrayFunction = Callable[[np.ndarray, float], np.ndarray]  # (z, slope)
ArrayDerivative = Callable[[np.ndarray, np.ndarray, float], np.ndarray]  # (z, out, slope)
FloatFunction = Callable[[float], float]
FloatDerivative = Callable[[float, float], float]  # d act/dz from z and the output
FloatForms = Callable[[float], tuple[FloatFunction, FloatDerivative]]  # slope → the pair


@dataclass(frozen=True, slots=True)
class Rule:
    """One activation: its value and derivative in every form a path needs.

    ``shown(z, out)`` writes the derivative as markup from the input and the output (as
    symbols or numbers).  With ``numbers_from_value`` a step shows the derivative's value
    (ReLU′ = 1) rather than ``shown`` with numbers; ``reads_output`` says the derivative is
    written with the output (σ′ = σ(1 − σ)), so a step lists the output among what it reads.
    """

    name: str
    display: str  # markup: σ, ReLU
    array: ArrayFunction
    array_derivative: ArrayDerivative
    floats: FloatForms
    shown: Callable[[str, str], str]
    numbers_from_value: bool = True
    reads_output: bool = False
    in_expressions: bool = False  # callable by name in an expression program


def _float_pair(value: FloatFunction, derivative: FloatDerivative) -> FloatForms:
    return lambda slope: (value, derivative)


def _leaky_floats(slope: float) -> tuple[FloatFunction, FloatDerivative]:
    return (lambda z: z if z > 0.0 else slope * z), (lambda z, h: 1.0 if z > 0.0 else slope)


RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("identity", "id",
         lambda z, s: z, lambda z, h, s: np.ones_like(z),
         _float_pair(lambda z: z, lambda z, h: 1.0),
         lambda z, h: "1"),
    Rule("sigmoid", "σ",
         lambda z, s: sigmoid(z), lambda z, h, s: h * (1.0 - h),
         _float_pair(sigmoid_float, lambda z, h: h * (1.0 - h)),
         lambda z, h: f"{h}(1 − {h})", numbers_from_value=False, reads_output=True,
         in_expressions=True),
    Rule("tanh", "tanh",
         lambda z, s: np.tanh(z), lambda z, h, s: 1.0 - h * h,
         _float_pair(math.tanh, lambda z, h: 1.0 - h * h),
         lambda z, h: f"(1 − {h}^2)", numbers_from_value=False, reads_output=True,
         in_expressions=True),
    Rule("relu", "ReLU",  # max(NaN, 0.0) is NaN, like np.maximum
         lambda z, s: np.maximum(z, 0.0), lambda z, h, s: (z > 0).astype(float),
         _float_pair(lambda z: max(z, 0.0), lambda z, h: 1.0 if z > 0.0 else 0.0),
         lambda z, h: f"[{z} > 0]", in_expressions=True),
    Rule("leaky_relu", "LeakyReLU",
         lambda z, s: np.where(z > 0, z, s * z), lambda z, h, s: np.where(z > 0, 1.0, s),
         _leaky_floats,
         lambda z, h: f"LeakyReLU′({z})"),
    Rule("softplus", "softplus",
         lambda z, s: softplus(z), lambda z, h, s: sigmoid(z),
         _float_pair(softplus_float, lambda z, h: sigmoid_float(z)),
         lambda z, h: f"σ({z})"),
)}

NAMES = tuple(RULES)
DISPLAY = {name: rule.display for name, rule in RULES.items()}


@dataclass(frozen=True, slots=True)
class Activation:
    """A layer's activation function; ``slope`` is only used by leaky ReLU."""

    name: str = "identity"
    slope: float = 0.01

    def __post_init__(self) -> None:
        if self.name not in RULES:
            expected = ", ".join(NAMES)
            raise ValueError(f"unknown activation {self.name!r}; expected one of {expected}")

    @property
    def rule(self) -> Rule:
        return RULES[self.name]

    @property
    def is_identity(self) -> bool:
        return self.name == "identity"

    @property
    def display(self) -> str:
        return RULES[self.name].display

    def __call__(self, z: np.ndarray | float) -> np.ndarray:
        return RULES[self.name].array(np.asarray(z, dtype=float), self.slope)

    def derivative(self, z: np.ndarray | float, out: np.ndarray | float) -> np.ndarray:
        """d act/dz, given the pre-activation ``z`` and the already computed output ``out``."""
        return RULES[self.name].array_derivative(np.asarray(z, dtype=float),
                                                 np.asarray(out, dtype=float), self.slope)

    def floats(self) -> tuple[FloatFunction, FloatDerivative] | None:
        """The function and its derivative on Python floats; None for the identity (the float
        loop skips the pass)."""
        return None if self.is_identity else RULES[self.name].floats(self.slope)

    # -- how a step shows the local derivative ------------------------------------------------

    def derivative_symbol(self, pre: str) -> str:
        """Markup of the local derivative in symbols, e.g. ``σ′(a_1)``."""
        return f"{self.display}′({pre})"

    def derivative_numbers(self, z: float, out: float) -> str:
        """Markup of the local derivative with numbers, e.g. ``0.73(1 − 0.73)``."""
        rule = RULES[self.name]
        if rule.numbers_from_value:
            return format_factor(float(self.derivative(z, out)))
        return rule.shown(format_number(z), format_factor(out))

    def formula_numbers(self, z: float) -> str:
        return f"{self.display}({format_number(z)})"
