"""Diagrams of the exercise: the network as drawn on a sheet, and its computation graph."""

from tutor.ui.diagram.network_scene import NetworkDiagramView

__all__ = ["NetworkDiagramView"]
