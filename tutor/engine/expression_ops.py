"""The operations of scalar expressions, each with its forward rule and local derivative.

Every op follows the :class:`~tutor.engine.graph.Op` protocol: the value, the partial
derivative with respect to input ``k``, and how to *show* both in symbols and in numbers.

Arithmetic never raises: it runs on NumPy floats with warnings silenced, so overflow gives
±inf and domain errors (log of a negative number, 0/0) give NaN.  The expression problem
reports such values to the user instead of failing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .activations import RULES as ACTIVATION_RULES
from .activations import Activation
from .activations import Rule as ActivationRule
from .notation import format_factor, format_number


def safely(fn: Callable[..., float], *args: float) -> float:
    """``fn(*args)`` as a float: overflow → ±inf, undefined → NaN, never an exception."""
    with np.errstate(all="ignore"):
        try:
            return float(fn(*(np.float64(a) for a in args)))
        except (ArithmeticError, ValueError):
            return math.nan


def exponent_text(p: float) -> str:
    """An exponent as markup: ASCII minus so that ``x^{-1}`` renders as x⁻¹."""
    return format_number(p).replace("−", "-")


OUTPUT = -1  # in ``partial_reads``: the operation's own output (as in graph.py)


# --------------------------------------------------------------------------- binary ops

@dataclass(frozen=True, slots=True)
class Add:
    name: str = "add"

    def forward(self, args: Sequence[float]) -> float:
        return safely(lambda a, b: a + b, *args)

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        return 1.0

    def formula(self, syms: Sequence[str]) -> str:
        return f"{syms[0]} + {syms[1]}"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{format_number(args[0])} + {format_factor(args[1])}"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return "1"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return "1"

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Multiply:
    """``a · b``: each input's derivative is the other input (``x·x`` gives two terms)."""

    name: str = "multiply"

    def forward(self, args: Sequence[float]) -> float:
        return safely(lambda a, b: a * b, *args)

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        return float(args[1 - k])

    def formula(self, syms: Sequence[str]) -> str:
        return f"{syms[0]} \\cdot {syms[1]}"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{format_factor(args[0])} \\cdot {format_factor(args[1])}"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return syms[1 - k]

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return format_factor(args[1 - k])

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return (1 - k,)


@dataclass(frozen=True, slots=True)
class Divide:
    """``a / b``: ∂/∂a = 1/b, ∂/∂b = −a/b²."""

    name: str = "divide"

    def forward(self, args: Sequence[float]) -> float:
        return safely(lambda a, b: a / b, *args)

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        if k == 0:
            return safely(lambda b: 1.0 / b, args[1])
        return safely(lambda a, b: -a / (b * b), *args)

    def formula(self, syms: Sequence[str]) -> str:
        return f"{syms[0]} / {syms[1]}"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{format_factor(args[0])} / {format_factor(args[1])}"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return f"1 / {syms[1]}" if k == 0 else f"−{syms[0]} / {syms[1]}^2"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        a, b = format_factor(args[0]), format_factor(args[1])
        return f"1 / {b}" if k == 0 else f"−{a} / {b}^2"

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return (1,) if k == 0 else (0, 1)


@dataclass(frozen=True, slots=True)
class Power:
    """``a^b`` with both sides computed: ∂/∂a = b·a^(b−1), ∂/∂b = a^b · log a."""

    name: str = "power"

    def forward(self, args: Sequence[float]) -> float:
        return safely(lambda a, b: a ** b, *args)

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        if k == 0:
            return safely(lambda a, b: b * a ** (b - 1.0), *args)
        return safely(lambda a, o: o * np.log(a), args[0], out)

    def formula(self, syms: Sequence[str]) -> str:
        return f"{syms[0]}^{{{syms[1]}}}"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{format_factor(args[0])}^{{{format_number(args[1])}}}"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        a, b = syms
        return f"{b} \\cdot {a}^{{{b} − 1}}" if k == 0 else f"{out_sym} \\cdot log({a})"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        if k == 0:
            b = format_number(args[1])
            return f"{format_factor(args[1])} \\cdot {format_factor(args[0])}^{{{b} − 1}}"
        return f"{format_factor(out)} \\cdot log({format_number(args[0])})"

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return (0, 1) if k == 0 else (OUTPUT, 0)


# --------------------------------------------------------------------------- unary ops

@dataclass(frozen=True, slots=True)
class Negate:
    name: str = "negate"

    def forward(self, args: Sequence[float]) -> float:
        return -float(args[0])

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        return -1.0

    def formula(self, syms: Sequence[str]) -> str:
        return f"−{syms[0]}"

    def numbers(self, args: Sequence[float]) -> str:
        return f"−{format_factor(args[0])}"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return "(−1)"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return "(−1)"

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Identity:
    """``g = x``: a name for another node, shown as its own node with derivative 1."""

    name: str = "identity"

    def forward(self, args: Sequence[float]) -> float:
        return float(args[0])

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        return 1.0

    def formula(self, syms: Sequence[str]) -> str:
        return syms[0]

    def numbers(self, args: Sequence[float]) -> str:
        return format_number(args[0])

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return "1"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return "1"

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class PowerConstant:
    """``a^p`` for a literal exponent ``p``: ∂/∂a = p·a^(p−1), e.g. x² → 2x."""

    exponent: float
    name: str = "power_constant"

    def forward(self, args: Sequence[float]) -> float:
        return safely(lambda a: a ** self.exponent, args[0])

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        p = self.exponent
        if p == 1.0:
            return 1.0
        return safely(lambda a: p * a ** (p - 1.0), args[0])

    def formula(self, syms: Sequence[str]) -> str:
        return f"{syms[0]}^{{{exponent_text(self.exponent)}}}"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{format_factor(args[0])}^{{{exponent_text(self.exponent)}}}"

    def _derivative(self, base: str, juxtapose: bool) -> str:
        p = self.exponent
        if p in (0.0, 1.0):
            return format_number(p)
        power = base if p == 2.0 else f"{base}^{{{exponent_text(p - 1.0)}}}"
        if juxtapose:  # 2x, −x^{-2}, 0.5x^{-0.5}
            coefficient = {1.0: "", -1.0: "−"}.get(p, format_number(p))
            return f"{coefficient}{power}"
        return f"{format_factor(p)} \\cdot {power}"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return self._derivative(syms[0], juxtapose=True)

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return self._derivative(format_factor(args[0]), juxtapose=False)

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return () if self.exponent in (0.0, 1.0) else (0,)


@dataclass(frozen=True, slots=True)
class UnaryRule:
    """How one named function computes, differentiates and shows itself.

    ``derivative(a, out)`` is the local derivative; ``shown(a, out)`` writes it as markup,
    given the input and output as text (symbols or numbers).
    """

    display: str
    value: Callable[[float], float]
    derivative: Callable[[float, float], float]
    shown: Callable[[str, str], str]


def _from_activation(rule: ActivationRule) -> UnaryRule:
    """An activation as an expression function: the same row of the activations table."""
    return UnaryRule(rule.display, lambda a: rule.array(a, Activation().slope),
                     lambda a, o: rule.array_derivative(a, o, Activation().slope), rule.shown)


# the functions that are not activations; the activations come from their one table
UNARY: dict[str, UnaryRule] = {
    "sin": UnaryRule("sin", np.sin, lambda a, o: np.cos(a), lambda a, o: f"cos({a})"),
    "cos": UnaryRule("cos", np.cos, lambda a, o: -np.sin(a), lambda a, o: f"−sin({a})"),
    "tan": UnaryRule("tan", np.tan, lambda a, o: 1.0 + o * o, lambda a, o: f"1 + {o}^2"),
    "exp": UnaryRule("exp", np.exp, lambda a, o: o, lambda a, o: f"exp({a})"),
    "log": UnaryRule("log", np.log, lambda a, o: 1.0 / a, lambda a, o: f"1 / {a}"),
    "sqrt": UnaryRule("sqrt", np.sqrt, lambda a, o: 0.5 / o,
                      lambda a, o: f"1 / (2 \\cdot {o})"),
    "abs": UnaryRule("abs", np.abs, lambda a, o: np.sign(a), lambda a, o: f"sign({a})"),
} | {name: _from_activation(rule) for name, rule in ACTIVATION_RULES.items()
     if rule.in_expressions}

# written with the output, e.g. σ′ = v(1 − v): a step lists the output among what it reads
WRITTEN_WITH_OUTPUT = frozenset({"tan", "sqrt"} | {
    name for name, rule in ACTIVATION_RULES.items() if rule.in_expressions and rule.reads_output})
# shown as their value (ReLU′ = 0), not as the formula with numbers
SHOWN_AS_VALUE = frozenset(name for name, rule in ACTIVATION_RULES.items()
                           if rule.in_expressions and rule.numbers_from_value)


@dataclass(frozen=True, slots=True)
class Function:
    """A named one-argument function: sin, cos, tan, exp, log, sqrt, abs and the activations
    expressions may call (tanh, σ, ReLU)."""

    name: str

    @property
    def rule(self) -> UnaryRule:
        return UNARY[self.name]

    def forward(self, args: Sequence[float]) -> float:
        return safely(self.rule.value, args[0])

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        return safely(self.rule.derivative, args[0], out)

    def formula(self, syms: Sequence[str]) -> str:
        return f"{self.rule.display}({syms[0]})"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{self.rule.display}({format_number(args[0])})"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return self.rule.shown(syms[0], out_sym)

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        if self.name in SHOWN_AS_VALUE:
            return format_factor(self.partial(k, args, out))
        return self.rule.shown(format_number(args[0]), format_factor(out))

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return (OUTPUT,) if self.name in WRITTEN_WITH_OUTPUT else (0,)


# --------------------------------------------------------------------------- max / min

@dataclass(frozen=True, slots=True)
class Extremum:
    """``max(a, b, …)`` or ``min(a, b, …)``: the derivative is 1 for the winning input.

    Ties go to the first winner, so exactly one input receives the gradient.
    """

    name: str  # "max" or "min"

    def _winner(self, args: Sequence[float]) -> int:
        values = [float(a) for a in args]
        if any(math.isnan(v) for v in values):
            return -1  # no winner: the value is NaN and so is every derivative
        pick = max if self.name == "max" else min
        return values.index(pick(values))

    def forward(self, args: Sequence[float]) -> float:
        winner = self._winner(args)
        return math.nan if winner < 0 else float(args[winner])

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        winner = self._winner(args)
        return math.nan if winner < 0 else float(k == winner)

    def formula(self, syms: Sequence[str]) -> str:
        return f"{self.name}({', '.join(syms)})"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{self.name}({', '.join(format_number(a) for a in args)})"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return f"[{syms[k]} is the {self.name}]"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return format_number(self.partial(k, args, out))

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return tuple(range(count))  # who wins depends on every input


FUNCTIONS = (*UNARY, "max", "min")
