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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from tutor.engine import Key, Phase, Quantity, Step, Trace
from tutor.engine.ids import matrix_of, tensor_of
from tutor.engine.notation import sample_label, to_html, to_latex, to_unicode
from tutor.exercise.atomic import write_atomically
from tutor.exercise.model import Exercise, Question

FORMATS = ("markdown", "latex", "html")

SECTIONS = {Phase.FORWARD: "Forward pass", Phase.BACKWARD: "Backward pass",
            Phase.GRADIENT: "Backward pass", Phase.AVERAGE: "Batch average",
            Phase.UPDATE: "Update", Phase.EVALUATE: "Update"}
HIDDEN = "?"  # what a hidden result is replaced with (markup)


def answer_key(exercise: Exercise, fmt: str = "markdown", granularity: str = "node", *,
               reveal_hidden: bool = False, trace: Trace | None = None) -> str:
    """The answer key as text in ``fmt`` (``markdown``, ``latex`` or ``html``).

    ``trace`` may be passed when it is already computed (it must have ``granularity``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    key = build(exercise, trace if trace is not None else exercise.problem.trace(granularity),
                reveal_hidden=reveal_hidden)
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


def build(exercise: Exercise, trace: Trace, *, reveal_hidden: bool = False) -> AnswerKey:
    """The format-independent content of the key (see :func:`answer_key`)."""
    hidden = () if reveal_hidden else tuple(q for q in exercise.questions
                                            if q.id in exercise.hidden)
    hidden_keys = {k for q in hidden for k in _question_keys(q, trace)}
    return AnswerKey(exercise.title, exercise.source, exercise.description,
                _answers(exercise, trace, {q.id for q in hidden}),
                _sections(trace, hidden_keys))


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


def _answers(exercise: Exercise, trace: Trace, hidden: set[str]) -> tuple[Answer, ...]:
    """Questions use node ids: a layer-granularity key answers them from the node trace."""
    node_trace: Trace | None = None
    out = []
    for q in exercise.questions:
        key = Key(Quantity(q.quantity), q.node, q.sample)
        step, label = trace.find(key), "step"
        if step is None:
            node_trace = node_trace or exercise.problem.trace("node")
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


ROUNDING = ("Steps are numbered from 1, as in the app. Numbers are shown to 6 significant "
            "figures; each result is computed from the unrounded values, so a step recomputed "
            "from its printed operands can differ in the last digit.")


def markdown(key: AnswerKey) -> str:
    """The key as Markdown (Unicode maths, one numbered list per phase)."""
    lines = [f"# Answer key: {_md(to_unicode(key.title))}", ""]
    if key.source:
        lines += [f"*Source:* {_md(to_unicode(key.source))}", ""]
    if key.description:
        lines += [_md(to_unicode(key.description)), ""]
    lines += [f"*{ROUNDING}*", ""]
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

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\textasciitilde{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}
# Symbols outside what notation.to_latex maps, for text and for maths.
_MATH_SYMBOLS = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ϵ": r"\epsilon", "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota",
    "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi",
    "ρ": r"\rho", "σ": r"\sigma", "ς": r"\varsigma", "τ": r"\tau", "υ": r"\upsilon",
    "φ": r"\phi", "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
    "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi",
    "Π": r"\Pi", "Σ": r"\Sigma", "Υ": r"\Upsilon", "Φ": r"\Phi", "Ψ": r"\Psi",
    "Ω": r"\Omega", "ℓ": r"\ell", "∂": r"\partial", "∇": r"\nabla", "·": r"\cdot",
    "⊙": r"\odot", "−": "-", "←": r"\leftarrow", "→": r"\to", "⇒": r"\Rightarrow",
    "×": r"\times", "∑": r"\sum", "ℝ": r"\mathbb{R}", "′": "'", "″": "''",
    "≈": r"\approx", "≠": r"\neq", "≤": r"\leq", "≥": r"\geq", "±": r"\pm", "∈": r"\in",
    "…": r"\ldots", "⋯": r"\cdots", "∞": r"\infty", "½": r"\tfrac{1}{2}", "‖": r"\|",
    "√": r"\surd", "°": r"^{\circ}", "𝓛": r"\mathcal{L}", "ᵀ": r"^{\top}", "∘": r"\circ",
    "⋅": r"\cdot", "∗": "*",
}
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₕ", "0123456789+-=()aeijklmnoprstuvxh",
                       strict=True))
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ", "0123456789+-=()in", strict=True))
_MATH_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde", "\u0307": "dot"}
_TEXT_ACCENTS = {"\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~",
                 "\u0304": "=", "\u0307": ".", "\u0327": "c", "\u030c": "v", "\u0306": "u",
                 "\u030b": "H", "\u030a": "r", "\u0328": "k"}
_TEXT_SAFE = set("–—‘’“”«»")  # punctuation every LaTeX engine's UTF-8 input knows


def _is_latin_letter(char: str) -> bool:
    """ø, ß, æ, ł…: letters the UTF-8 input encoding of pdflatex knows."""
    return ord(char) < 0x250 and unicodedata.category(char).startswith("L")


def _unicode_to_math(char: str) -> str | None:
    """A non-ASCII character as LaTeX maths, or None when there is no good spelling."""
    if char in _MATH_SYMBOLS:
        command = _MATH_SYMBOLS[char]
        return command + " " if command[-1].isalpha() else command
    if char in _SUBSCRIPTS:
        return "_{" + _SUBSCRIPTS[char] + "}"
    if char in _SUPERSCRIPTS:
        return "^{" + _SUPERSCRIPTS[char] + "}"
    return None


def _clusters(text: str) -> list[str]:
    """Decomposed characters with their combining marks attached (ŷ as y + U+0302)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if out and unicodedata.combining(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def _text_char(char: str) -> str:
    if char.isascii():
        return _TEXT_ESCAPES.get(char, char)
    if _is_latin_letter(char) or char in _TEXT_SAFE:
        return char
    math = _unicode_to_math(char)
    if math is not None:
        return rf"\ensuremath{{{math.strip()}}}"
    fallback = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return "".join(_TEXT_ESCAPES.get(c, c) for c in fallback) or "?"


def _accented(inner: str, marks: str, accents: dict[str, str]) -> str:
    for mark in marks:
        inner = rf"\{accents[mark]}{{{inner}}}"
    return inner


def latex_text(text: str) -> str:
    """Plain text (titles, sources, descriptions) as LaTeX text mode: escaped, and every
    symbol spelt so that pdflatex, lualatex and xelatex all accept it."""
    out = []
    for cluster in _clusters(text):
        base, marks = cluster[0], cluster[1:]
        if not marks:
            out.append(_text_char(base))
        elif base.isascii() and base.isalpha() and all(m in _TEXT_ACCENTS for m in marks):
            out.append(_accented(base, marks, _TEXT_ACCENTS))  # é as \'{e}, ŷ as \^{y}
        elif all(m in _MATH_ACCENTS for m in marks):  # a symbol with a hat: β̂
            inner = (_unicode_to_math(base) or _text_char(base)).strip()
            out.append(rf"\ensuremath{{{_accented(inner, marks, _MATH_ACCENTS)}}}")
        else:
            out.append(_text_char(base) + "?")
    return "".join(out)


_KNOWN_COMMANDS = {
    "frac", "partial", "cdot", "odot", "sum", "top", "begin", "end", "hat", "bar", "tilde",
    "dot", "text", "mathbb", "mathcal", "tfrac", "ldots", "cdots", "ensuremath", "infty",
    "leftarrow", "to", "times", "approx", "in", "circ", "surd", "neq", "leq", "geq", "pm",
    "Rightarrow", "ell", "nabla", "operatorname", "mathrm", "vdots", "ddots", "max", "min",
    "log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh",
} | {c[1:] for c in _MATH_SYMBOLS.values() if re.fullmatch(r"\\[A-Za-z]+", c)}
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


_ENVIRONMENTS = {"bmatrix"}  # the only environment notation.to_latex writes
_ENVIRONMENT = re.compile(r"\\(?:begin|end)(?![A-Za-z])\s*(\{[^{}]*\})?")


def _safe_environments(latex: str) -> bool:
    """Every ``\\begin``/``\\end`` opens or closes a whitelisted environment (a prompt's
    ``\\begin{filecontents*}`` would write a file of its choosing when compiled)."""
    return all(m.group(1) is not None and m.group(1)[1:-1] in _ENVIRONMENTS
               for m in _ENVIRONMENT.finditer(latex))


def _balanced(latex: str) -> bool:
    depth = 0
    for token in re.findall(r"\\.|[{}]", latex):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


def latex_math(markup: str) -> str:
    """Markup as LaTeX maths that always compiles: ``notation.to_latex``, with any leftover
    Unicode spelt out; markup LaTeX cannot take (a stray brace, an unknown ``\\command``)
    falls back to its Unicode rendering as escaped text."""
    out = []
    rendered = to_latex(markup)
    for n, char in enumerate(rendered):
        if char.isascii():
            out.append(char)
        elif (math := _unicode_to_math(char)) is not None:
            follower = rendered[n + 1 : n + 2]
            out.append(math if follower.isascii() and follower.isalpha() else math.rstrip())
        else:
            out.append(rf"\text{{{latex_text(char)}}}")
    result = "".join(out)
    names = {m for m in _COMMAND.findall(result) if m.isalpha()}
    others = {m for m in _COMMAND.findall(result) if not m.isalpha()}
    if (_balanced(result) and names <= _KNOWN_COMMANDS and others <= set("\\|%&#{},$ ")
            and "$" not in result.replace(r"\$", "") and _safe_environments(result)
            and "^^" not in result):  # TeX reads ^^5c as a backslash
        return result
    return rf"\text{{{latex_text(to_unicode(markup))}}}"


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
    body.append(rf"\emph{{{latex_text(ROUNDING)}}}\par\medskip")
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
    out.append(f"<p><em>{html.escape(ROUNDING)}</em></p>")
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
