"""Diagrams of the exercise: the network as drawn on a sheet, and its computation graph."""

from tutor.ui.diagram.graph_scene import GraphView
from tutor.ui.diagram.network_scene import NetworkDiagramView

__all__ = ["GraphView", "NetworkDiagramView"]
