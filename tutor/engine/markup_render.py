"""The markup's three renderers (plain Unicode, LaTeX, HTML): one walk over the markup that
:mod:`tutor.engine.notation` describes, each subclass saying how a construct looks."""

from __future__ import annotations

import re

from .limits import MAX_MARKUP_DEPTH

UPDATED = "new"  # the mark of a value after one update: a prime means a derivative (σ′, ℓ′(x))

_SUB = dict(zip("0123456789+-=()aeijklmnoprstuvxhβγρφχ",
                "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₕᵦᵧᵨᵩᵪ", strict=True))
_SUBSCRIPTS = frozenset(_SUB.values())
_SUP = dict(zip("0123456789+-=()inTew", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀᵉʷ", strict=True))

# Characters that need a LaTeX command; combining accents are handled separately.
_LATEX_CHARS = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "σ": r"\sigma",
    "φ": r"\phi", "ϕ": r"\phi", "Φ": r"\Phi", "ψ": r"\psi", "ω": r"\omega", "τ": r"\tau",
    "ℓ": r"\ell", "∂": r"\partial", "∇": r"\nabla", "·": r"\cdot", "⊙": r"\odot",
    "−": "-", "←": r"\leftarrow", "→": r"\to", "×": r"\times", "Σ": r"\sum", "ℝ": r"\mathbb{R}",
    "′": "'", "≈": r"\approx", "⋮": r"\vdots", "𝓛": r"\mathcal{L}", "∈": r"\in", "…": r"\ldots",
    "∞": r"\infty", "½": r"\tfrac{1}{2}", "‖": r"\|",
}
_WORD_END = "\x00"  # marks the end of a control word, so that η then x is \eta x, not \etax
_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde"}
_PRECOMPOSED = {"ŷ": "y\u0302", "ŵ": "w\u0302", "ẑ": "z\u0302", "x̂": "x\u0302"}

_OPERATORS = ("cdot", "odot", "sum", "T")
_SPECIAL = re.compile(r"[\\_^{]")  # where a construct may start: \d, \mat, \cdot…, _, ^, {
_BRACE = re.compile(r"[{}]")


def _group(text: str, start: int) -> tuple[str, int]:
    """Return the brace group (or single character) starting at ``start`` and the next index."""
    if start < len(text) and text[start] == "{":
        depth = 0
        for brace in _BRACE.finditer(text, start):
            depth += 1 if brace.group() == "{" else -1
            if depth == 0:
                return text[start + 1 : brace.start()], brace.end()
        return text[start + 1 :], len(text)
    if start >= len(text):
        return "", start
    # A letter followed by combining accents counts as one character.
    end = start + 1
    while end < len(text) and text[end] in _ACCENTS:
        end += 1
    return text[start:end], end


def _closes(text: str, start: int) -> bool:
    """Whether the ``{`` at ``start`` has its ``}``: a lone brace stays literal text."""
    depth = 0
    for brace in _BRACE.finditer(text, start):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return True
    return False


class _Renderer:
    """Walks the markup once; subclasses say how each construct looks."""

    def render(self, text: str, depth: int = 0) -> str:
        if depth > MAX_MARKUP_DEPTH:  # deeper markup is shown as typed, not recursed into
            return self.run(text)
        out: list[str] = []
        pos = 0
        depth += 1
        while pos < len(text):
            if text.startswith("\\d", pos) and text[pos + 2 : pos + 3] == "{":
                num, pos = _group(text, pos + 2)
                den, pos = _group(text, pos)
                out.append(self.derivative(self.render(num, depth), self.render(den, depth)))
            elif text.startswith("\\mat", pos) and text[pos + 4 : pos + 5] == "{":
                body, pos = _group(text, pos + 4)
                rows = [[self.render(c.strip(), depth) for c in r.split(",")]
                        for r in body.split(";")]
                out.append(self.matrix(rows))
            elif text[pos] in "_^":
                marker = text[pos]
                body, pos = _group(text, pos + 1)
                rendered = self.render(body, depth)
                out.append(self.sub(rendered) if marker == "_" else self.sup(rendered))
            elif text[pos] == "{" and _closes(text, pos):
                body, pos = _group(text, pos)
                out.append(self.group(self.render(body)))
            elif text[pos] == "\\":
                for name in _OPERATORS:
                    after = text[pos + 1 + len(name) : pos + 2 + len(name)]
                    if text.startswith("\\" + name, pos) and not after.isalpha():
                        out.append(self.operator(name))
                        pos += 1 + len(name)
                        break
                else:
                    out.append(self.text(text[pos]))
                    pos += 1
            else:  # a run of plain characters, up to the next construct
                end = _SPECIAL.search(text, pos + 1)
                stop = end.start() if end else len(text)
                out.append(self.run(text[pos:stop]))
                pos = stop
        return "".join(out)

    def text(self, char: str) -> str:
        return char

    def run(self, chars: str) -> str:
        """A run of plain characters: each as :meth:`text` shows it."""
        return "".join(map(self.text, chars))

    def group(self, body: str) -> str:
        return body

    def derivative(self, num: str, den: str) -> str:
        raise NotImplementedError

    def matrix(self, rows: list[list[str]]) -> str:
        raise NotImplementedError

    def sub(self, body: str) -> str:
        raise NotImplementedError

    def sup(self, body: str) -> str:
        raise NotImplementedError

    def operator(self, name: str) -> str:
        raise NotImplementedError


class _Unicode(_Renderer):
    def run(self, chars: str) -> str:
        return chars  # plain text is shown as it is

    def derivative(self, num: str, den: str) -> str:
        return f"∂{num}/∂{den}"

    def matrix(self, rows: list[list[str]]) -> str:
        if len(rows) == 1:
            return "[" + ", ".join(rows[0]) + "]"
        return "[" + "; ".join(", ".join(r) for r in rows) + "]"

    def sub(self, body: str) -> str:
        if body and all(c in _SUB or c == "," or c in _SUBSCRIPTS for c in body):
            return "".join(_SUB.get(c, c) for c in body)  # z_{h_1} is zₕ₁
        if len(body) == 1 or (body[:1].isalpha() and body[1:] and all(
                c in _SUBSCRIPTS for c in body[1:])):
            return f"_{body}"  # one letter with its own subscript: ∇_{w_h} is ∇_wₕ
        return f"_({body})"

    def sup(self, body: str) -> str:
        if body and all(c in _SUP for c in body):
            return "".join(_SUP[c] for c in body)
        return f"^{body}" if len(body) == 1 else f"^({body})"

    def operator(self, name: str) -> str:
        return {"cdot": "·", "odot": "⊙", "sum": "Σ", "T": "ᵀ"}[name]


class _Latex(_Renderer):
    def group(self, body: str) -> str:
        # the empty {} keeps TeX from unwrapping a group of one accented atom, whose own
        # superscript would then meet the outer one ("Double superscript")
        return f"{{{{}}{body}}}"

    def text(self, char: str) -> str:
        command = _LATEX_CHARS.get(char)
        if command is not None:
            return command + _WORD_END if command[-1].isalpha() else command
        return {"%": r"\%", "&": r"\&", "#": r"\#"}.get(char, char)

    def derivative(self, num: str, den: str) -> str:
        return rf"\frac{{\partial {num}}}{{\partial {den}}}"

    def matrix(self, rows: list[list[str]]) -> str:
        body = r" \\ ".join(" & ".join(r) for r in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"

    def sub(self, body: str) -> str:
        return f"_{{{body}}}"

    def sup(self, body: str) -> str:
        return r"^{\mathrm{new}}" if body == UPDATED else f"^{{{body}}}"

    def operator(self, name: str) -> str:
        return {"cdot": r"\cdot", "odot": r"\odot", "sum": r"\sum", "T": r"^\top"}[name]


_HTML_ESCAPES = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;"})


class _Html(_Unicode):
    def text(self, char: str) -> str:
        return char.translate(_HTML_ESCAPES)

    def run(self, chars: str) -> str:
        return chars.translate(_HTML_ESCAPES)

    def sub(self, body: str) -> str:
        return f"<sub>{body}</sub>"

    def sup(self, body: str) -> str:
        return f"<sup>{body}</sup>"


def unicode_subscript(text: str) -> str | None:
    """``text`` in Unicode subscript characters (``h1`` → ``ₕ₁``), or None if one has none."""
    if not text or any(c not in _SUB for c in text):
        return None
    return "".join(_SUB[c] for c in text)


def _accented(latex: str) -> str:
    """Turn ``y\u0302`` left in LaTeX output into ``\\hat{y}``."""
    for mark, command in _ACCENTS.items():
        latex = re.sub(rf"(\\[A-Za-z]+|.){mark}", rf"\\{command}{{\1}}", latex)
    return latex


_unicode, _latex, _html = _Unicode(), _Latex(), _Html()
