"""Worksheet PDFs through Qt: one box per question, the numbers given, no answers printed."""

import re
import shutil
import subprocess

import pytest

from tutor.cli import main
from tutor.exercise import default_path, load
from tutor.teaching.worksheet import worksheet
from tutor.ui.worksheet_pdf import worksheet_html, write_key_pdf, write_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) is not installed")


def _text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, timeout=60).stdout.decode("utf-8")


def test_one_box_per_question(qapp, tmp_path):
    sheet = worksheet(load(default_path()))
    assert worksheet_html(sheet).count('class="box"') == len(sheet.boxes) == 6
    write_pdf(sheet, tmp_path / "sheet.pdf")
    text = _text(tmp_path / "sheet.pdf")
    assert re.findall(r"\((\d+)\)", text.split("Your answers")[1]) == [str(n) for n in
                                                                        range(1, 7)]
    assert re.search(r"x1 = 1,\s+x2 = 2,\s+y = 3", text)
    assert re.search(r"α = \[2, 1, 0; 0, 2, 0\],\s+x0 = 1", text)
    assert "Answer" not in text  # the student's copy carries no key


def test_every_backward_step_gets_a_box(qapp, tmp_path):
    sheet = worksheet(load(default_path()), "backward")
    write_pdf(sheet, tmp_path / "backward.pdf")
    answers = _text(tmp_path / "backward.pdf").split("Your answers")[1]
    assert len(re.findall(r"^\s*\((\d+)\)", answers, re.M)) == len(sheet.boxes) == 14


def test_the_key_pdf_has_the_answers(qapp, tmp_path):
    write_key_pdf(load(default_path()), tmp_path / "key.pdf")
    text = _text(tmp_path / "key.pdf")
    assert "Answer key" in text and "6.1952" in text  # ℓ′ after the update


def test_worksheet_command_writes_sheet_and_key(qapp, tmp_path, capsys):
    out = tmp_path / "w.pdf"
    assert main(["worksheet", str(default_path()), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and (tmp_path / "w-key.pdf").is_file()
