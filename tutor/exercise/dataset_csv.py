"""A network's dataset as CSV: one row per sample, its inputs then its targets.

The header names the columns in the exercise's notation; on import it is optional (a first
row that is not all numbers is taken as a header) and the columns are read by position::

    x₁,x₂,y
    1,2,3
    0.5,−1,0

Numbers are read as a student types them (``−0.5``, ``1/3``, ``2e-3``), never evaluated.
"""

from __future__ import annotations

import csv
import io
import os
import re

import numpy as np

from tutor.engine import Dataset, NetworkProblem
from tutor.engine.limits import MAX_FILE_BYTES, MAX_SAMPLES
from tutor.engine.network import input_symbols, target_symbols
from tutor.engine.notation import to_unicode
from tutor.engine.numbers import parse_number

from .reading import FileRefused, read_bytes


class DatasetCsvError(ValueError):
    """A CSV that cannot become the dataset; the message names the row and column."""


def dataset_csv(problem: NetworkProblem) -> str:
    """The dataset as CSV text, numbers written so that they read back exactly."""
    network = problem.network
    header = [to_unicode(s) for s in (*input_symbols(network), *target_symbols(network))]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    for inputs, targets in zip(problem.data.inputs, problem.data.targets, strict=True):
        writer.writerow([repr(float(v)) for v in (*inputs, *targets)])
    return stream.getvalue()


def parse_dataset_csv(text: str, input_size: int, output_size: int) -> Dataset:
    """Samples from CSV text with ``input_size + output_size`` columns per row."""
    rows = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text)), 1)
            if any(cell.strip() for cell in row)]  # blank lines are not samples
    if rows and _is_header(rows[0][1]):
        rows = rows[1:]  # a header
    if not rows:
        raise DatasetCsvError("the file has no samples")
    if len(rows) > MAX_SAMPLES:
        raise DatasetCsvError(f"the file has {len(rows):,} samples; the limit is "
                              f"{MAX_SAMPLES:,}")
    width = input_size + output_size
    values = np.empty((len(rows), width))
    for index, (number, row) in enumerate(rows):
        if len(row) != width:
            raise DatasetCsvError(f"row {number} has {len(row)} columns; this network needs "
                                  f"{width} ({input_size} inputs, then {output_size} targets)")
        for column, cell in enumerate(row):
            try:
                values[index, column] = parse_number(cell)
            except ValueError as error:
                raise DatasetCsvError(f"row {number}, column {column + 1}: {error}") from None
    return Dataset(values[:, :input_size], values[:, input_size:])


def read_dataset_csv(path: str | os.PathLike[str], input_size: int,
                     output_size: int) -> Dataset:
    """:func:`parse_dataset_csv` of a file, refusing huge, binary or non-UTF-8 files."""
    try:
        data = read_bytes(path, MAX_FILE_BYTES)  # a regular file only: no FIFO, no /dev/zero
        text = data.decode("utf-8-sig")  # a spreadsheet's BOM is not a cell
    except FileRefused as error:
        raise DatasetCsvError(str(error)) from None
    except UnicodeDecodeError:
        raise DatasetCsvError("the file is not UTF-8 text") from None
    if "\x00" in text:
        raise DatasetCsvError("the file is not text")
    return parse_dataset_csv(text, input_size, output_size)


def _is_header(row: list[str]) -> bool:
    """Names, not numbers (a ``nan`` cell is a bad number, reported as such)."""
    return not all(_NUMBER_START.match(cell.strip()) for cell in row)


_NUMBER_START = re.compile(r"[+\-−]?(\d|\.\d|nan|inf)", re.IGNORECASE)
