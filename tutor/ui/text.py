"""Words the views share about where the cursor stands (no widgets here)."""

from __future__ import annotations

from tutor.engine import Phase, Trace

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
