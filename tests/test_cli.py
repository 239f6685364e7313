"""The command line, run in-process (and once as a real process)."""

import json
import subprocess
import sys
import types

import pytest

from tutor import cli
from tutor.exercise import bundled, default_path
from tutor.exercise.library import exercises_dir

CMU = str(default_path())
INF264 = str(exercises_dir() / "inf264-homework-4.json")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format_version": 1, "kind": "network", "title": "x", '
                    '"network": {"input_size": 2, "layers": [{"size": 2, '
                    '"activation": "swish"}]}, "parameters": {}, '
                    '"data": {"inputs": [[1, 2]], "targets": [[1, 2]]}}', encoding="utf-8")
    return path


# --------------------------------------------------------------------------- list, check

def test_list_shows_every_bundled_exercise(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(bundled())
    assert any(line.startswith("cmu-recitation-5 ") and "Recitation 5" in line for line in lines)


def test_check_ok(capsys):
    code, out, err = run(capsys, "check", CMU)
    assert (code, err) == (0, "")
    assert out.startswith("ok: CMU 10-301/601 Recitation 5")


def test_check_bad_file_is_one_line_and_exit_2(capsys, broken):
    code, out, err = run(capsys, "check", str(broken))
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"{broken}: network.layers[0].activation: unknown activation 'swish'")


@pytest.mark.parametrize("command", [["solve"], ["train", "--steps", "3"], ["check"]])
def test_every_command_rejects_bad_files_without_a_traceback(capsys, tmp_path, command):
    for bad in (tmp_path, tmp_path / "missing.json"):
        code, _, err = run(capsys, command[0], str(bad), *command[1:])
        assert code == 2
        assert "Traceback" not in err and err.count("\n") == 1


# --------------------------------------------------------------------------- solve

def test_solve_text_is_the_trace_table(capsys):
    code, out, _ = run(capsys, "solve", CMU)
    assert code == 0
    assert "∂ℓ/∂β₁ = ∂ℓ/∂ŷ · z₁ = 4 · 3 = 12" in out
    assert "   8  gradient" in out
    assert "a₁ = α₁,₀ · x₀ + α₁,₁ · x₁ + α₁,₂ · x₂ = 2 · 1 + 1 · 1 + 0 · 2 = 3" in out


def test_solve_text_shows_the_sample_column_for_datasets(capsys):
    _, out, _ = run(capsys, "solve", INF264)
    assert "sample" in out.splitlines()[4]
    assert "𝓛 = (1/2)(L(x₁, y₁) + L(x₂, y₂)) = (1/2)(2.89 + 3.61) = 3.25" in out


def test_solve_layer_granularity(capsys):
    _, out, _ = run(capsys, "solve", CMU, "--granularity", "layer")
    assert "∂ℓ/∂α = ∂ℓ/∂a x̂ᵀ" in out and "[4, 4, 8; 8, 8, 16]" in out


def test_solve_json_has_values_adjoints_gradients_and_loss(capsys):
    code, out, _ = run(capsys, "solve", CMU, "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["loss"] == 8
    assert doc["values"]["z1[0]"] == 3 and doc["values"]["z2[0]"] == 7
    assert doc["adjoints"]["z2[0]"] == 4 and doc["adjoints"]["h1[0]"] == 4
    assert doc["gradients"]["W2[0,0]"] == 12 and doc["gradients"]["b1[1]"] == 8
    assert len(doc["gradients"]) == 9
    assert doc["updated"]["W2[0,0]"] == pytest.approx(-0.2)
    assert doc["parameters"] == {"W1": [[2, 1, 0], [0, 2, 0]], "W2": [[0, 1, 2]]}
    assert len(doc["steps"]) == 30


def test_solve_json_for_a_dataset_averages_the_gradients(capsys):
    doc = json.loads(run(capsys, "solve", INF264, "--format", "json")[1])
    assert doc["loss"] == pytest.approx(3.25)
    assert doc["values"]["z2[0]@0"] == 3 and doc["values"]["z2[0]@1"] == 0
    assert doc["gradients"]["b2[0]"] == pytest.approx(-0.2)
    assert doc["loss_after_update"] < doc["loss"]


def test_solve_json_layer_granularity_gives_arrays(capsys):
    doc = json.loads(run(capsys, "solve", CMU, "--format", "json", "--granularity", "layer")[1])
    assert doc["gradients"]["W1"] == [[4, 4, 8], [8, 8, 16]]
    assert doc["gradients"]["W2"] == [[4, 12, 8]]


def test_solve_expression(capsys):
    path = exercises_dir() / "chain-rule-discussion-expression.json"
    doc = json.loads(run(capsys, "solve", str(path), "--format", "json")[1])
    assert doc["output"] == "l" and doc["loss"] == 20
    assert doc["gradients"] == {"x": 36}


def test_markdown_answer_key(capsys):
    code, out, _ = run(capsys, "solve", CMU, "--format", "markdown")
    assert code == 0
    assert out.startswith("# Answer key: CMU")
    assert "| ∂ℓ/∂β₁ = ? | 12 | step 9: ∂ℓ/∂β₁ = ∂ℓ/∂ŷ · z₁ = 4 · 3 = 12 |" in out
    assert "## Forward pass" in out and "## Backward pass" in out and "## Update" in out


def test_markdown_hides_hidden_answers(capsys, tmp_path):
    doc = json.loads(default_path().read_text(encoding="utf-8"))
    doc["hidden"] = ["dl_dbeta1"]
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = run(capsys, "solve", str(path), "--format", "markdown")[1]
    assert "| ∂ℓ/∂β₁ = ? | *(hidden)* |" in out


# --------------------------------------------------------------------------- train

def test_train_reports_history_and_final_parameters(capsys):
    code, out, _ = run(capsys, "train", INF264, "--steps", "1")
    assert code == 0
    assert "     0  3.25" in out
    assert "W1 (θ⁽¹⁾) = [0.966, 0.983, −0.017]" in out
    assert "W2 (θ⁽²⁾) = [0.949, 0.002]" in out


def test_train_json_with_overrides(capsys):
    out = run(capsys, "train", INF264, "--steps", "20", "--lr", "0.05", "--method", "sgd",
              "--format", "json")[1]
    doc = json.loads(out)
    assert (doc["method"], doc["learning_rate"], doc["updates"]) == ("sgd", 0.05, 20)
    assert len(doc["losses"]) == 21 and doc["diverged_at"] is None
    assert doc["parameters"]["W1"][0][0] != 1  # it moved


def test_train_reports_divergence(capsys):
    code, out, _ = run(capsys, "train", INF264, "--steps", "2000", "--lr", "1000")
    assert code == 0
    assert "Diverged at update" in out


def test_train_writes_the_loss_history_as_csv(capsys, tmp_path):
    code, out, _ = run(capsys, "train", INF264, "--steps", "1", "--csv", str(tmp_path / "l.csv"))
    lines = (tmp_path / "l.csv").read_text(encoding="utf-8").splitlines()
    assert code == 0 and "     0  3.25" in out  # the text report is still printed
    assert lines[0] == "update,loss,edited,current" and lines[1] == "0,3.25,0,0"
    assert len(lines) == 3 and float(lines[2].split(",")[1]) < 3.25


def test_train_csv_holds_the_same_losses_as_the_json_report(capsys, tmp_path):
    out = run(capsys, "train", INF264, "--steps", "2000", "--lr", "1000", "--format", "json",
              "--csv", str(tmp_path / "l.csv"))[1]
    losses = json.loads(out)["losses"]  # a diverging run: 3.25 up to about 1e184
    rows = (tmp_path / "l.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [float(r.split(",")[1]) for r in rows] == losses and losses[-1] > 1e100


def test_train_csv_to_an_unwritable_path_is_an_error(capsys, tmp_path):
    code, _, err = run(capsys, "train", INF264, "--steps", "1", "--csv",
                       str(tmp_path / "missing" / "l.csv"))
    assert code == 1 and "cannot write" in err


def test_train_expression_without_trainable_variables_is_an_error(capsys):
    path = exercises_dir() / "chain-rule-discussion-expression.json"
    code, _, err = run(capsys, "train", str(path), "--steps", "3")
    assert code == 2 and "no trainable variables" in err


def test_train_needs_a_positive_step_count(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["train", CMU, "--steps", "0"])
    assert caught.value.code == 2
    assert "between 1 and" in capsys.readouterr().err


# --------------------------------------------------------------------------- the app

def test_without_a_command_the_app_starts_with_the_arguments(monkeypatch):
    calls = []
    fake = types.ModuleType("tutor.ui.app")
    fake.main = lambda argv: calls.append(argv) or 0
    monkeypatch.setitem(sys.modules, "tutor.ui.app", fake)
    import tutor.ui

    monkeypatch.setattr(tutor.ui, "app", fake, raising=False)
    assert cli.main([CMU, "--screenshot", "out.png"]) == 0
    assert cli.main([]) == 0
    assert calls == [[CMU, "--screenshot", "out.png"], []]


def test_python_dash_m_tutor_solves_in_a_real_process():
    result = subprocess.run([sys.executable, "-m", "tutor", "solve", CMU, "--format", "json"],
                            capture_output=True, text=True, encoding="utf-8", check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["gradients"]["W1[0,0]"] == 4


def test_real_process_bad_file_exit_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tutor", "check", str(bad)],
                            capture_output=True, text=True, encoding="utf-8", check=False)
    assert result.returncode == 2
    assert result.stderr == f"{bad}: not valid JSON: line 1, column 3: Expecting property name " \
                            "enclosed in double quotes\n"


# --------------------------------------------------------------------------- export

def test_export_latex_to_stdout(capsys):
    code, out, err = run(capsys, "export", CMU, "--format", "latex", "--granularity", "layer")
    assert (code, err) == (0, "")
    assert out.startswith(r"\documentclass") and out.rstrip().endswith(r"\end{document}")
    assert r"\begin{bmatrix} 4 & 12 & 8 \end{bmatrix}" in out


def test_export_writes_the_file_atomically(capsys, tmp_path):
    target = tmp_path / "key.html"
    target.write_text("old", encoding="utf-8")
    code, out, err = run(capsys, "export", INF264, "--format", "html", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "3.25" in page
    assert [p.name for p in tmp_path.iterdir()] == ["key.html"]


def test_export_markdown_is_what_solve_prints(capsys):
    solved = run(capsys, "solve", CMU, "--format", "markdown")[1]
    exported = run(capsys, "export", CMU, "--format", "markdown")[1]
    assert solved == exported


def test_export_reveal_hidden_is_the_teachers_copy(capsys, tmp_path):
    doc = json.loads(default_path().read_text(encoding="utf-8"))
    doc["hidden"] = ["dl_dbeta1"]
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    student = run(capsys, "export", str(path), "--format", "markdown")[1]
    teacher = run(capsys, "export", str(path), "--format", "markdown", "--reveal-hidden")[1]
    assert "*(hidden)*" in student and "*(hidden)*" not in teacher


def test_export_bad_file_and_unwritable_output(capsys, broken, tmp_path):
    code, _, err = run(capsys, "export", str(broken), "--format", "html")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(capsys, "export", CMU, "--format", "html",
                       "-o", str(tmp_path / "missing" / "key.html"))
    assert code == 1 and "cannot write" in err and "Traceback" not in err
