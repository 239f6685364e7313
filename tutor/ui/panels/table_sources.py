"""Where each table of the parameters panel reads and writes its numbers: a weight matrix
in the sheet's own form (intercept column folded in, maybe transposed), a bias vector, the
inputs and the targets.  No widgets: the engine's edit functions do the writing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tutor.engine import NetworkProblem
from tutor.engine import edit as edits
from tutor.engine.ids import bias_tensor, weight_tensor
from tutor.engine.network import Network, input_symbols, layer_symbols, target_symbols
from tutor.engine.notation import to_unicode
from tutor.engine.sheet_layout import display_symbols

Setter = Callable[[NetworkProblem, int, int, float], NetworkProblem]


@dataclass(frozen=True)
class TableSource:
    """How one table reads and writes the problem; symbols name every cell."""

    values: Callable[[NetworkProblem], np.ndarray]  # 2-D
    setter: Setter
    symbols: Callable[[NetworkProblem], np.ndarray]  # 2-D, markup per cell
    locked: Callable[[int, int], str]  # the exercise field that guards a cell
    rows: Callable[[NetworkProblem], list[str]]
    columns: Callable[[NetworkProblem], list[str]]


# --------------------------------------------------------------------------- sources

def weight_source(layer: int) -> TableSource:
    """Layer ``layer``'s display matrix (bias folded in when the sheet folds it)."""

    def locked(row: int, column: int) -> str:
        return f"parameters.{weight_tensor(layer)}"

    return TableSource(
        values=lambda p: edits.display_parameters(p, layer),
        setter=lambda p, r, c, v: edits.set_display_entry(p, layer, r, c, v),
        symbols=lambda p: display_symbols(p.network, layer)[0],
        locked=locked,
        rows=lambda p: [to_unicode(s) for s in display_symbols(p.network, layer)[1]],
        columns=lambda p: [to_unicode(s) for s in display_symbols(p.network, layer)[2]],
    )


def bias_source(layer: int) -> TableSource:
    """A separate bias vector, shown as one column."""

    def values(problem: NetworkProblem) -> np.ndarray:
        bias = problem.params.biases[layer]
        return np.zeros((0, 1)) if bias is None else bias[:, None]

    return TableSource(
        values=values,
        setter=lambda p, r, c, v: edits.set_bias(p, layer, r, v),
        symbols=lambda p: np.array(layer_symbols(p.network, layer).biases, dtype=object)[:, None],
        locked=lambda r, c: f"parameters.{bias_tensor(layer)}",
        rows=lambda p: [to_unicode(s) for s in layer_symbols(p.network, layer).pre],
        columns=lambda p: [to_unicode(layer_symbols(p.network, layer).bias_vector)],
    )


def _sample_names(problem: NetworkProblem) -> list[str]:
    return [f"Sample {n + 1}" for n in range(len(problem.data))]


def _repeat(names: tuple[str, ...], rows: int) -> np.ndarray:
    return np.array([list(names)] * rows, dtype=object).reshape(rows, len(names))


def _data_source(values: Callable[[NetworkProblem], np.ndarray], setter: Setter,
                 symbols: Callable[[Network], tuple[str, ...]]) -> TableSource:
    """One row per sample, one column per input (or target)."""
    return TableSource(
        values=values,
        setter=setter,
        symbols=lambda p: _repeat(symbols(p.network), len(p.data)),
        locked=lambda r, c: "data",
        rows=_sample_names,
        columns=lambda p: [to_unicode(s) for s in symbols(p.network)],
    )


def input_source() -> TableSource:
    return _data_source(lambda p: p.data.inputs, edits.set_input, input_symbols)


def target_source() -> TableSource:
    return _data_source(lambda p: p.data.targets, edits.set_target, target_symbols)
