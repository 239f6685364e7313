"""Words the views share about where the cursor stands (no widgets here)."""

from __future__ import annotations

import re
import unicodedata

from tutor.engine import Phase, Trace
from tutor.engine.markup_render import unicode_subscript

_HAT = "\u0302"  # combining circumflex: x̂, β̂
_JOINER = "\u200d"
WORD_JOINER = "\u2060"  # no line break here, and no width
_TAG = re.compile(r"(<[^>]*>)")


def drawable(text: str) -> str:
    """``text`` (Unicode or HTML) as Qt can draw it: a letter with a hat.

    DejaVu Sans, the usual Linux font, positions a combining circumflex (U+0302) above x, β
    or θ far to the left of the letter, where it is clipped or lands on the character before
    (x̂ showed as x, β̂ as β in the step panel; tilde and bar are placed correctly).  Letters
    Unicode has with a hat (ŷ, ẑ) are composed; before any other hat a zero-width joiner
    makes the shaper centre the mark over the letter instead.  Only what is drawn changes:
    the trace, the keys and the exports keep the text as it is.
    """
    if "<sub>" in text:
        text = _NESTED_SUB.sub(_flatten_sub, text)
    if _HAT not in text:
        return text
    return unicodedata.normalize("NFC", text).replace(_HAT, _JOINER + _HAT)


def unbroken(html: str) -> str:
    """``html`` with no line break inside a derivative's name or a function's call.

    Qt wraps after any "/" and between a prime and its bracket, so a narrow step panel read
    ∂ℓ/ | ∂h and σ′ | (z) across two lines; a word joiner after each keeps them whole.  Tags
    are left alone (</sub> has a slash too).
    """
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):  # the even parts are text, the odd ones tags
        parts[i] = parts[i].replace("/", "/" + WORD_JOINER).replace("′(", "′" + WORD_JOINER + "(")
    return "".join(parts)


# Qt's rich text does not lower a subscript inside a subscript: ∇<sub>w<sub>h</sub></sub>
# would read ∇_wh; Unicode's subscript letters keep the h below the w
_NESTED_SUB = re.compile(r"(<sub>[^<]*)<sub>([^<]*)</sub>")


def _flatten_sub(match: re.Match[str]) -> str:
    inner = unicode_subscript(match.group(2))
    return match.group(0) if inner is None else match.group(1) + inner

PHASE_NAMES = {
    Phase.FORWARD: "Forward", Phase.BACKWARD: "Backward", Phase.GRADIENT: "Gradient",
    Phase.AVERAGE: "Average", Phase.UPDATE: "Update", Phase.EVALUATE: "Evaluate",
}


def phase_text(trace: Trace, cursor: int) -> str:
    """"Backward 4 / 11": where the cursor is within its phase."""
    if not len(trace):
        return "No steps"
    if cursor < 0:
        return "Before step 1"
    phase, position, count = trace.phase_position(cursor)
    return f"{PHASE_NAMES[phase]} {position} / {count}"
