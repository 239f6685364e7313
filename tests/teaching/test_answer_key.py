"""Answer keys in three formats carry the sheets' published numbers and are well formed."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from tutor.exercise import bundled, default_path, load
from tutor.exercise.library import exercises_dir
from tutor.teaching.answer_key import answer_key, write_atomically
from tutor.teaching.latex_escape import latex_math, latex_text


def hidden_cmu(tmp_path, *hidden: str):
    doc = json.loads(default_path().read_text(encoding="utf-8"))
    doc["hidden"] = list(hidden)
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load(path)


# --------------------------------------------------------------------------- well-formedness

def braces_balanced(text: str) -> bool:
    depth = 0
    for token in re.findall(r"\\.|[{}]", text):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


def environments_nest(text: str) -> bool:
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", text):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


VOID = {"meta", "br", "hr", "img", "link", "input"}


class StrictParser(HTMLParser):
    """Records every element that is closed out of order, never closed, or unknown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")

    def handle_data(self, data):
        self.text.append(data)


def parse_html(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    return parser


# --------------------------------------------------------------------------- CMU numbers

def test_cmu_markdown_has_the_sheets_numbers(cmu):
    text = answer_key(cmu, "markdown")
    assert text.startswith("# Answer key: CMU 10-301/601 Recitation 5")
    assert "*Source:* 10-301/10-601 Introduction to Machine Learning" in text
    assert "5. ŷ = β₀ · z₀ + β₁ · z₁ + β₂ · z₂ = 0 · 1 + 1 · 3 + 2 · 2 = 7" in text
    assert "6. ℓ = ½(ŷ − y)² = ½(7 − 3)² = 8" in text
    for n, value in ((8, 4), (9, 12), (10, 8)):  # ∂ℓ/∂β = [4, 12, 8]
        assert f"{n}. ∂ℓ/∂β{'₀₁₂'[n - 8]} = ∂ℓ/∂ŷ · z{'₀₁₂'[n - 8]} = 4 · " in text
        assert text.split(f"\n{n}. ")[1].split("\n")[0].endswith(f"= {value}")
    for entry in ("∂ℓ/∂α₁,₀ = ∂ℓ/∂a₁ · x₀ = 4 · 1 = 4", "∂ℓ/∂α₁,₂ = ∂ℓ/∂a₁ · x₂ = 4 · 2 = 8",
                  "∂ℓ/∂α₂,₀ = ∂ℓ/∂a₂ · x₀ = 8 · 1 = 8", "∂ℓ/∂α₂,₂ = ∂ℓ/∂a₂ · x₂ = 8 · 2 = 16"):
        assert entry in text
    assert "| ŷ = ? | 7 | step 5: " in text and "| ℓ = ? | 8 | step 6: " in text


def test_cmu_markdown_layer_granularity(cmu):
    text = answer_key(cmu, "markdown", "layer")
    assert "∂ℓ/∂β = ∂ℓ/∂ŷ ẑᵀ = 4 [1, 3, 2] = [4, 12, 8]" in text  # (ŷ − y)zᵀ, a row
    assert "∂ℓ/∂α = ∂ℓ/∂a x̂ᵀ = [4; 8] [1, 1, 2] = [4, 4, 8; 8, 8, 16]" in text  # column·row
    assert "| ∂ℓ/∂β₁ = ? | 12 | node trace step 9: " in text  # questions stay scalar


def test_cmu_latex_has_the_sheets_numbers(cmu):
    node = answer_key(cmu, "latex")
    assert r"\hat{y} &= \beta_{0} \cdot z_{0} + \beta_{1} \cdot z_{1} + \beta_{2} \cdot z_{2}" \
           r" = 0 \cdot 1 + 1 \cdot 3 + 2 \cdot 2 = 7" in node
    assert r"\ell &= \tfrac{1}{2}(\hat{y} - y)^{2} = \tfrac{1}{2}(7 - 3)^{2} = 8" in node
    assert (r"\frac{\partial \ell}{\partial \alpha_{2,2}} &= \frac{\partial \ell}{\partial a_{2}}"
            r" \cdot x_{2} = 8 \cdot 2 = 16") in node
    layer = answer_key(cmu, "latex", "layer")
    assert r"= \begin{bmatrix} 4 & 12 & 8 \end{bmatrix} \tag*" in layer
    assert r"= \begin{bmatrix} 4 & 4 & 8 \\ 8 & 8 & 16 \end{bmatrix} \tag*" in layer
    assert r"\begin{bmatrix} -0.4 & -0.2 & 1.2 \end{bmatrix}" in layer  # βⁿᵉʷ


@pytest.mark.parametrize("granularity", ["node", "layer"])
def test_latex_is_a_complete_balanced_document(cmu, inf264, granularity):
    for exercise in (cmu, inf264):
        text = answer_key(exercise, "latex", granularity)
        assert text.startswith(r"\documentclass")
        assert r"\usepackage{amsmath" in text
        assert text.index(r"\begin{document}") < text.index(r"\end{document}")
        assert braces_balanced(text) and environments_nest(text)
        assert text.count(r"\begin{align*}") == text.count(r"\end{align*}") >= 3
        assert "−" not in text  # every Unicode minus became ASCII


def test_latex_has_no_characters_pdflatex_would_reject():
    for item in bundled():
        text = answer_key(load(item.path), "latex")
        strange = {c for c in text if not c.isascii() and c not in "–—‘’“”"
                   and not (c.isalpha() and ord(c) < 0x250)}  # ø, é: the UTF-8 input knows
        assert strange == set(), item.name


# --------------------------------------------------------------------------- INF264 numbers

def test_inf264_markdown_and_latex(inf264):
    markdown = answer_key(inf264, "markdown")
    assert "𝓛 = (1/2)(L(x₁, y₁) + L(x₂, y₂)) = (1/2)(2.89 + 3.61) = 3.25" in markdown
    for gradient in ("= 3.4", "= 1.7", "= 5.1", "= −0.2"):
        assert gradient in markdown
    assert "## Forward pass, sample 1" in markdown and "## Batch average" in markdown
    latex = answer_key(inf264, "latex")
    assert (r"\mathcal{L} &= (1/2)(L(x_{1}, y_{1}) + L(x_{2}, y_{2})) = (1/2)(2.89 + 3.61) "
            "= 3.25") in latex
    # the sheet's L(x₁, y₁) makes the line long enough to continue on the next (&= …)
    assert re.search(r"\\frac\{\\partial \\mathcal\{L\}\}\{\\partial w_\{4\}\} &= .*?= -0\.2\b",
                     latex, re.S)
    for value in ("3.4", "1.7", "5.1"):
        assert f"= {value} " in latex
    assert r"x[0]" in latex and r"\textbf{Answer:} $-0.2$" in latex


# --------------------------------------------------------------------------- HTML

def test_html_is_a_standalone_page_that_parses(cmu, inf264):
    for exercise, granularity in ((cmu, "node"), (cmu, "layer"), (inf264, "node")):
        page = answer_key(exercise, "html", granularity)
        assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
        parsed = parse_html(page)
        assert "Answer key: " + exercise.title in "".join(parsed.text)
    page = answer_key(cmu, "html")
    assert "∂ℓ/∂β<sub>1</sub> = ∂ℓ/∂ŷ · z<sub>1</sub> = 4 · 3 = 12" in page
    assert '<li value="8">' in page
    text = "".join(parse_html(answer_key(cmu, "html", "layer")).text)
    assert "[4, 12, 8]" in text and "[4, 4, 8; 8, 8, 16]" in text


def test_html_escapes_what_a_teacher_writes(cmu, tmp_path):
    doc = json.loads(default_path().read_text(encoding="utf-8"))
    doc["title"] = "<script>alert(1)</script> & co"
    doc["description"] = "a < b & <b>c</b>"
    doc["questions"][0]["prompt"] = "<img src=x> a_1 = ?"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    page = answer_key(load(path), "html")
    assert "<script>" not in page and "<img" not in page and "<b>c" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    parse_html(page)


# --------------------------------------------------------------------------- hidden answers

def test_hidden_answers_are_hidden_unless_revealed(tmp_path):
    exercise = hidden_cmu(tmp_path, "dl_dbeta1")
    for fmt, hidden in (("markdown", "| ∂ℓ/∂β₁ = ? | *(hidden)* |"),
                        ("latex", r"\emph{(hidden)}"), ("html", "(hidden)")):
        student = answer_key(exercise, fmt)
        assert hidden in student
        teacher = answer_key(exercise, fmt, reveal_hidden=True)
        assert hidden not in teacher
    student = answer_key(exercise, "markdown")
    assert "9. ∂ℓ/∂β₁ = ∂ℓ/∂ŷ · z₁ = ?" in student  # the step's result is masked too
    assert "28. β₁ⁿᵉʷ = β₁ − η · ∂ℓ/∂β₁ = −0.2" in student  # its reader loses the numbers
    assert "12" not in student.split("## Backward pass")[1].split("## Update")[0].split("\n9.")[0]
    teacher = answer_key(exercise, "markdown", reveal_hidden=True)
    assert "9. ∂ℓ/∂β₁ = ∂ℓ/∂ŷ · z₁ = 4 · 3 = 12" in teacher


def test_hidden_answers_in_a_layer_key_mask_the_whole_tensor(tmp_path):
    exercise = hidden_cmu(tmp_path, "dl_dbeta1")
    text = answer_key(exercise, "markdown", "layer")
    assert "∂ℓ/∂β = ∂ℓ/∂ŷ ẑᵀ = ?" in text and "[4, 12, 8]" not in text


# --------------------------------------------------------------------------- expressions

def test_expression_key_sums_the_contributions():
    exercise = load(exercises_dir() / "chain-rule-discussion-expression.json")
    text = answer_key(exercise, "markdown")
    assert "| ℓ′(2) = ∂ℓ/∂x = ? | 36 |" in text
    latex = answer_key(exercise, "latex")
    assert braces_balanced(latex) and "= 36" in latex


# --------------------------------------------------------------------------- escaping

def test_latex_text_escapes_and_spells_symbols():
    assert latex_text("50% of $x_1 & {y}#") == r"50\% of \$x\_1 \& \{y\}\#"
    assert latex_text("ŷ, é, ø") == r"\^{y}, \'{e}, ø"
    assert latex_text("σ(z₁) ≈ ½") == r"\ensuremath{\sigma}(z\ensuremath{_{1}}) " \
                                      r"\ensuremath{\approx} \ensuremath{\tfrac{1}{2}}"
    assert latex_text("back\\slash ~") == r"back\textbackslash{}slash \textasciitilde{}"


def test_latex_math_falls_back_to_text_for_markup_latex_cannot_take():
    assert latex_math("\\d{ℓ}{β_1}") == r"\frac{\partial \ell}{\partial \beta_{1}}"
    assert latex_math("x ≤ 3") == r"x \leq 3"
    stray = latex_math("a_1 } = ?")
    assert stray.startswith(r"\text{") and braces_balanced(stray)
    unknown = latex_math("\\input{/etc/passwd}")
    assert "\\input" not in unknown and braces_balanced(unknown)


def test_unknown_format_is_refused(cmu):
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        answer_key(cmu, "pdf")


# --------------------------------------------------------------------------- writing

def test_write_atomically_replaces_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "key.md"
    path.write_text("old", encoding="utf-8")
    write_atomically(path, "ŷ = 7\n")
    assert path.read_text(encoding="utf-8") == "ŷ = 7\n"
    assert [p.name for p in tmp_path.iterdir()] == ["key.md"]


# --------------------------------------------------------------------------- compiling

EVERY_EXERCISE = sorted(path.stem for path in exercises_dir().glob("*.json"))


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("name", EVERY_EXERCISE)
def test_latex_compiles(tmp_path, name):
    exercise = load(exercises_dir() / f"{name}.json")
    for granularity in ("node", "layer"):
        source = tmp_path / f"{granularity}.tex"
        source.write_text(answer_key(exercise, "latex", granularity), encoding="utf-8")
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                                 source.name], cwd=tmp_path, capture_output=True, timeout=120,
                                check=False)
        assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]
        assert (tmp_path / f"{granularity}.pdf").stat().st_size > 0


@pytest.mark.parametrize("name", EVERY_EXERCISE)
def test_every_latex_line_is_maths_not_a_text_fallback(name):
    """ReLU, tanh, sin, exp and superscripted symbols are typeset as maths: the Unicode
    fallback (text with \\ensuremath pieces) is only for markup LaTeX cannot take."""
    exercise = load(exercises_dir() / f"{name}.json")
    for granularity in ("node", "layer"):
        assert r"\text{\ensuremath" not in answer_key(exercise, "latex", granularity)
