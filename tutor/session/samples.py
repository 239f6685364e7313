"""Which sample a step belongs to, in the sheet's own words: no Qt.

A batch trace runs every sample's pass, then averages: at INF264's average step the
diagram, the table and the inspector would otherwise show ∂L/∂w₀ twice with nothing to say
that one is x₁'s and the other x₂'s.  A sheet that names its samples (INF264's bold x₁, x₂)
sets the network notation's ``sample`` template; the others read "sample 1 of 2".  Steps
about the batch (the averages, the update, the loss after it) say "whole batch".
"""

from __future__ import annotations

from tutor.engine import Key, NetworkProblem, Trace
from tutor.engine.network import per_sample_label
from tutor.engine.notation import instantiate, sample_number, to_unicode

BATCH = "whole batch"


def sample_template(problem: object) -> str:
    """The notation's ``sample`` template (``x_{$n}``), or "" when the sheet names none."""
    if not isinstance(problem, NetworkProblem):
        return ""
    return getattr(problem.network.notation, "sample", "") or ""


def sample_count_of(trace: Trace) -> int:
    """How many samples the trace runs a pass for (0: one pass, not numbered)."""
    return len({step.sample for step in trace.steps if step.sample is not None})


def sample_markup(template: str, sample: int) -> str:
    """``x_{1}`` for the first sample under ``x_{$n}``; "" without a template."""
    return instantiate(template, n=sample_number(sample)) if template else ""


def sample_name(template: str, sample: int | None, count: int) -> str:
    """"x₁", "sample 1 of 2", "whole batch", or "" when the trace has one pass."""
    if count == 0:
        return ""
    if sample is None:
        return BATCH
    if template:
        return to_unicode(sample_markup(template, sample))
    return f"sample {sample_number(sample)} of {count}"


def step_sample(trace: Trace, cursor: int, template: str = "") -> str:
    """:func:`sample_name` of the step at ``cursor`` ("" outside the trace)."""
    if not 0 <= cursor < len(trace):
        return ""
    return sample_name(template, trace[cursor].sample, sample_count_of(trace))


def sample_caption(trace: Trace, cursor: int, template: str = "") -> str:
    """The banner's words: "Sample 2 of 4", "Sample 2 of 2 (x₂)", "Whole batch (4 samples)",
    or "" when the trace has one sample.  Samples are numbered from 1, as on the sheets."""
    if not 0 <= cursor < len(trace):
        return ""
    count = sample_count_of(trace)
    if not count:
        return ""
    sample = trace[cursor].sample
    if sample is None:
        return f"Whole batch ({count} samples)"
    text = f"Sample {sample_number(sample)} of {count}"
    return f"{text} ({sample_name(template, sample, count)})" if template else text


def shown_sample(sample: int | None, count: int) -> str:
    """"Sample 2 of 12" when the view shows one sample of several, else ""."""
    if sample is None or count < 2:
        return ""
    return f"Sample {sample_number(sample)} of {count}"


def sample_losses_of(problem: object) -> tuple[str, str]:
    """(the loss symbol, the sheet's template for one sample's loss, INF264's
    ``L(x_{$n}, y_{$n})``), or ("", "") where the sheet names neither."""
    return problem.sample_losses if isinstance(problem, NetworkProblem) else ("", "")


def per_sample_symbol(symbol: str, key: Key, losses: tuple[str, str] = ("", "")) -> str:
    """An adjoint's markup as the batch formulas write one sample's: ∂L(x₁, y₁)/∂w₀ where the
    sheet names a sample's loss (``losses``: see :func:`sample_losses_of`), else
    ∂L/∂w₀⁽¹⁾, so two samples' gradients of one weight read apart."""
    if key.sample is None:
        return symbol
    return per_sample_label(symbol, sample_number(key.sample), *losses)
