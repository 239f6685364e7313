"""Starting the app from the command line: screenshots, sizes and bad files."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

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
