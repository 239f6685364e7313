"""The backpropagation engine: NumPy only, no Qt.

Build a :class:`NetworkProblem` (network, parameters, data, training settings), then ask it
for a :class:`Trace` (every step of the forward and backward pass, with formulas) or train it.
"""

from .activations import Activation
from .batch import dataset_loss, loss_and_gradients
from .expression import ExpressionError, ExpressionProblem
from .gradcheck import GradientCheck, check_gradients
from .graph import Graph, Node, Role
from .layout import layered_layout
from .network import (
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Loss,
    LossKind,
    Network,
    Notation,
    Parameters,
    Residual,
    random_parameters,
)
from .problem import Granularity, NetworkProblem
from .trace import Key, Phase, Quantity, Step, Term, Trace
from .training import (
    ChunkedRun,
    Method,
    Training,
    TrainingRun,
    batch_schedule,
    batches,
    train,
)

__all__ = [
    "Activation",
    "BiasMode",
    "ChunkedRun",
    "Dataset",
    "ExpressionError",
    "ExpressionProblem",
    "GradientCheck",
    "Granularity",
    "Graph",
    "Key",
    "Layer",
    "LayerNotation",
    "Loss",
    "LossKind",
    "Method",
    "Network",
    "NetworkProblem",
    "Node",
    "Notation",
    "Parameters",
    "Phase",
    "Quantity",
    "Residual",
    "Role",
    "Step",
    "Term",
    "Trace",
    "Training",
    "TrainingRun",
    "batch_schedule",
    "batches",
    "check_gradients",
    "dataset_loss",
    "layered_layout",
    "loss_and_gradients",
    "random_parameters",
    "train",
]
