"""A network problem: the network, its parameters, its data and how it is trained.

This is the engine's front door: ``problem.trace()`` gives the step-by-step run that the UI,
the quiz, the exports and the CLI all read, ``problem.train(n)`` the fast training loop.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from .batch import Gradients, loss_and_gradients
from .batch_steps import BatchSettings, batch_steps
from .hand import hand_round
from .ids import tensor_of
from .layer_batch import layer_steps_in_parts
from .limits import check_layer_trace, check_node_trace, check_training
from .network import Dataset, Network, Parameters, check_parameters
from .network_graph import (
    NetworkGraph,
    build_graph,
    input_id,
    parameter_values,
    sample_values,
)
from .trace import Trace, run_to_end
from .training import Training, TrainingRun, batches, train


class Granularity(StrEnum):
    NODE = "node"
    LAYER = "layer"


@dataclass(frozen=True)
class NetworkProblem:
    network: Network
    params: Parameters
    data: Dataset
    training: Training = field(default_factory=Training)
    show_update: bool = True  # end the trace with the update θ ← θ − η∇ and the new loss
    input_gradients: bool = False  # also compute ∂ℓ/∂x

    def __post_init__(self) -> None:
        check_parameters(self.network, self.params)
        if self.data.inputs.shape[1] != self.network.input_size:
            raise ValueError(f"inputs have {self.data.inputs.shape[1]} columns, the network "
                             f"expects {self.network.input_size}")
        if self.data.targets.shape[1] != self.network.output_size:
            raise ValueError(f"targets have {self.data.targets.shape[1]} columns, the network "
                             f"has {self.network.output_size} outputs")

    def graph(self) -> NetworkGraph:
        return build_graph(self.network)

    @property
    def sample_losses(self) -> tuple[str, str]:
        """(the loss symbol, the sheet's name for one sample's loss, INF264's
        ``L(x_{$n}, y_{$n})``, or "")."""
        return self.network.notation.loss, self.network.notation.sample_loss

    def first_batch(self) -> np.ndarray:
        """The rows the traced update uses: all of them for batch GD."""
        return batches(self.training, len(self.data), 1)[0]

    def trace(self, granularity: Granularity | str = Granularity.NODE, *,
              hand: bool = False) -> Trace:
        """The forward pass, the backward pass and (optionally) one update, step by step.

        Overflow is shown (as ∞ or NaN in the steps), not raised: a diverging learning rate
        is something to watch.  ``hand``: carry the printed, rounded values forward (hand.py).
        """
        return run_to_end(self.trace_in_parts(granularity, hand=hand))

    def trace_in_parts(self, granularity: Granularity | str = Granularity.NODE, *,
                       hand: bool = False) -> Generator[None, None, Trace]:
        """:meth:`trace`, pausing (yielding) after each sample of a layer-by-layer trace so
        that a window can build a large network's trace between events; returns the trace."""
        parts = self._trace(Granularity(granularity), hand)
        while True:  # each part quiet on its own: nothing stays set while paused
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                try:
                    next(parts)
                except StopIteration as done:
                    return done.value
            yield

    def _trace(self, granularity: Granularity, hand: bool) -> Generator[None, None, Trace]:
        rows = self.first_batch()
        self.check_trace_size(granularity, len(rows))
        data = self.data.subset(rows)
        eta = self.training.learning_rate if self.show_update else None
        notation = self.network.notation
        if granularity is Granularity.LAYER:
            steps = yield from layer_steps_in_parts(
                self.network, self.params, data, learning_rate=eta,
                frozen=self.training.frozen, input_gradients=self.input_gradients, hand=hand)
            return Trace(tuple(steps), notation.loss)
        built = self.graph()
        params = parameter_values(self.network, self.params)
        # a frozen tensor (the chain-rule sheet's fixed unit weights) needs no gradient:
        # backpropagation computes only what the update uses
        frozen = frozenset(n.id for n in built.graph.nodes
                           if n.role == "param" and tensor_of(n.id) in self.training.frozen)
        wanted = [n.id for n in built.graph.nodes if n.role == "param" and n.id not in frozen]
        if self.input_gradients:
            wanted += [input_id(i) for i in range(self.network.input_size)]
        settings = BatchSettings(
            loss_symbol=notation.loss, batch_loss_symbol=notation.batch_loss,
            mean_over_samples=self.network.loss.mean_over_samples, learning_rate=eta,
            frozen=frozen, rounding=hand_round if hand else None,
            sample_loss=notation.sample_loss)
        samples = [sample_values(self.data, int(r)) for r in rows]
        steps = batch_steps(built.graph, samples, params, settings,
                            sample_ids=[int(r) for r in rows], differentiate=wanted,
                            order=built.backward_order)
        return Trace(tuple(steps), notation.loss)

    def check_trace_size(self, granularity: Granularity | str,
                         samples: int | None = None) -> None:
        """Refuse (LimitError) a trace too large to hold before any of it is built."""
        granularity = Granularity(granularity)
        samples = len(self.first_batch()) if samples is None else samples
        parameters = sum(t.size for t in self.params.tensors().values())
        if granularity is Granularity.LAYER:
            check_layer_trace(parameters, samples, len(self.network.layers))
        else:
            network = self.network
            nodes = (network.input_size + network.output_size
                     + 2 * sum(layer.size for layer in network.layers))
            check_node_trace(parameters, nodes, samples)

    def gradients(self) -> Gradients:
        """Loss and gradients over the whole dataset (fast path)."""
        return loss_and_gradients(self.network, self.params, self.data)

    def train(self, updates: int) -> TrainingRun:
        parameters = sum(t.size for t in self.params.tensors().values())
        check_training(parameters, len(self.first_batch()), updates, len(self.data))
        return train(self.network, self.params, self.data, self.training, updates)

    def with_params(self, params: Parameters) -> NetworkProblem:
        return replace(self, params=params)
