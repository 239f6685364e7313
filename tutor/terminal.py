"""Text for a terminal: nothing a file holds may move the cursor, retitle or clear the screen.

Titles, sources, symbols and prompts come from exercise files; printed raw, an escape
sequence among them would act on the reader's terminal.  Every command's output goes through
:func:`clean`; JSON output spells control characters as ``\\u`` escapes (:func:`json_text`),
so it is safe to print and still parses to the same strings.
"""

from __future__ import annotations

# C0 controls except tab and newline, DEL, and the C1 controls (ESC's 8-bit twins, e.g. CSI)
_CONTROLS = {c: None for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}
_CONTROLS[0x0D] = None
_BIDI = {c: None for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
                           0x2069)}  # direction overrides that make text read differently


def clean(text: str) -> str:
    """``text`` without control characters (tab and newline kept) or direction overrides."""
    return text.translate(_CONTROLS).translate(_BIDI)


_ESCAPED = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), *_BIDI)}


def json_text(text: str) -> str:
    """JSON text safe to print: DEL, the C1 controls and direction overrides (which JSON
    allows raw inside strings) become ``\\u`` escapes; the C0 controls already are."""
    return text.translate(_ESCAPED)
