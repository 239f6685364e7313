"""How the session's misconception flags read in the window: the inspector's "Notice" box
and the words and colours the diagrams' badges use (the flags themselves are computed in
:mod:`tutor.session.flags`, once per trace).
"""

from __future__ import annotations

from html import escape

from tutor.engine.flags import Flag
from tutor.session.flags import GLOBAL_KINDS, SHORT, TITLES, concerns, is_visible

from . import style

NOTICE_INK = style.BLACK  # on the notice's yellow in every theme
NOTICE_FILL = "#FFF4B0"  # a pale Okabe–Ito yellow, behind black text


def notice_html(flags: tuple[Flag, ...]) -> str:
    """The inspector's "Notice" box: a "!" mark, a bold title per flag and its plain words;
    empty when there is nothing to notice."""
    if not flags:
        return ""
    # smaller than the step's formula, which stays the page's main line on a projector
    items = "".join(f"<p style='margin: 4px 0'><small><b>{escape(TITLES[f.kind])}:</b> "
                    f"{escape(f.message)}</small></p>" for f in flags)
    cell = f"style='background-color: {NOTICE_FILL}; color: {NOTICE_INK}'"
    return (f"<table class='notice' width='100%' cellspacing='0' cellpadding='6' border='2' "
            f"style='border-color: {NOTICE_INK}; border-style: solid; margin-top: 8px'>"
            f"<tr><td {cell} valign='top' width='1'><b><big>&nbsp;!&nbsp;</big></b></td>"
            f"<td {cell}><b>Notice</b>{items}</td></tr></table>")


__all__ = ["GLOBAL_KINDS", "NOTICE_FILL", "NOTICE_INK", "SHORT", "TITLES", "concerns",
           "is_visible", "notice_html"]
