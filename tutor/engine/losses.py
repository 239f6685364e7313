"""Loss functions, each defined once: one class per loss holds every form of it.

A class is the node graph's operation (value, partial derivatives and how a step writes
both, as :mod:`.graph`'s ops do) and, side by side, the same loss on arrays (the matrix loop
and the layer trace: :meth:`array_losses`, :meth:`array_adjoint`) and on Python floats (the
float loop: :meth:`float_forms`).  ``scale`` carries the ½ and the 1/K of a mean.  The forms
are written so that each path computes what it computed before bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import mul, sub

import numpy as np

from .graph import fsum
from .network import LossKind, Network, Residual
from .notation import format_array, format_coefficient, format_factor, format_number
from .vector_text import factor_text, vector_text

Floats = list[float]
SampleLoss = Callable[[Floats, Floats], float]  # one sample's loss from its output and target
OutputAdjoint = Callable[[Floats, Floats, float], Floats]  # ∂ℓ/∂ŷ · the sample's weight
_total = np.add.reduce  # a.sum(axis) without the method's Python wrapper


def _scale_text(scale: float) -> str:
    return format_coefficient(scale)


@dataclass(frozen=True, slots=True)
class VectorLoss:
    """The loss's operands as one sample's layer steps show them: ``ŷ`` and ``y`` (symbols
    and numbers), the error's symbol where the sheet makes it a node (DS 102's z₄), and
    whether the sheet writes vectors as columns."""

    out_sym: str
    y_sym: str
    error_sym: str
    out: np.ndarray
    y: np.ndarray
    column: bool
    scale: float
    residual: Residual

    @property
    def flip(self) -> bool:
        return self.residual is Residual.TARGET_MINUS_OUTPUT

    @property
    def error(self) -> np.ndarray:
        return self.y - self.out if self.flip else self.out - self.y


@dataclass(frozen=True, slots=True)
class SquaredError:
    """``scale · Σₖ (ŷₖ − yₖ)²`` over K outputs; with ``residuals`` the inputs are rₖ only.

    Inputs are ``ŷ₁…ŷ_K, y₁…y_K`` (or ``r₁…r_K`` when the residuals are explicit nodes).
    ``scale`` carries the ½ and the 1/K of a mean, so the factors are never hidden.
    """

    scale: float = 0.5
    residuals: bool = False
    name: str = "squared_error"

    def _diffs(self, items: Sequence) -> list[tuple]:
        if self.residuals:
            return [(r,) for r in items]
        k = len(items) // 2
        return list(zip(items[:k], items[k:], strict=True))

    def forward(self, args: Sequence[float]) -> float:
        if self.residuals:
            return self.scale * fsum(r * r for r in args)
        return self.scale * fsum((p - t) * (p - t) for p, t in self._diffs(args))

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        if self.residuals:
            return 2.0 * self.scale * args[k]
        half = len(args) // 2
        if k >= half:
            return -2.0 * self.scale * (args[k - half] - args[k])
        return 2.0 * self.scale * (args[k] - args[k + half])

    def _sum(self, parts: list[str]) -> str:
        scale = _scale_text(self.scale)
        body = " + ".join(parts)
        if len(parts) == 1:
            return f"{scale}{body}"
        return f"{scale}[{body}]" if scale else body

    def formula(self, syms: Sequence[str]) -> str:
        if self.residuals:
            return self._sum([f"{r}^2" for r in syms])
        return self._sum([f"({p} − {t})^2" for p, t in self._diffs(syms)])

    def numbers(self, args: Sequence[float]) -> str:
        if self.residuals:
            return self._sum([f"({format_number(r)})^2" for r in args])
        return self._sum(
            [f"({format_number(p)} − {format_factor(t)})^2" for p, t in self._diffs(args)])

    def _partial_text(self, k: int, items: Sequence[str], numeric: bool = False) -> str:
        prefix = format_coefficient(2.0 * self.scale)
        if self.residuals:  # 2r, but 2 · 0.62: two numbers side by side would read as one
            joiner = " \\cdot " if numeric and prefix else ""
            return f"{prefix}{joiner}{items[k]}"
        half = len(items) // 2
        k = k % half
        diff = f"{items[k]} − {items[k + half]}"
        return f"{prefix}({diff})" if prefix else diff

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return self._partial_text(k, syms)

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        if self.residuals:
            return self._partial_text(k, [format_factor(a) for a in args], numeric=True)
        half = len(args) // 2
        texts = [format_number(a) for a in args[:half]] + [format_factor(a) for a in args[half:]]
        return self._partial_text(k, texts)

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        if self.residuals:
            return (k,)
        half = count // 2
        return (k % half, k % half + half)

    # -- the same loss on vectors, as a layer step writes it ----------------------------------

    @staticmethod
    def vector_formula(v: VectorLoss) -> tuple[str, str]:
        """½(ŷ − y)² for one output, ½‖ŷ − y‖² for several, z₄² through the error node."""
        half = format_coefficient(v.scale)
        error_sym = f"{v.y_sym} − {v.out_sym}" if v.flip else f"{v.out_sym} − {v.y_sym}"
        single = v.out.size == 1
        numbers = (f"{half}({format_number(float(v.error[0]))})^2" if single
                   else f"{half}‖{format_array(v.error)}‖^2")
        if single:
            if v.residual is Residual.NONE:  # ½(7 − 3)², the operands as the sheet writes them
                first, second = (v.y, v.out) if v.flip else (v.out, v.y)
                numbers = (f"{half}({format_number(float(first[0]))} − "
                           f"{factor_text(second, True)})^2")
                return f"{half}({error_sym})^2", numbers
            return f"{half}{v.error_sym}^2", numbers
        if v.residual is Residual.NONE:
            return f"{half}‖{error_sym}‖^2", numbers
        return f"{half}‖{v.error_sym}‖^2", numbers

    @staticmethod
    def vector_adjoint(v: VectorLoss) -> tuple[str, str]:
        """∂ℓ/∂ŷ = 2s(ŷ − y), or −2z₄ through the error node where the sheet has one."""
        coef = format_coefficient(2 * v.scale)
        if v.residual is not Residual.NONE:
            sign = "−" if v.flip else ""
            return (f"{sign}{coef}{v.error_sym}",
                    f"{sign}{coef} \\cdot {factor_text(v.error, v.column)}")
        # a lone negative target after "−" is bracketed: −2.31984 − (−0.141)
        out_num, y_num = vector_text(v.out, v.column), factor_text(v.y, v.column)
        if not coef:
            return f"{v.out_sym} − {v.y_sym}", f"{out_num} − {y_num}"
        return f"{coef}({v.out_sym} − {v.y_sym})", f"{coef}({out_num} − {y_num})"

    # -- the same loss on arrays (rows are samples) and on Python floats ---------------------

    @staticmethod
    def array_losses(outputs: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        return scale * _total((outputs - targets) ** 2, 1)

    @staticmethod
    def array_adjoint(outputs: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        return 2.0 * scale * (outputs - targets)

    @staticmethod
    def float_forms(scale: float) -> tuple[SampleLoss, OutputAdjoint]:
        twice = 2.0 * scale

        def squared_error(out: Floats, target: Floats) -> float:
            error = list(map(sub, out, target))
            return scale * sum(map(mul, error, error))  # e·e: e ** 2 raises OverflowError

        def squared_error_adjoint(out: Floats, target: Floats, weight: float) -> Floats:
            return [twice * (o - t) * weight for o, t in zip(out, target)]  # noqa: B905

        return squared_error, squared_error_adjoint


BCE_EPS = 1e-12  # outputs are clipped to [ε, 1 − ε] so the loss stays finite at 0 and 1


@dataclass(frozen=True, slots=True)
class BinaryCrossEntropy:
    """``−scale · Σₖ [yₖ log ŷₖ + (1 − yₖ) log(1 − ŷₖ)]``; inputs ``ŷ₁…ŷ_K, y₁…y_K``."""

    scale: float = 1.0
    name: str = "binary_cross_entropy"

    def forward(self, args: Sequence[float]) -> float:
        k = len(args) // 2
        total = 0.0
        for p, t in zip(args[:k], args[k:], strict=True):
            p = min(max(p, BCE_EPS), 1.0 - BCE_EPS)
            total += t * math.log(p) + (1.0 - t) * math.log(1.0 - p)
        return -self.scale * total

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        half = len(args) // 2
        if k >= half:
            return 0.0  # targets are data, never differentiated
        p = min(max(args[k], BCE_EPS), 1.0 - BCE_EPS)
        return self.scale * (p - args[k + half]) / (p * (1.0 - p))

    def formula(self, syms: Sequence[str]) -> str:
        k = len(syms) // 2
        parts = [f"{t} log {p} + (1 − {t}) log(1 − {p})" for p, t in zip(syms[:k], syms[k:],
                                                                            strict=True)]
        return f"−{_scale_text(self.scale)}[{' + '.join(parts)}]"

    def numbers(self, args: Sequence[float]) -> str:
        k = len(args) // 2
        parts = [f"{format_number(t)} log {format_number(p)} + (1 − {format_number(t)}) "
                 f"log(1 − {format_number(p)})" for p, t in zip(args[:k], args[k:], strict=True)]
        return f"−{_scale_text(self.scale)}[{' + '.join(parts)}]"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        half = len(syms) // 2
        p, t = syms[k], syms[k + half]
        return f"{_scale_text(self.scale)}({p} − {t})/({p}(1 − {p}))"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        half = len(args) // 2
        clipped = min(max(args[k], BCE_EPS), 1.0 - BCE_EPS)  # the ŷ the partial divides by
        p, t = format_number(clipped), format_factor(args[k + half])
        # within 1e-9 of 1, ŷ is written 1: write 1 − ŷ's value, not 1 − 1 (a division by 0)
        rest = f"(1 − {p})" if p != "1" else f" · {format_factor(1.0 - clipped)}"
        return f"{_scale_text(self.scale)}({p} − {t})/({p}{rest})"

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        half = count // 2
        return (k % half, k % half + half)

    # -- the same loss on vectors, as a layer step writes it ----------------------------------

    @staticmethod
    def vector_formula(v: VectorLoss) -> tuple[str, str]:
        half = format_coefficient(v.scale)
        formula = (f"−{half}Σ[{v.y_sym} log {v.out_sym} + (1 − {v.y_sym}) "
                   f"log(1 − {v.out_sym})]")
        return formula, formula

    @staticmethod
    def vector_adjoint(v: VectorLoss) -> tuple[str, str]:
        coef = format_coefficient(v.scale)
        out_num, y_num = vector_text(v.out, v.column), vector_text(v.y, v.column)
        return (f"{coef}({v.out_sym} − {v.y_sym}) / ({v.out_sym} \\odot (1 − {v.out_sym}))",
                f"{coef}({out_num} − {y_num}) / ({out_num} \\odot (1 − {out_num}))")

    # -- the same loss on arrays (rows are samples) and on Python floats ---------------------

    @staticmethod
    def array_losses(outputs: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        p = np.clip(outputs, BCE_EPS, 1.0 - BCE_EPS)
        return -scale * np.sum(targets * np.log(p) + (1 - targets) * np.log(1 - p), axis=1)

    @staticmethod
    def array_adjoint(outputs: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        p = np.clip(outputs, BCE_EPS, 1.0 - BCE_EPS)
        return scale * (p - targets) / (p * (1 - p))

    @staticmethod
    def float_forms(scale: float) -> tuple[SampleLoss, OutputAdjoint]:
        def clip(p: float) -> float:
            return min(max(p, BCE_EPS), 1.0 - BCE_EPS)  # NaN stays NaN, as with np.clip

        def cross_entropy(out: Floats, target: Floats) -> float:
            return -scale * sum([t * math.log(p) + (1.0 - t) * math.log(1.0 - p)
                                 for p, t in zip(map(clip, out), target)])  # noqa: B905

        def cross_entropy_adjoint(out: Floats, target: Floats, weight: float) -> Floats:
            return [scale * (p - t) / (p * (1.0 - p)) * weight
                    for p, t in zip(map(clip, out), target)]  # noqa: B905

        return cross_entropy, cross_entropy_adjoint


LossForms = type[SquaredError] | type[BinaryCrossEntropy]
LOSSES: dict[LossKind, LossForms] = {
    LossKind.SQUARED_ERROR: SquaredError,
    LossKind.BINARY_CROSS_ENTROPY: BinaryCrossEntropy,
}


def loss_forms(network: Network) -> LossForms:
    """The class holding every form of the network's loss."""
    return LOSSES[network.loss.kind]


def sample_losses(network: Network, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The loss of each sample (rows)."""
    return loss_forms(network).array_losses(outputs, targets,
                                            network.loss.scale(network.output_size))


def output_adjoint(network: Network, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """∂ℓ/∂ŷ for each sample."""
    return loss_forms(network).array_adjoint(outputs, targets,
                                             network.loss.scale(network.output_size))


def float_loss(network: Network) -> tuple[SampleLoss, OutputAdjoint]:
    """One sample's loss and its weighted ∂ℓ/∂ŷ on Python floats."""
    return loss_forms(network).float_forms(network.loss.scale(network.output_size))
