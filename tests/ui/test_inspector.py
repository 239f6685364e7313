"""The inspector's text: the chain-rule line, its factors and the cached reads."""

from __future__ import annotations

from tutor.engine.notation import to_unicode
from tutor.ui import style
from tutor.ui.document import Document
from tutor.ui.inspector import cached_reads_html, step_html
from tutor.ui.text import phase_text


def _at(document: Document, lhs: str) -> int:
    index = next(s.index for s in document.trace if to_unicode(s.lhs) == lhs)
    document.set_cursor(index)
    return index


def test_phase_text_counts_within_the_phase(document: Document) -> None:
    _at(document, "∂ℓ/∂z₁")  # backward: ∂ℓ/∂ŷ, ∂ℓ/∂z₁, ∂ℓ/∂z₂, ∂ℓ/∂a₁, ∂ℓ/∂a₂
    assert phase_text(document.trace, document.cursor) == "Backward 2 / 5"
    assert phase_text(document.trace, 0) == "Forward 1 / 6"


def test_gradient_step_splits_local_and_upstream(document: Document) -> None:
    index = _at(document, "∂ℓ/∂α₁,₁")
    html = step_html(document.trace, index, style.Palette.light())
    assert "∂a<sub>1</sub>/∂α<sub>1,1</sub>" in html  # the local derivative's name
    assert "= x<sub>1</sub> = 1" in html
    assert "upstream <b>∂ℓ/∂a<sub>1</sub></b> = 4" in html
    assert "(cached, step 13)" in html
    assert "<b>4</b>" in html


def test_cached_reads_name_the_producing_step(document: Document) -> None:
    index = _at(document, "∂ℓ/∂z₁")
    text = cached_reads_html(document.trace, document.trace[index])
    assert text == "reads cached: ∂ℓ/∂ŷ (step 7)"
    assert cached_reads_html(document.trace, document.trace[0]) == ""


def test_the_first_backward_step_has_no_upstream(document: Document) -> None:
    index = _at(document, "∂ℓ/∂ŷ")
    html = step_html(document.trace, index, style.Palette.light())
    assert "upstream" not in html
    assert "ŷ − y" in html and "7 − 3" in html
