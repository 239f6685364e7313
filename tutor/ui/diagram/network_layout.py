"""Where the network diagram puts things: which neurons of a wide layer are drawn, the columns
they stand in and the gaps between columns and rows (wider when weights carry labels)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.ui.diagram.edge_labels import label_height
from tutor.ui.style import theme

AGGREGATE_ABOVE = 12  # layers wider than this are drawn as head … tail
HEAD, TAIL = 3, 2
LABELS_UP_TO = 30  # a layer with more drawn weights shows no weight labels (tooltips instead)
LABEL_AT = 0.5  # where a hidden weight label waits on its edge (0: source, 1: target)
LABEL_ROOM = 1.1  # rows apart: this many label heights between the labels of one fan
COLUMN_GAP = 330.0  # between a layer's input column and its pre-activations
ACTIVATION_GAP = 230.0  # between a pre-activation and its activation: room for the flow
HEAD_GAP = 170.0  # outputs → targets → loss
ROW_GAP = 140.0


def shown_indices(size: int) -> tuple[list[int], int]:
    """The neuron indices drawn for a layer of ``size`` and how many are aggregated."""
    if size <= AGGREGATE_ABOVE:
        return list(range(size)), 0
    return [*range(HEAD), *range(size - TAIL, size)], size - HEAD - TAIL


AGGREGATE_SLOT = "…"  # a column slot "…x" holds the aggregate of group x


@dataclass
class Column:
    """One column of the layout, top to bottom: node ids and aggregate slots."""

    x: float
    slots: list[str] = field(default_factory=list)
    offset: float = 0.0  # the column's centre, in rows below the diagram's middle


def labelled(inputs: int, outputs: int) -> bool:
    """Whether a layer's weights are drawn with labels (few enough to read)."""
    return outputs * (inputs + 1) <= LABELS_UP_TO


def row_gap(network) -> float:
    """The distance between rows: ROW_GAP, or more when weights are labelled.

    The labels of one input's edges sit about LABEL_AT along edges to neighbouring rows, so
    about LABEL_AT × the gap apart; a label has up to three lines (value, gradient, update).
    The placement slides labels along their edges, so the rows need no more room than that:
    a taller diagram would only shrink everything when fitted (in presentation mode at 1080p
    the loss step's outputs, targets and loss must fit at 34 px a line).
    """
    gap = ROW_GAP * theme().font_scale
    if not any(labelled(size, layer.size) for size, layer in zip(network.sizes, network.layers,
                                                                   strict=False)):
        return gap
    # a label is pushed further along its edge to clear its node, each by its own amount
    return max(gap, LABEL_ROOM * label_height(3) / LABEL_AT)
