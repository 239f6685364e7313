"""Gradient-descent training: configuration, schedule, the two loops and a chunked run.

* :mod:`.config` — :class:`Training` (what a run is told), :class:`TrainingRun` (what it
  returns) and the update rule :func:`apply_update`;
* :mod:`.schedule` — which rows each update reads;
* :mod:`.float_loop` and :mod:`.matrix_loop` — the same run on Python floats (tiny networks)
  and on matrices; :mod:`.run` — :func:`train`, which picks the loop;
* :mod:`.chunked` — :class:`ChunkedRun`, a run trained a chunk at a time.
"""

from .chunked import ChunkedRun
from .config import Method, Training, TrainingRun, apply_update
from .float_loop import train_floats
from .matrix_loop import BULK_CHECK_LIMIT, train_matrices
from .run import floats_are_faster, train
from .schedule import batch_schedule, batches, rows_per_update

__all__ = [
    "BULK_CHECK_LIMIT",
    "ChunkedRun",
    "Method",
    "Training",
    "TrainingRun",
    "apply_update",
    "batch_schedule",
    "batches",
    "floats_are_faster",
    "rows_per_update",
    "train",
    "train_floats",
    "train_matrices",
]
