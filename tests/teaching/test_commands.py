"""The teaching commands: variants with keys and a roster, one variant again by its code."""

import csv
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.exercise.library import exercises_dir
from tutor.teaching.library import bundled_templates

# the chain-rule template as first bundled: x from 12 halves, codes starting SFX8
TWELVE = Path(__file__).parent / "fixtures" / "chain-rule-twelve-values.template.json"


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_variants_write_exercises_keys_and_a_roster(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["variants", "inf264-homework-4", "--count", "3", "--seed", "9",
                 "-o", str(out), "--lms", "moodle,qti"]) == 0
    assert "3 variants of inf264-homework-4 (seed 9)" in capsys.readouterr().out
    rows = list(csv.DictReader((out / "roster.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0].keys() == {"code", "exercise", "key_md", "key_tex",
                                           "key_html"}
    assert len({r["code"] for r in rows}) == 3
    for row in rows:
        for column in ("exercise", "key_md", "key_tex", "key_html"):
            assert (out / row[column]).is_file()
        assert row["code"] in (out / row["key_md"]).read_text(encoding="utf-8")
    assert (out / "moodle.xml").is_file() and (out / "qti.zip").is_file()


def test_a_code_regenerates_the_very_same_files(tmp_path):
    many, one = tmp_path / "many", tmp_path / "one"
    assert main(["variants", "cmu-recitation-5", "--count", "4", "--seed", "1",
                 "-o", str(many), "--keys", "md,html"]) == 0
    code = next(csv.DictReader((many / "roster.csv").read_text(encoding="utf-8")
                                .splitlines()))["code"]
    assert main(["variant", str(bundled_templates()["cmu-recitation-5"]), code.lower(),
                 "-o", str(one), "--keys", "md,html"]) == 0
    regenerated = _files(one)
    assert sorted(regenerated) == [f"{code}.json", f"{code}.key.html", f"{code}.key.md"]
    assert all(_files(many)[name] == data for name, data in regenerated.items())


def test_the_same_seed_gives_bit_identical_folders(tmp_path):
    for name in ("a", "b"):
        assert main(["variants", "chain-rule-discussion-expression", "--count", "5",
                     "--seed", "77", "-o", str(tmp_path / name)]) == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_variant_to_standard_output(capsys):
    assert main(["variant", str(TWELVE), "SFX8-000007"]) == 0
    assert '"x": -3' in capsys.readouterr().out


@pytest.mark.parametrize(("args", "words"), [
    (["variant", "cmu-recitation-5", "SFX8-000007"], "another template"),
    (["variant", "cmu-recitation-5", "nonsense"], "not a variant code"),
    (["variants", "no-such-template", "--count", "1", "-o", "x"], "no such file"),
])
def test_bad_input_is_one_line_and_exit_2(args, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_an_unmeetable_constraint_names_it(tmp_path, capsys):
    text = bundled_templates()["cmu-recitation-5"].read_text(encoding="utf-8")
    template = tmp_path / "t.json"
    template.write_text(text.replace('"max_magnitude": 200', '"max_magnitude": 0.5'),
                        encoding="utf-8")
    assert main(["variants", str(template), "--count", "1", "--seed", "1",
                 "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "constraints.max_magnitude" in err and "in 1000 tries" in err


def test_worksheet_latex_and_key(tmp_path):
    out = tmp_path / "sheet.tex"
    exercise = exercises_dir() / "inf264-homework-4.json"
    assert main(["worksheet", str(exercise), "-o", str(out), "--phase", "forward"]) == 0
    assert out.read_text(encoding="utf-8").count(r"\answerbox{") == 9  # 4 steps × 2, 𝓛
    assert r"\section*{Questions}" in (tmp_path / "sheet-key.tex").read_text(encoding="utf-8")


def test_a_small_grid_says_how_many_variants_differ(tmp_path, capsys):
    # x is drawn from 12 halves: 30 students cannot all get different numbers (seed 4's 30
    # codes happen to cover 11 of the 12)
    assert main(["variants", str(TWELVE), "--count", "30", "--seed", "4",
                 "-o", str(tmp_path), "--keys", "md"]) == 0
    assert "note: only 11 of the 30 variants have different numbers" in capsys.readouterr().err
    assert len({p.read_text(encoding="utf-8").split("## Questions")[1]
                for p in tmp_path.glob("*.key.md")}) == 11


def test_a_worksheet_of_an_exercise_without_questions_asks_for_a_phase(tmp_path, capsys):
    assert main(["worksheet", "xor", "-o", str(tmp_path / "x.tex")]) == 2
    assert "no questions; ask every step of a phase" in capsys.readouterr().err
    assert main(["worksheet", "xor", "-o", str(tmp_path / "x.tex"), "--phase", "update"]) == 0
