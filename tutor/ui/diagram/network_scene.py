"""The network diagram: neurons in columns, weights on edges, values and adjoints as they
are computed.

The scene is built once per network structure (``structure_changed``); a cursor move or a new
trace only updates the existing items' states and texts.  Wide layers are drawn as their
first and last few neurons around an aggregate item, so a 784-128-10 network stays small.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSimpleTextItem, QLineEdit, QWidget

from tutor.engine import NetworkProblem
from tutor.engine.ids import BIAS, INPUT, TARGET, act_tensor, bias_tensor, pre_tensor
from tutor.engine.network import BiasMode, input_symbols, layer_symbols, target_symbols
from tutor.engine.network_graph import (
    LOSS,
    act_id,
    bias_id,
    input_id,
    intercept_id,
    parse_id,
    pre_id,
    target_id,
    weight_id,
)
from tutor.engine.notation import format_number, to_unicode, updated_text
from tutor.session.readout import Readout
from tutor.ui.diagram.arrange import arrange
from tutor.ui.diagram.edge_labels import EdgeLabelItem, label_position
from tutor.ui.diagram.edges import EdgeItem
from tutor.ui.diagram.edits import editable
from tutor.ui.diagram.flag_items import FlagOverlay
from tutor.ui.diagram.inline_edit import InlineEditing
from tutor.ui.diagram.items import RADIUS, AggregateItem, NodeItem, Shape
from tutor.ui.diagram.network_layout import (
    ACTIVATION_GAP,
    AGGREGATE_SLOT,
    COLUMN_GAP,
    HEAD_GAP,
    LABEL_AT,
    TAIL,
    Column,
    labelled,
    row_gap,
    shown_indices,
)
from tutor.ui.diagram.tags import fonts as _fonts
from tutor.ui.diagram.view import TraceDiagramView, mark_flow
from tutor.ui.style import NodeState, theme


class NetworkDiagramView(InlineEditing, TraceDiagramView):
    """The network as students draw it, kept in step with the document's cursor."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("network_diagram")
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[str, EdgeItem] = {}  # weight edges by weight/bias id
        self.labels: dict[str, EdgeLabelItem] = {}
        self.aggregates: dict[str, AggregateItem] = {}
        self.links: list[EdgeItem] = []  # every edge, weights and plain lines alike
        self._largest: dict[int, float] = {}
        self._layer_symbols: list = []
        self._readout: Readout | None = None
        self._drawn: tuple[Readout, int] | None = None  # what the items show
        self._editor: QLineEdit | None = None
        document.structure_changed.connect(self._on_new_structure)
        document.trace_changed.connect(self._on_trace_change)
        document.cursor_changed.connect(self._on_cursor_change)
        theme().changed.connect(self._on_structure_change)
        self._on_structure_change()
        self.flag_overlay = FlagOverlay(self)  # misconception badges, after the build

    # -- building ------------------------------------------------------------------------

    def _on_structure_change(self) -> None:
        self._cancel_edit()
        self.scene().clear()
        self.nodes.clear()
        self.edges.clear()
        self.labels.clear()
        self.aggregates.clear()
        self.links.clear()
        self._largest.clear()  # a stale layer index outlives a removed layer otherwise
        problem = self.document.exercise.problem
        if isinstance(problem, NetworkProblem):
            self._build(problem)
        else:
            message = QGraphicsSimpleTextItem(
                "This exercise is an expression, not a network:\n"
                "use the computation graph view.")
            message.setFont(theme().font(1.2))
            message.setBrush(theme().palette.color("text"))
            self.scene().addItem(message)
        self._on_trace_change()
        self.refit()

    def _build(self, problem: NetworkProblem) -> None:
        network = problem.network
        s = theme().font_scale
        columns: list[Column] = []
        x = 0.0
        inputs = Column(x)
        if network.layers[0].bias is BiasMode.FOLDED:
            inputs.slots.append(intercept_id(0))
        self._add_indexed(inputs, INPUT, network.input_size, input_id)
        columns.append(inputs)
        symbols = {input_id(i): sym for i, sym in enumerate(input_symbols(network))}
        self._layer_symbols = [layer_symbols(network, n) for n in range(len(network.layers))]
        for n, layer in enumerate(network.layers):
            syms = self._layer_symbols[n]
            symbols[intercept_id(n)] = syms.intercept
            x += self._column_gap(network, n)
            pre = Column(x)
            self._add_indexed(pre, pre_tensor(n), layer.size, lambda j, n=n: pre_id(n, j))
            columns.append(pre)
            for j in range(layer.size):
                symbols[pre_id(n, j)] = syms.pre[j]
                symbols[act_id(network, n, j)] = syms.act[j]
            out = pre
            if not layer.activation.is_identity:
                x += ACTIVATION_GAP * s
                out = Column(x)
                self._add_indexed(out, act_tensor(n), layer.size,
                                  lambda j, n=n: act_id(network, n, j))
                columns.append(out)
            if n + 1 < len(network.layers) and network.layers[n + 1].bias is BiasMode.FOLDED:
                out.slots.insert(0, intercept_id(n + 1))
                symbols[intercept_id(n + 1)] = self._layer_symbols[n + 1].intercept
        x += HEAD_GAP * s
        for k, sym in enumerate(target_symbols(network)):
            symbols[target_id(k)] = sym
        columns += self._head(x, out, network.output_size)
        symbols[LOSS] = network.notation.loss
        self._place(columns, symbols, row_gap(network))
        self._connect(problem)

    def _column_gap(self, network, n: int) -> float:
        """From layer ``n``'s inputs to its pre-activations: COLUMN_GAP, or wide enough for a
        weight label's gradient line (``∂ℓ/∂W⁽¹⁾₂,₂ = −0.0670908``) between two nodes, so
        the labels of the edges a step uses find a place on them."""
        gap = COLUMN_GAP * theme().font_scale
        if not labelled(network.sizes[n], network.layers[n].size):
            return gap
        _, _, small = _fonts()
        widest = max((to_unicode(w) for row in self._layer_symbols[n].weights for w in row),
                     key=len, default="w")
        label = theme().text_width(small, f"∂ℓ/∂{widest} = −0.0000000") + 10
        return max(gap, label + 2 * RADIUS * theme().font_scale * 1.6 + 40)

    def _head(self, x: float, out: Column, outputs: int) -> list[Column]:
        """The targets and the loss.  One or two targets stand above and below the loss, in
        its column and level with the outputs, so the loss step's nodes sit close together;
        more stand in a column below the outputs, where no output → loss line runs."""
        s = theme().font_scale
        middle = out.offset + (len(out.slots) - outputs) / 2  # the outputs' middle row
        if outputs <= 2:
            head = Column(x + HEAD_GAP * s / 2, offset=middle)
            self._add_indexed(head, TARGET, outputs, target_id)
            head.slots.insert(1 if outputs == 2 else 0, LOSS)
            head.offset += 0.5 if outputs == 1 else 0.0
            return [head]
        targets = Column(x, offset=(len(out.slots) + outputs) / 2)
        self._add_indexed(targets, TARGET, outputs, target_id)
        return [targets, Column(x + HEAD_GAP * s, [LOSS], offset=targets.offset / 2)]

    def _add_indexed(self, column: Column, group: str, size: int, make_id) -> None:
        shown, hidden = shown_indices(size)
        for k in shown:
            if hidden and k == size - TAIL:
                column.slots.append(AGGREGATE_SLOT + group)
                self.aggregates[group] = AggregateItem(group, f"{hidden} more")
            column.slots.append(make_id(k))

    def _place(self, columns: list[Column], symbols: dict[str, str], gap: float) -> None:
        for column in columns:
            top = (column.offset - (len(column.slots) - 1) / 2) * gap
            for row, node_id in enumerate(column.slots):
                pos = QPointF(column.x, top + row * gap)
                item = self._make_item(node_id, symbols)
                item.setPos(pos)
                self.scene().addItem(item)

    def _make_item(self, node_id: str, symbols: dict[str, str]) -> QGraphicsItem:
        if node_id.startswith(AGGREGATE_SLOT):
            return self.aggregates[node_id.removeprefix(AGGREGATE_SLOT)]
        parsed = parse_id(node_id)
        group = parsed.tensor if parsed is not None else node_id
        shape = Shape.BOX if node_id == LOSS else Shape.CIRCLE
        size = 0.75 if node_id.startswith("one") else 1.0
        item = NodeItem(node_id, group, to_unicode(symbols[node_id]), shape, size=size)
        item.editable = editable(node_id)
        self.nodes[node_id] = item
        return item

    def _connect(self, problem: NetworkProblem) -> None:
        network = problem.network
        prev = [input_id(i) for i in range(network.input_size)]
        for n, layer in enumerate(network.layers):
            weights, bias = problem.params.weights[n], problem.params.biases[n]
            self._largest[n] = float(max(np.max(np.abs(weights)),
                                         0.0 if bias is None else np.max(np.abs(bias))))
            targets = [pre_id(n, j) for j in range(layer.size)]
            drawn = [(j, t) for j, t in enumerate(targets) if t in self.nodes]
            sources = [(i, p) for i, p in enumerate(prev) if p in self.nodes]
            with_labels = (labelled(len(prev), layer.size)
                           and len(drawn) == layer.size and len(sources) == len(prev))
            for i, source in sources:
                for j, target in drawn:
                    self._weight_edge(weight_id(n, j, i), source, target, with_labels)
            if layer.bias is BiasMode.FOLDED:
                for j, target in drawn:
                    self._weight_edge(bias_id(n, j), intercept_id(n), target, with_labels)
            elif layer.bias is BiasMode.SEPARATE:
                for j, target in drawn:
                    self._bias_square(n, j, target)
            self._aggregate_edges(prev, targets)
            if not layer.activation.is_identity:
                for j, target in drawn:
                    self._plain_edge(target, act_id(network, n, j))
            prev = [act_id(network, n, j) for j in range(layer.size)]
        for k, output in enumerate(prev):
            if output in self.nodes:
                self._plain_edge(output, LOSS)
            if target_id(k) in self.nodes:
                self._plain_edge(target_id(k), LOSS)

    def _weight_edge(self, node_id: str, source: str, target: str, with_label: bool) -> None:
        edge = EdgeItem(self.nodes[source], self.nodes[target], weight_id=node_id)
        self.edges[node_id] = edge
        self.links.append(edge)
        self.scene().addItem(edge)
        parsed = parse_id(node_id)
        symbol = to_unicode(self._symbol_of(node_id))
        if not with_label:
            edge.setToolTip(symbol)
            return
        label = EdgeLabelItem(node_id, parsed.tensor if parsed else node_id, symbol)
        label.editable = True
        # near the source the edges of one fan are well apart, so each label sits on its own
        label.setPos(label_position(edge, label, LABEL_AT))
        self.labels[node_id] = label
        self.scene().addItem(label)

    def _bias_square(self, n: int, j: int, target: str) -> None:
        node_id = bias_id(n, j)
        item = NodeItem(node_id, bias_tensor(n), to_unicode(self._symbol_of(node_id)),
                        Shape.SQUARE, size=0.7)
        item.editable = True
        anchor = self.nodes[target].pos()
        s = theme().font_scale
        # straight above its neuron: the weight edges come in from the side, never through it
        target_body = self.nodes[target].body()
        item.setPos(anchor + QPointF(0, target_body.top() - item.body().height() / 2
                                     - 36 * s))
        self.nodes[node_id] = item
        self.scene().addItem(item)
        edge = EdgeItem(item, self.nodes[target], weight_id=node_id)
        self.edges[node_id] = edge
        self.links.append(edge)
        self.scene().addItem(edge)

    def _aggregate_edges(self, sources: list[str], targets: list[str]) -> None:
        """Dim lines from an aggregate to the drawn neurons, and from drawn ones into one."""
        source_group = parse_id(sources[0]).tensor
        target_group = parse_id(targets[0]).tensor
        if source_group in self.aggregates:
            for target in targets:
                if target in self.nodes:
                    self._plain_edge_items(self.aggregates[source_group], self.nodes[target])
        if target_group in self.aggregates:
            for source in sources:
                if source in self.nodes:
                    self._plain_edge_items(self.nodes[source], self.aggregates[target_group])

    def _plain_edge(self, source: str, target: str) -> None:
        self._plain_edge_items(self.nodes[source], self.nodes[target])

    def _plain_edge_items(self, source: QGraphicsItem, target: QGraphicsItem) -> None:
        edge = EdgeItem(source, target)
        self.links.append(edge)
        self.scene().addItem(edge)

    def _symbol_of(self, node_id: str) -> str:
        """A weight's or bias's symbol (markup)."""
        parsed = parse_id(node_id)
        syms = self._layer_symbols[parsed.layer_index]
        if parsed.prefix == BIAS:
            return syms.biases[parsed.index[0]]
        j, i = parsed.index
        return syms.weights[j][i]

    # -- updating in place -----------------------------------------------------------------

    def _on_trace_change(self) -> None:
        problem = self.document.exercise.problem
        if not isinstance(problem, NetworkProblem):
            self._readout = None
            return
        self._readout = Readout(self.document.trace, problem, self.document.sample)
        for n in self._largest:
            weights, bias = problem.params.weights[n], problem.params.biases[n]
            self._largest[n] = float(max(np.max(np.abs(weights)),
                                         0.0 if bias is None else np.max(np.abs(bias))))
        self._refresh()

    def _refresh(self) -> None:
        readout = self._readout
        if readout is None or not len(readout.trace):
            return
        if self.explicitly_hidden():  # e.g. the other page of the centre: until shown
            return
        readout.move(self.document.cursor)
        self._drawn = (readout, self.document.cursor)
        self._show_caption()
        loss_symbol = self.document.exercise.problem.network.notation
        for node_id, item in self.nodes.items():
            leaf = item.group[0] in "xyWb" or node_id.startswith("one")
            value = readout.value(node_id)
            state = readout.state(node_id, leaf=leaf)
            item.show(state, "" if value is None else format_number(value),
                      self._adjoint_text(node_id, item.symbol, loss_symbol),
                      readout.badge(node_id))
        for node_id, edge in self.edges.items():
            parsed = parse_id(node_id)
            state = readout.state(node_id, leaf=True)
            edge.show(readout.value(node_id), self._largest.get(parsed.layer - 1, 1.0), state)
        flowing = mark_flow(self.links, readout.step)
        self.flow.start(flowing)
        self._touched = frozenset(e.weight_id for e in flowing if e.weight_id is not None)
        for node_id, label in self.labels.items():
            state = readout.state(node_id, leaf=True)
            label.show(state, self._label_lines(node_id, label, loss_symbol),
                       readout.badge(node_id),
                       compact=node_id in self._touched and state is NodeState.GIVEN)
            label.setPos(label_position(self.edges[node_id], label, LABEL_AT))  # new width
        for group, aggregate in self.aggregates.items():
            aggregate.show(self._aggregate_state(group))
        self.follow(arrange(self, self._touched))

    def _adjoint_text(self, node_id: str, symbol: str, notation) -> str:
        return self._readout.adjoint_text(node_id, symbol, to_unicode(notation.loss),
                                          to_unicode(notation.batch_loss))

    def _label_lines(self, node_id: str, label: EdgeLabelItem, notation) -> tuple[str, ...]:
        readout = self._readout
        value = readout.value(node_id)
        shown = None if value is None else format_number(value)
        # a weight the sheet names by its value (a fixed 1) reads "1", not "1 = 1"
        lines = [label.symbol if shown in (None, label.symbol)
                 else f"{label.symbol} = {shown}"]
        gradient = self._adjoint_text(node_id, label.symbol, notation)
        if gradient:
            lines.append(gradient)
        updated = readout.updated(node_id)
        if updated is not None:
            lines.append(f"{updated_text(label.symbol)} = {format_number(updated)}")
        return tuple(lines)

    def _aggregate_state(self, group: str) -> NodeState:
        step = self._readout.step
        if step is None:
            return NodeState.GIVEN
        parsed = parse_id(step.node)
        if step.node == group or (parsed is not None and parsed.tensor == group
                                  and step.node not in self.nodes):
            return NodeState.CURRENT
        return NodeState.GIVEN

    def item_for(self, node_id: str) -> QGraphicsItem | None:
        return self.labels.get(node_id) or self.nodes.get(node_id) or self.edges.get(node_id)
