"""Every step names its sample as the sheet does: INF264's x₁, x₂, "sample 1 of 2"
elsewhere, "whole batch" for the averages and the update."""

from __future__ import annotations

from tutor.engine.notation import to_unicode
from tutor.session.samples import sample_caption, sample_name, sample_template
from tutor.ui.document import Document
from tutor.ui.inspector import StepInspector, cached_reads_html
from tutor.ui.trace_table import Column, TraceTable

from .conftest import bundled


def _row(document: Document, number: int) -> int:
    """The index of step ``number`` as printed (from 1)."""
    return number - 1


def test_inf264_rows_name_x1_x2_and_the_whole_batch(qtbot) -> None:
    document = Document(bundled("inf264-homework-4"))
    table = TraceTable(document)
    qtbot.addWidget(table)
    model = table.model()
    assert not table.isColumnHidden(Column.SAMPLE)
    assert model.headerData(Column.SAMPLE, table.horizontalHeader().orientation()) == "Sample"
    cells = [model.index(r, Column.SAMPLE).data() for r in range(model.rowCount())]
    assert len(cells) == 36
    assert cells[:12] == ["x₁"] * 12  # z, h, ŷ, L, then the backward pass of x₁ = (2, 1)
    assert cells[12:24] == ["x₂"] * 12
    assert cells[24:] == ["whole batch"] * 12  # 𝓛, five averages, five updates, 𝓛ⁿᵉʷ
    assert model.index(_row(document, 10), Column.QUANTITY).data() == "∂L/∂w₀"
    assert model.index(_row(document, 22), Column.QUANTITY).data() == "∂L/∂w₀"


def test_inf264_average_step_reads_each_samples_gradient_apart(qtbot) -> None:
    """It printed "reads cached: ∂L/∂w₀ (step 10), ∂L/∂w₀ (step 22)": one symbol twice."""
    document = Document(bundled("inf264-homework-4"))
    inspector = StepInspector(document)
    qtbot.addWidget(inspector)
    document.set_cursor(_row(document, 26))
    assert to_unicode(document.trace[document.cursor].lhs) == "∂𝓛/∂w₀"
    text = inspector.text()  # sub- and superscripts are HTML: w<sub>0</sub>, x<sub>1</sub>
    # as the step's own formula and the sheet name them: L(x₁, y₁) is sample 1's loss
    assert "= (1/2)(∂L(x1, y1)/∂w0 + ∂L(x2, y2)/∂w0)" in text
    assert ("reads cached: ∂L(x1, y1)/∂w0 (step 10, x₁), ∂L(x2, y2)/∂w0 (step 22, x₂)"
            in text)
    # a sheet that names no sample loss numbers the samples' adjoints instead
    html = cached_reads_html(document.trace, document.trace[document.cursor], "x_{$n}")
    assert html == ("reads cached: ∂L/∂w<sub>0</sub><sup>(1)</sup> (step&nbsp;10, x₁), "
                    "∂L/∂w<sub>0</sub><sup>(2)</sup> (step&nbsp;22, x₂)")
    assert "= 3.4" in text  # (1/2)(6.8 + 0)
    assert inspector.phase_label.text() == "Average 2 / 6 · whole batch"
    document.set_cursor(_row(document, 21))  # ∂L/∂z for x₂ = (−3, 2): ReLU is off
    assert inspector.phase_label.text() == "Backward 6 / 6 · x₂"
    assert "reads cached: ∂L/∂h (step 20)" in inspector.text()  # its own sample: no tag
    document.set_cursor(_row(document, 5))
    assert inspector.phase_label.text() == "Backward 1 / 6 · x₁"


def test_sheets_without_sample_names_count_them(qtbot) -> None:
    document = Document(bundled("xor"))
    document.set_sample(None)  # the whole batch of four
    trace, template = document.trace, sample_template(document.exercise.problem)
    assert template == ""
    first_of_second = next(s.index for s in trace if s.sample == 1)
    assert sample_name(template, 1, 4) == "sample 2 of 4"
    assert sample_caption(trace, first_of_second, template) == "Sample 2 of 4"
    table = TraceTable(document)
    qtbot.addWidget(table)
    assert table.model().index(first_of_second, Column.SAMPLE).data() == "sample 2 of 4"
    last = len(trace) - 1
    assert table.model().index(last, Column.SAMPLE).data() == "whole batch"
    assert sample_caption(trace, last, template) == "Whole batch (4 samples)"


def test_inf264_banner_names_the_sample_and_one_pass_sheets_say_nothing(qtbot) -> None:
    inf = Document(bundled("inf264-homework-4"))
    template = sample_template(inf.exercise.problem)
    assert template == "x_{$n}"
    assert sample_caption(inf.trace, _row(inf, 13), template) == "Sample 2 of 2 (x₂)"
    assert sample_caption(inf.trace, _row(inf, 31), template) == "Whole batch (2 samples)"
    cmu = Document(bundled("cmu-recitation-5"))
    table = TraceTable(cmu)
    qtbot.addWidget(table)
    assert table.isColumnHidden(Column.SAMPLE)  # one pass: no empty column
    assert sample_caption(cmu.trace, 3, "") == ""
