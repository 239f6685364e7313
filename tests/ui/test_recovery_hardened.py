"""Recovery that cannot be lost: a kill at any moment of an autosave still leaves work to
restore, a second running copy never touches the first one's autosave, the first autosave
comes soon after the first edit, and stale temporary files are cleaned."""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutor.exercise import Exercise
from tutor.ui import recovery
from tutor.ui.document import Document
from tutor.ui.recovery import FIRST_WRITE_MS, Autosaver

CHILD = Path(__file__).with_name("autosave_child.py")


def start_child(folder: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, str(CHILD), str(folder)], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.stdout is not None
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_a_kill_at_any_moment_of_an_autosave_still_offers_recovery(tmp_path: Path) -> None:
    kills = int(os.environ.get("AUTOSAVE_KILLS", "8"))
    chance = random.Random(16)
    for n in range(kills):
        folder = tmp_path / f"run{n}"
        child = start_child(folder)
        time.sleep(chance.uniform(0.0, 0.3))  # somewhere inside the stream of autosaves
        kill(child)
        [found] = recovery.find_recoveries(folder)
        assert found.original is None
        assert found.load().title.startswith("Edit ")


@pytest.mark.slow
def test_a_second_copy_never_touches_a_live_autosave(tmp_path: Path, cmu: Exercise,
                                                     monkeypatch) -> None:
    folder = tmp_path / "recovery"
    child = start_child(folder)
    try:
        asked = []
        monkeypatch.setattr(recovery, "ask_restore", lambda parent, r: asked.append(r))
        assert recovery.find_recoveries(folder) == []
        document = Document(dataclasses.replace(cmu, title="Second copy"))
        assert not recovery.offer_recovery(document, None, folder)
        assert asked == []
        assert len(list(folder.glob("*.meta.json"))) == 1  # still there
    finally:
        kill(child)
    [found] = recovery.find_recoveries(folder)  # its owner is gone: now it is offered
    assert found.load().title.startswith("Edit ")


def test_the_first_autosave_comes_soon_after_the_first_edit(qtbot, cmu: Exercise,
                                                            tmp_path: Path) -> None:
    document = Document(cmu)
    autosaver = Autosaver(document, interval_ms=60_000, folder=tmp_path)
    document.edit("Rename", dataclasses.replace(cmu, title="First edit"))
    assert autosaver.timer.isActive()
    assert autosaver.timer.interval() == FIRST_WRITE_MS
    assert autosaver.write()
    assert autosaver.timer.interval() == 60_000  # then the ordinary interval


def test_an_autosave_that_cannot_be_written_is_quiet(qtbot, cmu: Exercise,
                                                     tmp_path: Path) -> None:
    document = Document(cmu)
    autosaver = Autosaver(document, interval_ms=60_000, folder=tmp_path)
    document.edit("Rename", dataclasses.replace(cmu, title="Lone \ud800 surrogate"))
    assert not autosaver.write()  # no error dialog every 30 s: the next tick tries again


def test_an_autosave_whose_sidecar_a_kill_prevented_is_offered(tmp_path: Path,
                                                                cmu: Exercise) -> None:
    from tutor.exercise import save

    save(cmu, tmp_path / "abc.json")
    [found] = recovery.find_recoveries(tmp_path)
    assert found.original is None and found.load().title == cmu.title


def test_a_sidecar_without_its_autosave_is_not_offered(tmp_path: Path) -> None:
    (tmp_path / "abc.meta.json").write_text('{"original": null, "saved_at": '
                                            '"2026-01-01T10:00:00"}', encoding="utf-8")
    assert recovery.find_recoveries(tmp_path) == []


def test_stale_temporaries_in_the_recovery_folder_are_cleaned(tmp_path: Path) -> None:
    stale, fresh = tmp_path / ".abc.json.x1y2z3w4.tmp", tmp_path / ".abc.json.q1w2e3r4.tmp"
    for path in (stale, fresh):
        path.write_text("{", encoding="utf-8")
    old = time.time() - recovery.STALE_SECONDS - 1
    os.utime(stale, (old, old))
    assert recovery.find_recoveries(tmp_path) == []
    assert not stale.exists() and fresh.exists()


def test_a_fifo_sidecar_is_skipped_without_blocking(tmp_path: Path, cmu: Exercise) -> None:
    from tutor.exercise import save

    save(cmu, tmp_path / "abc.json")
    os.mkfifo(tmp_path / "abc.meta.json")
    assert recovery.find_recoveries(tmp_path) == []
