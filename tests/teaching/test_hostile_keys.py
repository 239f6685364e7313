"""Answer keys built from a hostile exercise: nothing in a prompt, title or description can
act when the key is compiled, rendered or viewed."""

import dataclasses
import shutil
import subprocess

import pytest

from tutor.exercise import default_path, load
from tutor.teaching.answer_key import answer_key
from tutor.teaching.latex_escape import latex_math
from tutor.teaching.quiz import Quiz

FILECONTENTS = r"\begin{filecontents*}[overwrite]{pwned.tex}\relax\end{filecontents*}"


@pytest.fixture(scope="module")
def cmu():
    return load(default_path())


def with_prompt(exercise, prompt: str, **changes):
    question = dataclasses.replace(exercise.questions[0], prompt=prompt)
    return dataclasses.replace(exercise, questions=(question, *exercise.questions[1:]),
                               **changes)


@pytest.mark.parametrize("markup", [
    FILECONTENTS,
    r"\begin {filecontents}{x.tex}a\end {filecontents}",
    r"\begin",
])
def test_latex_maths_allows_no_environment_outside_the_whitelist(markup):
    result = latex_math(markup)
    assert result.startswith(r"\text{")  # shown as escaped text
    assert r"\begin" not in result


@pytest.mark.parametrize("markup", [r"^^5cinput^^7b/etc/passwd^^7d", r"x^^5cwrite"])
def test_latex_maths_never_writes_a_caret_pair(markup):
    assert "^^" not in latex_math(markup)  # TeX would read ^^5c as a backslash


def test_a_matrix_still_renders_as_a_bmatrix():
    assert latex_math(r"\mat{1,2;3,4}") == r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"


def test_the_filecontents_key_writes_no_file(cmu, tmp_path):
    hostile = with_prompt(cmu, FILECONTENTS, title=FILECONTENTS, description=FILECONTENTS)
    source = answer_key(hostile, "latex")
    assert r"\begin{filecontents" not in source
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    (tmp_path / "key.tex").write_text(source, encoding="utf-8")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                             "key.tex"], cwd=tmp_path, capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]
    assert not (tmp_path / "pwned.tex").exists()
    assert (tmp_path / "key.pdf").stat().st_size > 0


def test_markdown_keys_have_no_active_links_or_images(cmu):
    hostile = with_prompt(cmu, "[click](javascript:alert(1)) [a][b] [b]: http://x",
                          title="![x](https://example.org/x.png)",
                          description="see www.example.org and <a href='x'>here</a>")
    text = answer_key(hostile, "markdown")
    assert r"[click\](javascript\:alert(1))" in text
    assert r"![x\](https\://example.org/x.png)" in text
    assert r"www\.example.org" in text
    assert r"\<a href='x'>here\</a>" in text
    assert r"[a\][b] [b\]: http\://x" in text
    assert "](" not in text.replace(r"\](", "")


def test_html_keys_escape_markup(cmu):
    hostile = with_prompt(cmu, "<img src=x onerror=alert(1)>", title="<script>x</script>")
    page = answer_key(hostile, "html")
    assert "<script>x" not in page and "<img" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_markup_nested_a_thousand_deep_renders_everywhere(cmu):
    deep = "_{" * 1000 + "x"
    hostile = with_prompt(cmu, deep[:2000], description=deep, title="Deep")
    for fmt in ("markdown", "latex", "html"):
        assert "Deep" in answer_key(hostile, fmt)
    state = Quiz.start(hostile, hostile.problem.trace(), "questions")
    assert state.questions[0].prompt == deep[:2000]
