"""Datasets to and from CSV: exact round trips, optional headers, errors naming the cell."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import NetworkProblem
from tutor.exercise import bundled, load
from tutor.exercise.dataset_csv import (
    DatasetCsvError,
    dataset_csv,
    parse_dataset_csv,
    read_dataset_csv,
)
from tutor.exercise.validate import MAX_SAMPLES

NETWORKS = {b.name: p for b in bundled()
            if isinstance(p := load(b.path).problem, NetworkProblem)}


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_every_bundled_dataset_reads_back_exactly(name: str) -> None:
    problem = NETWORKS[name]
    network = problem.network
    data = parse_dataset_csv(dataset_csv(problem), network.input_size, network.output_size)
    np.testing.assert_array_equal(data.inputs, problem.data.inputs)
    np.testing.assert_array_equal(data.targets, problem.data.targets)


def test_the_header_speaks_the_sheet_notation() -> None:
    assert dataset_csv(NETWORKS["cmu-recitation-5"]).splitlines() == ["x₁,x₂,y", "1.0,2.0,3.0"]


def test_a_header_is_optional_and_numbers_are_read_as_typed() -> None:
    with_header = parse_dataset_csv("a,b,target\n1,−2,1/4\n\n0.5,2e-3,0\n", 2, 1)
    without = parse_dataset_csv("1,-2,0.25\n0.5,0.002,0\n", 2, 1)
    np.testing.assert_array_equal(with_header.inputs, [[1, -2], [0.5, 0.002]])
    np.testing.assert_array_equal(with_header.targets, [[0.25], [0]])
    np.testing.assert_array_equal(without.inputs, with_header.inputs)


@pytest.mark.parametrize(("text", "message"), [
    ("x,y\n1,2\n3\n", "row 3 has 1 columns; this network needs 2 (1 inputs, then 1 targets)"),
    ("1,2\n3,abc\n", "row 2, column 2: “abc” is not a number"),
    ("1,nan\n", "row 1, column 2: the number must be a finite number"),
    ("1,2e999\n", "row 1, column 2: the number must be a finite number"),
    ("x,y\n", "the file has no samples"),
    ("", "the file has no samples"),
])
def test_bad_tables_name_the_row_and_column(text: str, message: str) -> None:
    with pytest.raises(DatasetCsvError) as error:
        parse_dataset_csv(text, 1, 1)
    assert str(error.value).startswith(message)


def test_too_many_samples_are_refused_before_parsing_them_all() -> None:
    with pytest.raises(DatasetCsvError, match=f"limit is {MAX_SAMPLES:,}"):
        parse_dataset_csv("1,2\n" * (MAX_SAMPLES + 1), 1, 1)


def test_files_that_are_not_utf8_text_are_refused(tmp_path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("x,y\n1,2\n\xe9".encode("latin-1"))
    binary = tmp_path / "zeros.csv"
    binary.write_bytes(b"1,2\x00\x00")
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffx,y\n1,2\n".encode())
    with pytest.raises(DatasetCsvError, match="not UTF-8"):
        read_dataset_csv(latin, 1, 1)
    with pytest.raises(DatasetCsvError, match="not text"):
        read_dataset_csv(binary, 1, 1)
    with pytest.raises(DatasetCsvError, match=r"[Ii]s a directory"):
        read_dataset_csv(tmp_path, 1, 1)
    assert read_dataset_csv(bom, 1, 1).targets.tolist() == [[2.0]]
