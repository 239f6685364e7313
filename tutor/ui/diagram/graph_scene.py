"""The computation graph: every scalar node and operation, sources left, the loss right.

For a network it draws ``problem.graph().graph`` (weights are nodes here, not edge labels);
for an expression exercise ``problem.graph()``.  The layout comes from the engine's
:func:`~tutor.engine.layout.layered_layout`.  Like the network diagram, the scene is built
once per structure and its items are updated in place when the cursor moves.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QWidget

from tutor.engine import NetworkProblem
from tutor.engine.graph import Graph, Node
from tutor.engine.layout import layered_layout
from tutor.engine.network import BiasMode, Network, Residual
from tutor.engine.notation import format_number, to_unicode
from tutor.session.readout import Readout
from tutor.ui.diagram.arrange import arrange
from tutor.ui.diagram.edges import EdgeItem
from tutor.ui.diagram.flag_items import FlagOverlay
from tutor.ui.diagram.items import NodeItem, Shape
from tutor.ui.diagram.tags import fonts as _fonts
from tutor.ui.diagram.view import TraceDiagramView, mark_flow
from tutor.ui.style import NodeState, theme

MAX_NODES = 150  # beyond this a scalar graph is unreadable (and slow): say so instead
COLUMN_GAP = 190.0
ROW_GAP = 95.0  # 120 stood six read leaves 1,400 units tall: 31 px labels presenting at 1080p
EDGE_ROOM = 70.0  # between the widest possible nodes of two columns (110 bound the CMU
# expression's ∂f/∂z step, four columns wide, to 29.6 px presenting at 1080p)
STAGGER_ABOVE = 9  # a column of more nodes than this is drawn as two half-columns

OPERATION_GLYPHS = {
    "add": "+", "subtract": "−", "multiply": "×", "divide": "÷", "power": "xʸ",
    "negate": "−x", "identity": "=", "power_constant": "xⁿ", "weighted_sum": "Σ w·x",
    "difference": "−", "squared_error": "Σ(·)²", "binary_cross_entropy": "cross-entropy",
}


def network_node_count(network: Network) -> int:
    """How many scalar nodes ``build_graph`` would make, without building it."""
    residuals = network.loss.residual is not Residual.NONE
    count = network.input_size + network.output_size * (1 + residuals) + 1  # …, targets, loss
    for fan_in, layer in zip(network.sizes, network.layers, strict=False):
        per_neuron = fan_in + 1 + (layer.bias is not BiasMode.NONE) + (
            not layer.activation.is_identity)
        count += layer.size * per_neuron + (layer.bias is BiasMode.FOLDED)
    return count


def operation_glyph(node: Node) -> str:
    op = node.op
    if op is None:
        return ""
    activation = getattr(op, "activation", None)
    if activation is not None:
        return activation.display
    rule = getattr(op, "rule", None)
    if rule is not None:
        return rule.display
    return OPERATION_GLYPHS.get(op.name, op.name)


def _crosses(a: QPointF, b: QPointF, rect: QRectF) -> bool:
    """Whether the segment a → b passes through ``rect`` (a is left of b)."""
    if b.x() - a.x() < 1e-9 or rect.right() < a.x() or rect.left() > b.x():
        return False
    slope = (b.y() - a.y()) / (b.x() - a.x())
    ys = [a.y() + slope * (x - a.x()) for x in (max(rect.left(), a.x()),
                                                 min(rect.right(), b.x()))]
    return min(ys) <= rect.bottom() and max(ys) >= rect.top()


def _as_wide(rect: QRectF, widest: float) -> QRectF:
    """A node's outline as wide as it may become once it shows a value: two-class-2d's
    h₁ → z₂ edge was clear of h₂ when drawn and ran through it once h₂ showed −0.462117."""
    half = max(rect.width(), widest) / 2
    return QRectF(rect.center().x() - half, rect.top(), 2 * half, rect.height())


def detour(edge: EdgeItem, first: int, last: int, columns: dict[int, list[NodeItem]],
           widest: float = 0.0) -> tuple[QPointF, ...]:
    """Bends for an edge that would pass through a node it does not connect: the CMU
    graph's z → v₃ ran straight through v₄, and a steep edge between wide nodes clipped the
    source's neighbours.  The bent edge leaves its source level, clear of the source's
    column, crosses each column between at a height where no node is (just above or below
    the ones in the way), and enters the target's column level with the target."""
    margin = 14 * theme().font_scale
    a, b = edge.source.pos(), edge.target.pos()
    ends = (edge.source, edge.target)
    outlines = {c: [_as_wide(n.outline(), widest).adjusted(-margin, -margin, margin, margin)
                    for n in columns.get(c, ()) if n not in ends]
                for c in range(first, last + 1)}
    if not any(_crosses(a, b, r) for rects in outlines.values() for r in rects):
        return ()

    def band(c: int) -> tuple[float, float]:
        """The column's extent (both halves of a staggered one), as wide as its nodes will
        be once they show values."""
        rects = [_as_wide(n.outline(), widest) for n in columns.get(c, ())]
        return min(r.left() for r in rects) - margin, max(r.right() for r in rects) + margin

    bends = [QPointF(band(first)[1], a.y())]
    for c in range(first + 1, last):
        rects = outlines[c]
        if not rects:
            continue
        left, right = band(c)
        x = (left + right) / 2
        y = a.y() + (b.y() - a.y()) * (x - a.x()) / (b.x() - a.x())
        options = [y] + [r.top() for r in rects] + [r.bottom() for r in rects]
        free = [o for o in options if not any(r.top() < o < r.bottom() for r in rects)]
        y = min(free, key=lambda o: abs(o - y))
        bends += [QPointF(left, y), QPointF(right, y)]
    bends.append(QPointF(band(last)[0], b.y()))
    return tuple(bends)


def centre_shared_leaves(graph: Graph, places: dict[str, tuple[int, int]]
                         ) -> dict[str, tuple[int, int]]:
    """``places`` with each leaf that feeds several nodes (an input x every hidden unit reads)
    moved to the middle of its consumers.  At its column's top (the order with fewest
    crossings) the step computing the last unit read x, W₇ and b₇ across the whole column:
    1,400 units tall, labels at 23 px presenting at 1080p.  In the middle, any one step
    reads across half of it at most."""
    columns: dict[int, list[str]] = {}
    for node_id, (column, _) in sorted(places.items(), key=lambda item: item[1]):
        columns.setdefault(column, []).append(node_id)

    def centred(node_id: str) -> float:
        column, row = places[node_id]
        return row - (len(columns[column]) - 1) / 2

    moved = {c: list(ids) for c, ids in columns.items()}
    for node in graph.nodes:
        consumers = dict.fromkeys(c for c, _ in graph.consumers[node.id])
        if node.inputs or len(consumers) < 2:
            continue
        order = moved[places[node.id][0]]
        middle = sum(centred(c) for c in consumers) / len(consumers)
        order.remove(node.id)
        order.insert(min(max(round(middle + len(order) / 2), 0), len(order)), node.id)
    return {node_id: (column, row) for column, ids in moved.items()
            for row, node_id in enumerate(ids)}


def staggered(graph: Graph, places: dict[str, tuple[int, int]]) -> dict[int, int]:
    """Columns of more than STAGGER_ABOVE leaves, each drawn as two half-columns side by side
    at half the row pitch, and the row parity of its front half (nearer the consumers, with
    the most-read leaf).  curve-fit-1d's 15 inputs, weights and biases stood 1,400 units
    tall: the step computing the last unit read x and its weight across half of that."""
    rows: dict[int, list[tuple[int, int]]] = {}
    for node in graph.nodes:
        column, row = places[node.id]
        rows.setdefault(column, []).append((len(graph.consumers[node.id]), row))
    return {column: max(found)[1] % 2 for column, found in rows.items()
            if len(found) > STAGGER_ABOVE}


class GraphView(TraceDiagramView):
    """The scalar computation graph with values, adjoints and the same highlighting."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("computation_graph")
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.message: QGraphicsSimpleTextItem | None = None
        self._readout: Readout | None = None
        self._drawn: tuple[Readout, int] | None = None  # what the items show
        document.structure_changed.connect(self._on_new_structure)
        document.trace_changed.connect(self._on_trace_change)
        document.cursor_changed.connect(self._on_cursor_change)
        theme().changed.connect(self._on_structure_change)
        self._on_structure_change()
        self.flag_overlay = FlagOverlay(self)  # misconception badges, after the build

    # -- building ------------------------------------------------------------------------

    def _graph(self) -> Graph | None:
        """The graph to draw, or None (with a message) when it would be too big."""
        problem = self.document.exercise.problem
        if isinstance(problem, NetworkProblem):
            count = network_node_count(problem.network)
            if count > MAX_NODES:
                self._show_message(
                    f"This network's computation graph has {count:,} scalar nodes: too many "
                    f"to draw legibly.\nUse the network diagram, or a smaller network "
                    f"(up to {MAX_NODES} nodes).")
                return None
            return problem.graph().graph
        graph = getattr(problem, "graph", None)
        if not callable(graph):
            self._show_message("This exercise has no computation graph.")
            return None
        return graph()

    def _show_message(self, text: str) -> None:
        self.message = QGraphicsSimpleTextItem(text)
        self.message.setFont(theme().font(1.2))
        self.message.setBrush(theme().palette.color("text"))
        self.scene().addItem(self.message)

    def _on_structure_change(self) -> None:
        self.scene().clear()
        self.nodes.clear()
        self.edges.clear()
        self.message = None
        graph = self._graph()
        if graph is not None:
            self._build(graph)
        self._on_trace_change()
        self.refit()

    def _build(self, graph: Graph) -> None:
        scale = theme().font_scale
        places = centre_shared_leaves(graph, layered_layout(graph))
        heights: dict[int, int] = {}
        for column, row in places.values():
            heights[column] = max(heights.get(column, 0), row + 1)
        gap = self._column_gap(graph)
        widest = gap - EDGE_ROOM * scale  # a node showing a seven-digit value
        stagger = staggered(graph, places)
        step = widest + 28 * scale  # between a staggered column's two halves
        for node in graph.nodes:
            column, row = places[node.id]
            item = NodeItem(node.id, node.group, to_unicode(node.symbol),
                            Shape.CIRCLE if node.op is None else Shape.BOX)
            fan_out = len(graph.consumers[node.id])
            caption = [operation_glyph(node)]
            if fan_out > 1:
                caption.append(f"fan-out {fan_out}")
            item.caption = " · ".join(c for c in caption if c)
            shift = step * sum(1 for c in stagger if c <= column)
            pitch = ROW_GAP * scale / (2 if column in stagger else 1)
            back = column in stagger and row % 2 != stagger[column]
            item.setPos(QPointF(column * gap + shift - (step if back else 0.0),
                                (row - (heights[column] - 1) / 2) * pitch))
            self.nodes[node.id] = item
            self.scene().addItem(item)
        for node in graph.nodes:
            for source in dict.fromkeys(node.inputs):
                edge = EdgeItem(self.nodes[source], self.nodes[node.id], arrow=True)
                self.edges.append(edge)
                self.scene().addItem(edge)
        columns: dict[int, list[NodeItem]] = {}
        for node_id, (column, _) in places.items():
            columns.setdefault(column, []).append(self.nodes[node_id])
        for edge in self.edges:
            edge.set_via(detour(edge, places[edge.source.node_id][0],
                                places[edge.target.node_id][0], columns, widest))

    @staticmethod
    def _column_gap(graph: Graph) -> float:
        """COLUMN_GAP, or more when nodes are wide (a long symbol, a seven-digit value): an
        edge to the next column then leaves its node at a gentle slope, clear of the node
        below it in the same column."""
        symbol, number, _ = _fonts()
        widest = max([theme().text_width(number, "−0.0000000")]
                     + [theme().text_width(symbol, to_unicode(n.symbol)) for n in graph.nodes])
        scale = theme().font_scale
        return max(COLUMN_GAP * scale, widest + EDGE_ROOM * scale)

    # -- updating in place -----------------------------------------------------------------

    def _on_trace_change(self) -> None:
        if not self.nodes:
            self._readout = None
            return
        problem = self.document.exercise.problem
        self._readout = Readout(self.document.trace, problem, self.document.sample)
        self._refresh()

    def _loss_symbols(self) -> tuple[str, str]:
        problem = self.document.exercise.problem
        if isinstance(problem, NetworkProblem):
            notation = problem.network.notation
            return to_unicode(notation.loss), to_unicode(notation.batch_loss)
        loss = to_unicode(self.document.trace.loss_symbol)
        return loss, loss

    def _refresh(self) -> None:
        readout = self._readout
        if readout is None or not len(readout.trace):
            return
        if self.explicitly_hidden():  # e.g. the other page of the centre: until shown
            return
        readout.move(self.document.cursor)
        self._drawn = (readout, self.document.cursor)
        self._show_caption()
        loss, batch_loss = self._loss_symbols()
        for node_id, item in self.nodes.items():
            leaf = item.shape is Shape.CIRCLE
            value = readout.value(node_id)
            item.show(readout.state(node_id, leaf=leaf),
                      "" if value is None else format_number(value),
                      readout.adjoint_text(node_id, item.symbol, loss, batch_loss),
                      readout.badge(node_id))
        for edge in self.edges:
            edge.show(None, 1.0, self._edge_state(edge))
        self.flow.start(mark_flow(self.edges, readout.step))
        self.follow(arrange(self))

    def _edge_state(self, edge: EdgeItem) -> NodeState:
        """An edge lights up when it carries what the current step reads."""
        ends = {edge.source.state, edge.target.state}
        if ends == {NodeState.CURRENT, NodeState.CACHED_READ}:
            return NodeState.CACHED_READ
        if edge.target.state is NodeState.PENDING:
            return NodeState.PENDING
        return NodeState.GIVEN
