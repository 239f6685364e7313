"""The loss history as CSV: one row per point of the curve, for a spreadsheet or a plot.

Row ``update = 0`` is the loss before any training; row ``t`` the loss after ``t`` updates.
A point where the network was edited mid-training starts a new stretch of the curve
(``edited = 1``); ``current = 1`` marks the point whose parameters the exercise holds.
Non-finite losses (a diverged run) are written as ``nan``, ``inf`` or ``-inf``, which every
common CSV reader parses as floats::

    update,loss,edited,current
    0,3.25,0,0
    1,2.1403,0,1
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Sequence

HEADER = ("update", "loss", "edited", "current")


def loss_text(loss: float) -> str:
    """The shortest text that reads back as the same float (``nan``/``inf`` spelt out)."""
    value = float(loss)
    if math.isnan(value):
        return "nan"
    return repr(value)  # 'inf', '-inf', or the shortest round-trip decimal


def history_csv(losses: Sequence[float], *, edits: Collection[int] = (),
                current: int | None = None) -> str:
    """The CSV text of a loss history (``current`` defaults to the last point)."""
    if current is None:
        current = len(losses) - 1
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(HEADER)
    for update, loss in enumerate(losses):
        writer.writerow((update, loss_text(loss), int(update in edits), int(update == current)))
    return stream.getvalue()


__all__ = ["HEADER", "history_csv", "loss_text"]
