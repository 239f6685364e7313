"""Starting the app from the command line: screenshots, sizes and bad files."""

from __future__ import annotations

import gc
import json

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tutor.ui import app


def test_screenshot_of_the_default_exercise(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert app.main(["--screenshot", str(out), "--size", "1280x800", "--step", "16"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_a_bad_file_falls_back_to_the_default_with_a_message(qapp, tmp_path, capsys):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format_version": 1, "kind": "network"}', encoding="utf-8")
    out = tmp_path / "shot.png"
    assert app.main([str(bad), "--screenshot", str(out)]) == 0
    error = capsys.readouterr().err
    assert "Cannot open" in error and "broken.json" in error
    assert "Traceback" not in error
    assert out.is_file()


def test_a_trace_too_long_to_show_falls_back_with_the_numbers(qapp, tmp_path, capsys):
    many = tmp_path / "many.json"  # 1-100-1 over 10,000 samples in one batch
    many.write_text(json.dumps({
        "format_version": 1, "kind": "network", "title": "Many samples",
        "network": {"input_size": 1, "layers": [{"size": 100, "activation": "sigmoid"},
                                                {"size": 1, "activation": "identity"}]},
        "parameters": {"W1": [[0.1]] * 100, "b1": [0] * 100, "W2": [[0.1] * 100], "b2": [0]},
        "data": {"inputs": [[0]] * 10_000, "targets": [[0.5]] * 10_000}}), encoding="utf-8")
    out = tmp_path / "shot.png"
    assert app.main([str(many), "--screenshot", str(out)]) == 0
    error = capsys.readouterr().err
    assert "many.json" in error and "Traceback" not in error
    assert "(10,000 traced samples × 2 layers) is 20,000; the limit is 2,000" in error
    assert out.is_file()


def test_a_missing_file_is_reported_not_raised(qapp, tmp_path, capsys):
    out = tmp_path / "shot.png"
    assert app.main([str(tmp_path / "nowhere.json"), "--screenshot", str(out)]) == 0
    assert "nowhere.json" in capsys.readouterr().err


@pytest.mark.parametrize("size", ["big", "10x10", "1920"])
def test_a_bad_size_is_a_usage_error(qapp, size, capsys):
    with pytest.raises(SystemExit) as raised:
        app.main(["--size", size, "--screenshot", "x.png"])
    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert "WIDTHxHEIGHT" in error or "at least 200×200" in error


def test_train_runs_updates_before_the_picture(qapp, tmp_path):
    from tutor.exercise.library import exercises_dir

    args = app.parse_arguments([str(exercises_dir() / "inf264-homework-4.json"),
                                "--train", "5", "--screenshot", str(tmp_path / "t.png")])
    assert args.train == 5
    assert app.main([str(args.file), "--train", "5", "--screenshot", str(args.screenshot),
                     "--size", "800x600"]) == 0
    assert QImage(str(args.screenshot)).width() == 800


def test_the_startup_objects_are_frozen_before_the_event_loop(qtbot, monkeypatch):
    """What the first window built lives as long as the app: full garbage collections skip it
    (they walked it all, ~60 ms, every few dozen edits of a large network)."""
    frozen_at_exec, main_window = [], app.MainWindow

    def recorded_window(document):
        window = main_window(document)
        qtbot.addWidget(window)  # closed by the test's teardown
        return window

    monkeypatch.setattr(app, "MainWindow", recorded_window)
    monkeypatch.setattr(QApplication, "exec",
                        lambda _app: frozen_at_exec.append(gc.get_freeze_count()) or 0)
    monkeypatch.setattr("tutor.ui.recovery.offer_recovery", lambda *args: None)
    assert app.main(["--size", "800x600"]) == 0
    assert frozen_at_exec and frozen_at_exec[0] > 10_000
