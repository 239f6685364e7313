"""LaTeX that always compiles from text a person wrote or from markup: ``latex_text`` escapes
and spells out symbols for running text, ``latex_math`` checks ``notation.to_latex``'s output
and falls back to text; answer keys and worksheets both write through them."""

from __future__ import annotations

import re
import unicodedata

from tutor.engine.notation import to_latex, to_unicode

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
