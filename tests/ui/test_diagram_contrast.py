"""Every text a diagram draws, against every fill it is drawn on, in every palette: WCAG 2
contrast of at least 4.5:1 (AA) in the normal themes and 7:1 (AAA) in presentation mode's."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from tutor.ui import style
from tutor.ui.notices import NOTICE_FILL
from tutor.ui.style import NORMAL_CONTRAST, PALETTES, PRESENTATION_CONTRAST, TEXT_ROLES, contrast


def test_the_contrast_formula_matches_wcag():
    assert contrast(QColor("#000000"), QColor("#FFFFFF")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("#FFFFFF")) == pytest.approx(4.54, abs=0.01)
    assert contrast(QColor("#FFFFFF"), QColor("#FFFFFF")) == pytest.approx(1.0)


def pairs(palette: style.Palette):
    for role, (text, fills) in TEXT_ROLES.items():
        for fill in fills:
            yield f"{role} on {fill}", palette.color(text), palette.color(fill)


@pytest.mark.parametrize("name", list(PALETTES))
def test_every_text_role_is_legible_in_every_palette(qapp, name):
    palette = PALETTES[name]()
    least = PRESENTATION_CONTRAST if name == "high_contrast" else NORMAL_CONTRAST
    ratios = {where: contrast(fg, bg) for where, fg, bg in pairs(palette)}
    poor = {where: round(r, 2) for where, r in ratios.items() if r < least}
    assert not poor, poor
    assert len(ratios) >= 12  # the roles are all there: node, pending, adjoint, badge, …


def test_the_presentation_palette_is_held_to_seven_to_one(qapp):
    # presentation mode switches to it (tests/ui/test_presentation.py checks that)
    palette = style.Palette.high_contrast()
    assert min(contrast(fg, bg) for _, fg, bg in pairs(palette)) >= PRESENTATION_CONTRAST


def test_flag_badges_and_banners_are_black_on_yellow(qapp):
    black = QColor(style.BLACK)
    assert contrast(black, QColor(style.YELLOW)) >= PRESENTATION_CONTRAST
    assert contrast(black, QColor(NOTICE_FILL)) >= PRESENTATION_CONTRAST
