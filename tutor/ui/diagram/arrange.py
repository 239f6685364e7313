"""Arranging a diagram's texts after each cursor move, and reading back where they went.

:func:`arrange` gives every tag, edge label and flag badge of a view a place by
:mod:`~tutor.ui.diagram.placement` and returns the *focus*: the rectangle holding what the
current step computes and reads, which the view keeps in sight.  :func:`text_boxes` lists
every visible text with its scene rectangle and font, for the geometry tests.

A view offers ``nodes`` (id → :class:`NodeItem`), and may offer ``labels`` (weight id →
:class:`EdgeLabelItem`), ``edges`` (by the same ids), ``aggregates``, ``flag_overlay`` and
``message``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem

from tutor.ui.diagram.placement import Box, Focus, Request, along, around, place
from tutor.ui.diagram.tags import Role, fonts, tag_font
from tutor.ui.style import NodeState, theme

IMPORTANT = (NodeState.CURRENT, NodeState.CACHED_READ)
LABEL_FRACTIONS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def _box(rect: QRectF) -> Box:
    return rect.left(), rect.top(), rect.right(), rect.bottom()


def _point(item: QGraphicsItem) -> tuple[float, float]:
    pos = item.scenePos()
    return pos.x(), pos.y()


def _flag_badges(view) -> list:
    overlay = getattr(view, "flag_overlay", None)
    if overlay is None:
        return []
    return [(node, badge) for node, badge in overlay.badges.values()
            if shiboken6.isValid(badge) and badge.isVisible()]


def _banner(view):
    overlay = getattr(view, "flag_overlay", None)
    banner = getattr(overlay, "banner", None)
    return banner if banner is not None and shiboken6.isValid(banner) \
        and banner.isVisible() else None


def arrange(view, touched: frozenset[str] = frozenset()) -> QRectF:
    """Place the view's texts; ``touched``: weight ids whose labels must show (the edges the
    step highlights).  Returns the focus rectangle (empty when no step is shown)."""
    scale = theme().font_scale
    gap = 3.0 * scale
    nodes = view.nodes
    labels = getattr(view, "labels", {})
    obstacles = [_box(node.outline()) for node in nodes.values()]
    obstacles += [_box(a.sceneBoundingRect()) for a in getattr(view, "aggregates", {}).values()]
    banner = _banner(view)
    if banner is not None:
        obstacles.append(_box(banner.sceneBoundingRect()))
    first: list[Request] = []
    badges: list[Request] = []
    adjoints: list[Request] = []
    captions: list[Request] = []
    rest: list[Request] = []
    tags: dict[object, object] = {}
    for node in nodes.values():
        body = _box(node.outline())
        for role in (Role.ASKED, Role.ADJOINT, Role.BADGE, Role.CAPTION):
            must = node.state in IMPORTANT or role is Role.ASKED
            tag = node.tags.get(role)
            if tag is None or not tag.text:
                if tag is not None:
                    tag.place_at(None)
                continue
            size = tag.size()
            candidates = around(body, size.width(), size.height(), gap,
                                below_first=role is Role.CAPTION, far=must)
            # a caption far from its node reads as another's ("fan-out 2" by x, not z)
            request = Request(tag, size.width(), size.height(), candidates, must,
                              reach=role is not Role.CAPTION, owner=body)
            tags[tag] = tag
            queue = first if must and role is not Role.CAPTION else (
                captions if role is Role.CAPTION else adjoints)
            queue.append(request)
    for node, badge in _flag_badges(view):
        rect = badge.boundingRect()
        candidates = around(_box(node.outline()), rect.width(), rect.height(), gap,
                            below_first=True, far=True)
        badges.append(Request(badge, rect.width(), rect.height(), candidates,
                              node.state in IMPORTANT,  # in the focus: keep it compact
                              owner=_box(node.outline())))
        tags[badge] = badge
    for weight, label in labels.items():
        edge = view.edges[weight]
        must = label.state in IMPORTANT or weight in touched
        rect = label.boundingRect()
        height = rect.height()
        offsets = (0.0, 0.45 * height, -0.45 * height, 0.9 * height, -0.9 * height) if must \
            else (0.0, 0.45 * height, -0.45 * height)
        candidates = along(_point(edge.source), _point(edge.target), LABEL_FRACTIONS, offsets)
        request = Request(label, rect.width(), rect.height(), candidates, must)
        (first if must else rest).append(request)
    # the current node's texts first, then the labels of the edges the step uses (they can
    # only slide along their edge), then the texts of the nodes it reads
    first.sort(key=lambda r: 1 if r.key not in tags else 0 if getattr(
        _owner(r.key), "state", None) is NodeState.CURRENT or getattr(
        r.key, "role", None) is Role.ASKED else 2)
    placed = place(obstacles, [*first, *badges, *adjoints, *captions, *rest], gap,
                   cell=150.0 * scale, focus=_focus(view))
    focus = QRectF()
    for request in [*first, *badges, *adjoints, *captions, *rest]:
        item, centre = request.key, placed[request.key]
        if item in tags:
            if hasattr(item, "place_at"):
                item.place_at(None if centre is None else QPointF(*centre))
            elif centre is not None:
                item.setPos(QPointF(*centre))
            else:
                item.setVisible(False)
        else:  # an edge label: its own position, or hidden with its text on hover
            shown = centre is not None
            if shown:  # the box is not centred on the label's origin under a badge
                item.setPos(QPointF(*centre) - item.boundingRect().center())
            item.setVisible(shown)
            view.edges[item.node_id].setToolTip("" if shown else "\n".join(item.lines))
        if request.must and centre is not None:
            focus = focus.united(item.sceneBoundingRect())
    for node in nodes.values():
        if node.state in IMPORTANT or node.tag_text(Role.ASKED):
            focus = focus.united(node.outline())
    for node, badge in _flag_badges(view):
        if node.state in IMPORTANT and badge.isVisible():
            focus = focus.united(badge.sceneBoundingRect())
    return focus


def _focus(view) -> Focus:
    """The nodes the step computes and reads, which its texts should widen least."""
    box = QRectF()
    for node in view.nodes.values():
        if node.state in IMPORTANT or node.tag_text(Role.ASKED):
            box = box.united(node.outline())
    viewport = view.viewport().rect() if hasattr(view, "viewport") else None
    aspect = viewport.width() / viewport.height() if viewport and viewport.height() else 1.0
    return Focus(None if box.isEmpty() else _box(box), aspect)


def _owner(item: QGraphicsItem) -> QGraphicsItem:
    return item.parentItem() or item


@dataclass(frozen=True)
class TextBox:
    """One visible text of a diagram: who owns it, what it is, where, and in which font."""

    owner: str  # a node or weight id; "" for the diagram's own texts
    role: str
    rect: QRectF  # scene coordinates
    font: QFont
    important: bool  # computed or read by the current step


def text_boxes(view) -> Iterator[TextBox]:
    """Every visible text of ``view``'s scene."""
    symbol_font, number_font, _ = fonts()
    for node_id, node in view.nodes.items():
        important = node.state in IMPORTANT
        for n, rect in enumerate(node.text_rects()):
            yield TextBox(node_id, "symbol" if n == 0 else "value", rect,
                          symbol_font if n == 0 else number_font, important)
        for role, tag in node.tags.items():
            if tag.isVisible() and tag.text:
                yield TextBox(node_id, str(role), tag.text_rect(), tag_font(), important)
    for weight, label in getattr(view, "labels", {}).items():
        if label.isVisible():
            important = label.state in IMPORTANT
            for n, (rect, font) in enumerate(label.text_rects()):
                yield TextBox(weight, f"edge label {n}", rect, font, important)
    for node, badge in _flag_badges(view):
        yield TextBox(node.node_id, "flag", badge.sceneBoundingRect(),
                      theme().label_font(1.0, bold=True), False)
    banner = _banner(view)
    if banner is not None:
        yield TextBox("", "banner", banner.sceneBoundingRect(), theme().label_font(1.15),
                      False)
    for aggregate in getattr(view, "aggregates", {}).values():
        yield TextBox(aggregate.group, "aggregate", aggregate.sceneBoundingRect(), number_font,
                      False)
