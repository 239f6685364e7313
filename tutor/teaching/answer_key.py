"""Answer keys: the whole trace of an exercise as Markdown, LaTeX or HTML.

Every step is written as the chain-rule line the app shows (``lhs = formula = numbers =
result``) in the exercise's own notation, grouped by phase, after the title, the source, the
description and the exercise's questions with their answers::

    text = answer_key(exercise, "latex", granularity="layer")
    write_atomically("key.tex", text)

A question listed in the exercise's ``hidden`` stays hidden unless ``reveal_hidden=True``
(the teacher's copy): its answer is shown as *(hidden)*, the step that computes it loses its
result and the steps that read it lose their numbers.  (The app-only ``"answers"`` entry of
``hidden``, which hides values until the step cursor reaches them, does not apply to a
printed key.)

Markup is rendered with :mod:`tutor.engine.notation` (``to_unicode``, ``to_latex``,
``to_html``); the LaTeX is a complete document that needs only amsmath, amssymb and geometry.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from tutor.engine import Key, Phase, Quantity, Step, Trace
from tutor.engine.hand import mode_sentence
from tutor.engine.ids import matrix_of, tensor_of
from tutor.engine.notation import sample_label, to_html, to_unicode
from tutor.exercise.atomic import write_atomically
from tutor.exercise.model import Exercise, Question

from .latex_escape import latex_math, latex_text

FORMATS = ("markdown", "latex", "html")

SECTIONS = {Phase.FORWARD: "Forward pass", Phase.BACKWARD: "Backward pass",
            Phase.GRADIENT: "Backward pass", Phase.AVERAGE: "Batch average",
            Phase.UPDATE: "Update", Phase.EVALUATE: "Update"}
HIDDEN = "?"  # what a hidden result is replaced with (markup)


def answer_key(exercise: Exercise, fmt: str = "markdown", granularity: str = "node", *,
               reveal_hidden: bool = False, trace: Trace | None = None,
               hand: bool = False) -> str:
    """The answer key as text in ``fmt`` (``markdown``, ``latex`` or ``html``).

    ``trace`` may be passed when it is already computed (it must have ``granularity`` and be
    computed with ``hand``).  ``hand``: the hand calculation, which carries the printed,
    rounded values forward (tutor/engine/hand.py); the key says which calculation it shows.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if trace is None:
        trace = exercise.problem.trace(granularity, hand=hand)
    key = build(exercise, trace, reveal_hidden=reveal_hidden, hand=hand)
    return {"markdown": markdown, "latex": latex, "html": html_page}[fmt](key)


# --------------------------------------------------------------------------- the content


@dataclass(frozen=True, slots=True)
class Line:
    """One step as markup parts, joined by ``=`` (the first is the left-hand side)."""

    index: int
    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """A question and its answer; ``answer`` is None when hidden, ``""`` when not traced."""

    prompt: str
    answer: str | None
    worked: Line | None
    worked_label: str  # "step 8", or "node trace step 8" for a layer-granularity key


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """Everything an answer key shows, independent of the output format."""

    title: str
    source: str
    description: str
    answers: tuple[Answer, ...]
    sections: tuple[Section, ...]
    hand: bool = False  # the hand calculation (hand.py) rather than the exact one

    @property
    def rounding(self) -> str:
        """The key's one sentence on numbering and on which calculation its numbers follow."""
        return f"{NUMBERING} {mode_sentence(self.hand)}"


def build(exercise: Exercise, trace: Trace, *, reveal_hidden: bool = False,
          hand: bool = False) -> AnswerKey:
    """The format-independent content of the key (see :func:`answer_key`)."""
    hidden = () if reveal_hidden else tuple(q for q in exercise.questions
                                            if q.id in exercise.hidden)
    hidden_keys = {k for q in hidden for k in _question_keys(q, trace)}
    return AnswerKey(exercise.title, exercise.source, exercise.description,
                _answers(exercise, trace, {q.id for q in hidden}, hand),
                _sections(trace, hidden_keys), hand)


def _question_keys(question: Question, trace: Trace) -> list[Key]:
    """The keys of ``trace`` that give a question's answer away (a layer step holds it)."""
    exact = Key(question.quantity, question.node, question.sample)
    if exact in trace.producer:
        return [exact]
    tensor = tensor_of(question.node)
    names = {tensor, matrix_of(tensor)}  # a folded bias is shown in its weight matrix
    return [s.key for s in trace if s.key.quantity is question.quantity
            and s.key.node in names and s.key.sample == question.sample]


def _parts(step: Step, hide_result: bool = False, hide_numbers: bool = False) -> tuple[str, ...]:
    """``lhs, formula[, numbers][, result]`` without repeating what reads the same."""
    parts = [step.lhs, step.formula]
    if step.numbers and step.numbers != step.formula and not (hide_numbers or hide_result):
        parts.append(step.numbers)
    result = HIDDEN if hide_result else step.result_markup()
    if to_unicode(parts[-1]) != to_unicode(result):
        parts.append(result)
    return tuple(parts)


def _sections(trace: Trace, hidden: set[Key]) -> tuple[Section, ...]:
    sections: list[Section] = []
    heading, lines = None, []
    for step in trace:
        title = SECTIONS[step.phase] + ("" if step.sample is None
                                        else f", {sample_label(step.sample)}")
        if title != heading and lines:
            sections.append(Section(heading or "", tuple(lines)))
            lines = []
        heading = title
        hide_numbers = any(k in hidden for k in step.reads)
        lines.append(Line(step.number, _parts(step, step.key in hidden, hide_numbers)))
    if lines:
        sections.append(Section(heading or "", tuple(lines)))
    return tuple(sections)


def _answers(exercise: Exercise, trace: Trace, hidden: set[str],
             hand: bool = False) -> tuple[Answer, ...]:
    """Questions use node ids: a layer-granularity key answers them from the node trace."""
    node_trace: Trace | None = None
    out = []
    for q in exercise.questions:
        key = Key(Quantity(q.quantity), q.node, q.sample)
        step, label = trace.find(key), "step"
        if step is None:
            node_trace = node_trace or exercise.problem.trace("node", hand=hand)
            step, label = node_trace.find(key), "node trace step"
        if q.id in hidden:
            out.append(Answer(q.prompt, None, None, ""))
        elif step is None:
            out.append(Answer(q.prompt, "", None, ""))
        else:
            out.append(Answer(q.prompt, step.result_markup(),
                              Line(step.number, _parts(step)), f"{label} {step.number}"))
    return tuple(out)


# --------------------------------------------------------------------------- Markdown


_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|file|data|javascript|vbscript|mailto|www)([:.])")


def _md(text: str) -> str:
    """Unicode text with Markdown's active characters escaped: no emphasis, HTML, links or
    images (``[…](javascript:…)``, ``![](http://…)``), and no bare addresses made links."""
    text = re.sub(r"\]([(\[:])", r"\\]\1", re.sub(r"([\\`*_<])", r"\\\1", text))
    return _AUTOLINK.sub(r"\1\\\2", text)


def _md_line(line: Line) -> str:
    return _md(" = ".join(to_unicode(p) for p in line.parts))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


NUMBERING = "Steps are numbered from 1, as in the app."
ROUNDING = f"{NUMBERING} {mode_sentence(False)}"  # the exact calculation's (the default)


def markdown(key: AnswerKey) -> str:
    """The key as Markdown (Unicode maths, one numbered list per phase)."""
    lines = [f"# Answer key: {_md(to_unicode(key.title))}", ""]
    if key.source:
        lines += [f"*Source:* {_md(to_unicode(key.source))}", ""]
    if key.description:
        lines += [_md(to_unicode(key.description)), ""]
    lines += [f"*{key.rounding}*", ""]
    if key.answers:
        lines += ["## Questions", "", "| Question | Answer | Worked step |", "|---|---|---|"]
        for a in key.answers:
            answer = ("*(hidden)*" if a.answer is None else
                      _md(to_unicode(a.answer)) if a.answer else "*(not in the trace)*")
            worked = f"{a.worked_label}: {_md_line(a.worked)}" if a.worked else ""
            lines.append(f"| {_cell(_md(to_unicode(a.prompt)))} | {_cell(answer)} "
                         f"| {_cell(worked)} |")
    for section in key.sections:
        lines += ["", f"## {section.heading}", ""]
        lines += [f"{line.index}. {_md_line(line)}" for line in section.lines]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- LaTeX

_LONG_LINE = 70  # characters of Unicode rendering; longer steps get one line per "="


def _align_row(line: Line) -> str:
    parts = [latex_math(p) for p in line.parts]
    tag = rf" \tag*{{\small step {line.index}}}"
    if len(" = ".join(to_unicode(p) for p in line.parts)) <= _LONG_LINE:
        return f"  {parts[0]} &= " + " = ".join(parts[1:]) + tag
    rows = [f"  {parts[0]} &= {parts[1]}{tag}"] + [f"  &= {p}" for p in parts[2:]]
    return " \\\\\n".join(rows)


def latex(key: AnswerKey) -> str:
    """A complete LaTeX document: one ``align*`` block per phase."""
    body = [r"\documentclass[11pt]{article}", r"\usepackage{iftex}",
            r"\ifPDFTeX\usepackage[utf8]{inputenc}\usepackage[T1]{fontenc}\fi",
            r"\usepackage{amsmath,amssymb}", r"\usepackage[margin=2cm]{geometry}",
            r"\allowdisplaybreaks", r"\setlength{\parindent}{0pt}",
            rf"\title{{Answer key: {latex_text(to_unicode(key.title))}}}", r"\date{}",
            r"\begin{document}", r"\maketitle"]
    if key.source:
        body.append(rf"\textbf{{Source:}} {latex_text(to_unicode(key.source))}\par\medskip")
    if key.description:
        body.append(latex_text(to_unicode(key.description)) + r"\par")
    body.append(rf"\emph{{{latex_text(key.rounding)}}}\par\medskip")
    if key.answers:
        body += [r"\section*{Questions}", r"\begin{enumerate}"]
        body += [_latex_answer(a) for a in key.answers]
        body.append(r"\end{enumerate}")
    for section in key.sections:
        body += [rf"\section*{{{latex_text(section.heading)}}}", r"\begin{align*}",
                 " \\\\\n".join(_align_row(line) for line in section.lines), r"\end{align*}"]
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"


def _latex_answer(answer: Answer) -> str:
    item = rf"  \item ${latex_math(answer.prompt)}$\quad "
    if answer.answer is None:
        return item + r"\emph{(hidden)}"
    if not answer.answer:
        return item + r"\emph{(not in the trace)}"
    item += rf"\textbf{{Answer:}} ${latex_math(answer.answer)}$"
    if answer.worked is not None:
        worked = " = ".join(latex_math(p) for p in answer.worked.parts)
        item += rf"\\ {{\small {latex_text(answer.worked_label)}: ${worked}$}}"
    return item


# --------------------------------------------------------------------------- HTML

_STYLE = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #111; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 1px solid #bbb; }
.source { color: #333; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
ol.steps li { margin: 0.2rem 0; }
.math { font-family: "DejaVu Serif", "Cambria Math", "STIX Two Math", serif;
        font-size: 1.05rem; }
.hidden { font-style: italic; color: #555; }
""".strip()


def _html_line(line: Line, render: Callable[[str], str] = to_html) -> str:
    return " = ".join(render(p) for p in line.parts)


def html_page(key: AnswerKey) -> str:
    """A standalone UTF-8 HTML page (``<sub>``/``<sup>``, inline style, no scripts)."""
    title = html.escape(f"Answer key: {to_unicode(key.title)}")
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{title}</title>", f"<style>\n{_STYLE}\n</style>", "</head>", "<body>",
           f"<h1>Answer key: {to_html(key.title)}</h1>"]
    if key.source:
        out.append(f'<p class="source"><strong>Source:</strong> {to_html(key.source)}</p>')
    if key.description:
        out.append(f"<p>{to_html(key.description)}</p>")
    out.append(f"<p><em>{html.escape(key.rounding)}</em></p>")
    if key.answers:
        out += ["<h2>Questions</h2>", "<table>",
                "<thead><tr><th>Question</th><th>Answer</th><th>Worked step</th></tr></thead>",
                "<tbody>"]
        out += [_html_answer(a) for a in key.answers]
        out += ["</tbody>", "</table>"]
    for section in key.sections:
        out += [f"<h2>{html.escape(section.heading)}</h2>", '<ol class="steps">']
        out += [f'<li value="{line.index}"><span class="math">{_html_line(line)}</span></li>'
                for line in section.lines]
        out.append("</ol>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_answer(answer: Answer) -> str:
    prompt = f'<td class="math">{to_html(answer.prompt)}</td>'
    if answer.answer is None:
        return f'<tr>{prompt}<td class="hidden">(hidden)</td><td></td></tr>'
    if not answer.answer:
        return f'<tr>{prompt}<td class="hidden">(not in the trace)</td><td></td></tr>'
    worked = ""
    if answer.worked is not None:
        worked = (f'{html.escape(answer.worked_label)}: '
                  f'<span class="math">{_html_line(answer.worked)}</span>')
    return (f'<tr>{prompt}<td class="math">{to_html(answer.answer)}</td>'
            f"<td>{worked}</td></tr>")


__all__ = [
    "FORMATS",
    "Answer",
    "AnswerKey",
    "Line",
    "Section",
    "answer_key",
    "build",
    "html_page",
    "latex",
    "latex_math",
    "latex_text",
    "markdown",
    "write_atomically",
]
