"""Reading from and saving to unusual paths: FIFOs, devices, symbolic links, read-only files,
and what killed writes leave behind."""

import dataclasses
import os
import time

import pytest

from tutor.exercise import ExerciseError, ReadOnlyTarget, dumps, load, save
from tutor.exercise.atomic import STALE_SECONDS, write_atomically
from tutor.exercise.dataset_csv import DatasetCsvError, read_dataset_csv
from tutor.exercise.format import from_dict

from .helpers import cmu_doc


@pytest.fixture
def cmu():
    return from_dict(cmu_doc())


def test_csv_import_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "samples.csv"
    os.mkfifo(fifo)
    with pytest.raises(DatasetCsvError, match=r"^is a named pipe \(FIFO\), not a file$"):
        read_dataset_csv(fifo, 2, 1)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_csv_import_refuses_dev_zero():
    with pytest.raises(DatasetCsvError, match=r"^is a device, not a file$"):
        read_dataset_csv("/dev/zero", 2, 1)


def test_csv_import_reads_no_more_than_the_cap(tmp_path, monkeypatch):
    from tutor.exercise import dataset_csv

    monkeypatch.setattr(dataset_csv, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text("1,2,3\n" * 200, encoding="utf-8")
    with pytest.raises(DatasetCsvError, match="the file is 1,200 bytes; files are limited "
                                              "to 1,000 bytes"):
        read_dataset_csv(path, 2, 1)


def test_saving_through_a_symlink_writes_its_target(tmp_path, cmu):
    target = tmp_path / "real.json"
    save(cmu, target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    edited = dataclasses.replace(cmu, title="Through the link")
    save(edited, link)
    assert link.is_symlink()
    assert load(target).title == "Through the link"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_dangling_symlink_creates_its_target(tmp_path, cmu):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    save(cmu, link)
    assert link.is_symlink() and load(tmp_path / "new.json").title == cmu.title


def test_saving_over_a_fifo_is_refused(tmp_path, cmu):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ExerciseError, match="is a named pipe"):
        save(cmu, fifo)
    assert fifo.is_fifo()


def test_saving_over_a_device_or_a_folder_is_refused(tmp_path, cmu):
    with pytest.raises(ExerciseError, match="is a directory; choose a file name"):
        save(cmu, tmp_path)
    if os.path.exists("/dev/null"):
        with pytest.raises(ExerciseError, match="is a device"):
            save(cmu, "/dev/null")


def test_a_read_only_file_is_replaced_only_when_asked(tmp_path, cmu):
    path = tmp_path / "locked.json"
    save(cmu, path)
    path.chmod(0o444)
    edited = dataclasses.replace(cmu, title="Replaced")
    with pytest.raises(ReadOnlyTarget, match="the file is read-only"):
        save(edited, path)
    assert load(path).title == cmu.title
    save(edited, path, replace_read_only=True)
    assert load(path).title == "Replaced"
    assert path.stat().st_mode & 0o777 == 0o444


def test_a_read_only_file_is_detected_from_its_mode(tmp_path, cmu, monkeypatch):
    """Writable by others but not by us: read-only too."""
    path = tmp_path / "locked.json"
    save(cmu, path)
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
    with pytest.raises(ReadOnlyTarget):
        save(cmu, path)


def test_save_reports_the_questions_it_could_not_keep(tmp_path, cmu):
    from tutor.engine import Quantity
    from tutor.exercise import Question

    lost = Question(id="gone", prompt="?", quantity=Quantity.VALUE, node="z9[0]")
    exercise = dataclasses.replace(cmu, questions=(*cmu.questions, lost))
    assert save(exercise, tmp_path / "q.json") == (lost,)
    assert [q.id for q in load(tmp_path / "q.json").questions] == [
        q.id for q in cmu.questions]


def test_stale_temporaries_are_removed_by_the_next_write(tmp_path, cmu):
    path = tmp_path / "sheet.json"
    stale = tmp_path / ".sheet.json.abcd1234.tmp"
    fresh = tmp_path / ".sheet.json.efgh5678.tmp"  # maybe another copy's write in progress
    other = tmp_path / ".other.json.abcd1234.tmp"
    for leftover in (stale, fresh, other):
        leftover.write_text("{", encoding="utf-8")
    old = time.time() - STALE_SECONDS - 10
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_atomically(path, dumps(cmu))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.json.abcd1234.tmp", ".sheet.json.efgh5678.tmp", "sheet.json"]
