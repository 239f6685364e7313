"""One training contract, two loops: :func:`train` picks the loop a network always takes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..history import ParameterLayout, keep_every
from ..network import Dataset, Network, Parameters
from .config import Training, TrainingRun
from .float_loop import train_floats
from .matrix_loop import train_matrices
from .schedule import batch_schedule, rows_per_update

FLOAT_PASSES, FLOAT_PARAMETERS = 4, 24  # where floats win; see floats_are_faster()


def train(network: Network, params: Parameters, data: Dataset, training: Training,
          updates: int, schedule: Iterator[np.ndarray] | None = None,
          keep: int | None = None, first: int = 0) -> TrainingRun:
    """Run ``updates`` gradient-descent updates; stop early at the first non-finite loss.

    ``schedule`` (from :func:`.schedule.batch_schedule`) continues a run trained in chunks:
    each call takes its next ``updates`` row groups, so the chunks give bit for bit a single
    run (:class:`.chunked.ChunkedRun` does the bookkeeping).
    ``keep`` is the stride of the parameters kept (by default every update unless that would
    exceed :data:`~tutor.engine.history.MEMORY_BUDGET`): those after update t are kept when
    ``first + t`` is a multiple of it, and always the first and the last.

    There are two loops with this one contract.  A NumPy call costs about a microsecond
    whatever its size and a matrix update makes some thirty of them, while most seed networks
    have under a dozen parameters and a sample or two: there Python floats
    (:mod:`.float_loop`) do the whole update in a few microseconds; beyond a few samples
    or a few dozen parameters the matrices win (:func:`floats_are_faster`).  The two agree to
    about 1e-12 relative, not bit for bit (BLAS sums in its own order), so a network always
    takes the same loop, whatever the number of updates: chunks stay bit for bit one run.
    """
    schedule = batch_schedule(training, len(data)) if schedule is None else schedule
    size = ParameterLayout.of(params).size
    stride = keep or keep_every(size, updates)
    loop = train_floats if floats_are_faster(size, len(data), training) else train_matrices
    return loop(network, params, data, training, updates, schedule, stride, first)


def floats_are_faster(parameters: int, samples: int, training: Training) -> bool:
    """Whether an update is small enough for the loop over Python floats (see :func:`train`).

    Its cost is a pass per sample (the loss) and per row of the update (the gradient), each
    a few microseconds plus a little per parameter; a matrix update costs 20–30 µs almost
    whatever the size.  Measured, floats win up to about 4 passes of 24 parameters.
    """
    passes = samples + rows_per_update(training, samples)
    return samples > 0 and passes <= FLOAT_PASSES and parameters <= FLOAT_PARAMETERS
