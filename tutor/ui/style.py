"""The shared visual vocabulary: colours, outlines and the font scale every view reads.

Colours come from the Okabe–Ito palette, which stays distinguishable under the common forms
of colour blindness.  Colour is never the only cue: a weight's sign is also its line style
(solid positive, dashed negative), the current node has a thick outline, a cached read a
double dashed outline plus a badge, and pending nodes show no number at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

from tutor.session.node_states import NodeState  # the diagrams import it from here too

# Okabe & Ito (2008), "Color Universal Design".
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours as ``#RRGGBB`` strings; ``color(name)`` turns one into a QColor."""

    name: str
    background: str
    text: str
    node_fill: str  # given quantities (inputs, parameters, targets)
    pending: str  # outline and text of quantities not computed yet
    computed: str  # fill of computed quantities
    current: str  # fill/outline of the quantity being computed
    cached_read: str  # outline and badge of cached quantities the step reads
    positive: str  # positive weights
    negative: str  # negative weights
    edge: str  # structural edges (no weight)
    dim: str  # aggregates, secondary labels
    adjoint: str  # text of adjoints (∂ℓ/∂·)
    outline: str  # ordinary node outline
    badge_text: str  # text on a "cached ∂" badge (its fill is ``cached_read``)

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))

    @staticmethod
    def light() -> Palette:
        return Palette(
            name="light", background="#FFFFFF", text=BLACK, node_fill="#F2F2F2",
            pending="#6E6E6E", computed="#D4ECFA", current="#FFE3A6",
            cached_read=REDDISH_PURPLE, positive=BLUE, negative=VERMILLION, edge="#8C8C8C",
            dim="#B4B4B4", adjoint="#8A4A70", outline="#4D4D4D", badge_text=BLACK)

    @staticmethod
    def dark() -> Palette:
        return Palette(
            name="dark", background="#1E1E1E", text="#F0F0F0", node_fill="#2E2E2E",
            pending="#9E9E9E", computed="#15405A", current="#553C00",
            cached_read=REDDISH_PURPLE, positive=SKY_BLUE, negative=ORANGE, edge="#8C8C8C",
            dim="#555555", adjoint="#E7A9CC", outline="#BDBDBD", badge_text=BLACK)

    @staticmethod
    def high_contrast() -> Palette:
        return Palette(
            name="high_contrast", background="#FFFFFF", text=BLACK, node_fill="#FFFFFF",
            pending="#595959", computed="#BFE3F7", current=YELLOW,
            cached_read="#8B0060", positive=BLUE, negative=VERMILLION, edge=BLACK,
            dim="#595959", adjoint="#6B003F", outline=BLACK, badge_text="#FFFFFF")


# Every text a diagram draws: (its colour, the fills it is drawn on), by palette field.
TEXT_ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "node text": ("text", ("node_fill", "computed", "current", "background")),
    "pending symbol": ("pending", ("background",)),
    "adjoint": ("adjoint", ("background", "current")),
    "cached badge": ("badge_text", ("cached_read",)),
    "caption": ("text", ("background",)),
    "edge label": ("text", ("background", "current")),
    "step counter": ("text", ("background",)),
}

# The WCAG 2 contrast the texts need: AA for reading at a desk, AAA on a projector.
NORMAL_CONTRAST, PRESENTATION_CONTRAST = 4.5, 7.0


def contrast(foreground: QColor, background: QColor) -> float:
    """The WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    def luminance(colour: QColor) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
                + 0.0722 * linear(colour.blueF()))
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


PALETTES = {"light": Palette.light, "dark": Palette.dark, "high_contrast": Palette.high_contrast}

# Outline widths at font scale 1; views multiply by the scale.
OUTLINE = 1.5
CURRENT_OUTLINE = 4.0
CACHED_OUTLINE = 2.5
BASE_POINT_SIZE = 10.0


class Theme(QObject):
    """The palette and font scale in force; views listen to ``changed`` and restyle."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._palette = Palette.light()
        self._font_scale = 1.0
        self._label_scale = 1.0
        self._legible_px = NORMAL_LEGIBLE_PX
        self._fonts: dict[tuple[float, bool], QFont] = {}  # items ask on every paint
        # label widths by font and text; each entry holds its font, so no id is reused
        self._widths: dict[tuple[int, str], tuple[QFont, float]] = {}

    @property
    def palette(self) -> Palette:
        return self._palette

    @property
    def font_scale(self) -> float:
        return self._font_scale

    def set_palette(self, palette: Palette) -> None:
        if palette != self._palette:
            self._palette = palette
            self.changed.emit()

    def set_font_scale(self, scale: float) -> None:
        scale = max(0.5, min(float(scale), 4.0))
        if scale != self._font_scale:
            self._font_scale = scale
            self._clear_fonts()
            self.changed.emit()

    @property
    def legible_px(self) -> float:
        """How tall (in screen pixels) a diagram's labels must be at least: the views zoom
        in on the current step rather than fit a diagram whose labels would be smaller."""
        return self._legible_px

    def set_legible_px(self, pixels: float) -> None:
        if pixels != self._legible_px:
            self._legible_px = float(pixels)
            self.changed.emit()

    @property
    def label_scale(self) -> float:
        return self._label_scale

    def set_label_scale(self, scale: float) -> None:
        """Diagram labels this much larger than the layout around them (presentation mode:
        a fitted diagram would otherwise shrink its text with its spacing)."""
        scale = max(1.0, min(float(scale), 2.0))
        if scale != self._label_scale:
            self._label_scale = scale
            self._clear_fonts()
            self.changed.emit()

    def label_font(self, relative: float = 1.0, bold: bool = False) -> QFont:
        """A diagram label's font: :meth:`font` times the label scale."""
        return self.font(relative * self._label_scale, bold)

    def font(self, relative: float = 1.0, bold: bool = False) -> QFont:
        """A font ``relative`` times the base size at the current scale (do not modify it)."""
        key = (relative, bold)
        font = self._fonts.get(key)
        if font is None:
            font = QFont()
            font.setPointSizeF(BASE_POINT_SIZE * relative * self._font_scale)
            font.setBold(bold)
            self._fonts[key] = font
        return font

    def text_width(self, font: QFont, text: str) -> float:
        """The width of ``text`` in ``font`` (not to be modified afterwards, like the theme's
        own): diagram items measure the same labels a few hundred times per edit."""
        key = (id(font), text)
        known = self._widths.get(key)
        if known is not None:
            return known[1]
        if len(self._widths) > WIDTHS_KEPT:  # the numbers change with every edit
            self._widths.clear()
        width = QFontMetricsF(font).horizontalAdvance(text) if text else 0.0
        self._widths[key] = (font, width)
        return width

    def _clear_fonts(self) -> None:
        self._fonts.clear()
        self._widths.clear()


# Screen pixels of a label's line at least, below which the diagram zooms onto what the step
# computes and reads (and follows it from step to step).  On a laptop the whole diagram came
# out at 6–8 px at 1280×720 and 5.5 px at 1024×768, too small to read at arm's length; at
# 11 px the step's own nodes and labels read, and the rest of the network is a drag or
# Ctrl+− away.  From the back of a lecture hall a 1080p projector needs 28 px
# (subscripts, 0.56 of that, need 18: so 34).
NORMAL_LEGIBLE_PX = 11.0
PRESENTATION_LEGIBLE_PX = 34.0
PROJECTOR_HEIGHT_PX = 1080  # the screen height PRESENTATION_LEGIBLE_PX is measured for
WIDTHS_KEPT = 4096  # label widths remembered, by font and text
_theme: Theme | None = None


def presentation_legible_px(screen_height: int) -> float:
    """The presenting label height for a screen ``screen_height`` px tall: projected on the
    same wall, 34 px of 1080 is as tall as 24 px of 768, so a smaller projector zooms in less
    and shows more of the diagram around the step (never more than the 1080p height)."""
    return PRESENTATION_LEGIBLE_PX * min(1.0, max(screen_height, 1) / PROJECTOR_HEIGHT_PX)


def theme() -> Theme:
    """The application-wide theme (created on first use, after the QApplication)."""
    global _theme
    if _theme is None:
        _theme = Theme()
    return _theme


def node_pen(state: NodeState, palette: Palette, scale: float = 1.0) -> QPen:
    """The outline that tells states apart without relying on colour."""
    if state is NodeState.CURRENT:
        pen = QPen(palette.color("text"), CURRENT_OUTLINE * scale)
    elif state is NodeState.CACHED_READ:
        pen = QPen(palette.color("cached_read"), CACHED_OUTLINE * scale, Qt.PenStyle.DashLine)
    elif state is NodeState.PENDING:
        pen = QPen(palette.color("pending"), OUTLINE * scale, Qt.PenStyle.DotLine)
    else:
        pen = QPen(palette.color("outline"), OUTLINE * scale)
    pen.setCosmetic(False)
    return pen


def node_fill(state: NodeState, palette: Palette) -> QColor:
    return palette.color({
        NodeState.PENDING: "background", NodeState.COMPUTED: "computed",
        NodeState.CURRENT: "current", NodeState.CACHED_READ: "computed",
        NodeState.GIVEN: "node_fill",
    }[state])


def weight_pen(value: float | None, largest: float, palette: Palette,
               scale: float = 1.0) -> QPen:
    """Colour by sign, width by magnitude, and dashes for negative weights."""
    if value is None:
        return QPen(palette.color("edge"), 1.2 * scale)
    share = min(abs(value) / largest, 1.0) if largest > 0 else 0.0
    width = (1.0 + 4.0 * share) * scale
    if value < 0:
        return QPen(palette.color("negative"), width, Qt.PenStyle.DashLine)
    if value == 0:
        return QPen(palette.color("dim"), 1.0 * scale, Qt.PenStyle.DotLine)
    return QPen(palette.color("positive"), width)

