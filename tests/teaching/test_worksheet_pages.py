"""A worksheet PDF never splits a question from its box: each "(n) prompt = [box]" row sits
whole on one page, read back page by page with pdftotext."""

import dataclasses
import re
import shutil
import subprocess
import unicodedata

import pytest

from tutor.engine.notation import to_unicode
from tutor.exercise import load
from tutor.exercise.library import exercises_dir
from tutor.teaching.worksheet import worksheet

pytest.importorskip("PySide6")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) is not installed")


def _pages(path) -> list[str]:
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, check=True, timeout=60,
        text=True).stdout).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, check=True, timeout=60, text=True).stdout
            for n in range(1, count + 1)]


def _plain(text: str) -> str:
    """Letters and digits as pdftotext reads them back: sub/superscripts as digits, accents
    dropped, and no characters beyond the BMP (𝓛's fallback font maps to no text)."""
    text = unicodedata.normalize("NFKD", "".join(c for c in text if ord(c) < 0x10000))
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _rows(pages: list[str]) -> dict[int, tuple[int, str]]:
    """Box number → (page, the rest of its line), for every "(n) … =" line."""
    rows: dict[int, tuple[int, str]] = {}
    for page, text in enumerate(pages, start=1):
        for match in re.finditer(r"^\s*\((\d+)\)\s+(.*=)\s*$", text, re.M):
            number = int(match.group(1))
            assert number not in rows, f"box ({number}) printed twice"
            rows[number] = (page, match.group(2))
    return rows


def _laid_out(sheet, tmp_path):
    from tutor.ui.worksheet_pdf import pdf_writer, row_pages, worksheet_document

    writer = pdf_writer(str(tmp_path / "layout.pdf"), "layout")
    document = worksheet_document(sheet, writer)
    return document, float(writer.height()), row_pages(document, float(writer.height()))


@pytest.mark.parametrize(("name", "pages_per_box"), [
    ("inf264-homework-4", [1, 1, 1, 1, 2, 2, 2]),
    ("cmu-recitation-5", [1, 1, 1, 1, 1, 2]),
])
def test_each_prompt_is_on_its_boxs_page(qapp, tmp_path, name, pages_per_box):
    from tutor.ui.worksheet_pdf import write_pdf

    sheet = worksheet(load(exercises_dir() / f"{name}.json"))
    write_pdf(sheet, tmp_path / "sheet.pdf")
    rows = _rows(_pages(tmp_path / "sheet.pdf"))
    assert sorted(rows) == [box.number for box in sheet.boxes]
    assert [rows[box.number][0] for box in sheet.boxes] == pages_per_box
    for box in sheet.boxes:  # the prompt on the box's own line, so on its page
        assert _plain(rows[box.number][1]) == _plain(to_unicode(box.label)), box
    # the "Your answers" heading starts on the first box's page
    first = next(n for n, text in enumerate(_pages(tmp_path / "sheet.pdf"), 1)
                 if "Your answers" in text)
    assert first == pages_per_box[0]


@pytest.mark.parametrize("name", ["inf264-homework-4", "cmu-recitation-5"])
def test_no_answer_table_crosses_a_page_edge(qapp, tmp_path, name):
    """Qt moves a row that does not fit and stretches the row above to the page's foot;
    each page's rows are their own table, so none is stretched or cut."""
    from PySide6.QtGui import QTextTable

    document, height, pages = _laid_out(worksheet(load(exercises_dir() / f"{name}.json")),
                                        tmp_path)
    tables = [f for f in document.rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(tables) == len(set(pages)) == 2  # one table per page of boxes
    for table in tables:
        rect = document.documentLayout().frameBoundingRect(table)
        assert rect.top() // height == (rect.bottom() - 1) // height


def test_a_long_phase_sheet_keeps_every_row_whole(qapp, tmp_path):
    """INF264's backward phase: 21 boxes over pages, each row printed with its prompt."""
    from tutor.ui.worksheet_pdf import write_pdf

    sheet = worksheet(load(exercises_dir() / "inf264-homework-4.json"), "backward")
    write_pdf(sheet, tmp_path / "backward.pdf")
    pages = _pages(tmp_path / "backward.pdf")
    rows = _rows(pages)
    assert sorted(rows) == list(range(1, 22)) == [box.number for box in sheet.boxes]
    on = [rows[n][0] for n in sorted(rows)]
    assert on == sorted(on) and len(set(on)) >= 2  # in order, over more than one page
    for box in sheet.boxes:
        assert _plain(rows[box.number][1]) == _plain(to_unicode(box.label)), box
    row_page = _laid_out(sheet, tmp_path)[2]
    assert [p + 1 for p in row_page] == on  # the layout's pages are the printed ones


def test_the_heading_moves_with_its_first_question(qapp, tmp_path):
    """A longer description pushes the answers down a line at a time: wherever the page
    ends, the heading starts on the first box's page and no table crosses a page edge."""
    from PySide6.QtGui import QTextTable

    from tutor.ui.worksheet_pdf import (
        answers_heading,
        heading_page,
        pdf_writer,
        row_pages,
        worksheet_document,
    )

    sheet = worksheet(load(exercises_dir() / "cmu-recitation-5.json"))
    writer = pdf_writer(str(tmp_path / "layout.pdf"), "layout")
    height = float(writer.height())
    firsts = set()
    for words in range(90, 130, 2):
        longer = dataclasses.replace(sheet, description=sheet.description + " more" * words)
        document = worksheet_document(longer, writer)
        pages = row_pages(document, height)
        assert heading_page(document, answers_heading(longer), height) == pages[0], words
        assert pages == sorted(pages)
        for table in document.rootFrame().childFrames():
            if isinstance(table, QTextTable):
                rect = document.documentLayout().frameBoundingRect(table)
                assert rect.top() // height == (rect.bottom() - 1) // height, words
        firsts.add(pages[0])
    assert firsts == {0, 1}  # the scan crossed the point where the heading moves
