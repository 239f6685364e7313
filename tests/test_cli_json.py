"""The CLI's JSON: strict, in the documented layout (docs/schema), numbered from 1."""

import json
from pathlib import Path

import jsonschema
import pytest

from tutor.cli import main
from tutor.exercise.library import exercises_dir

SCHEMAS = Path(__file__).parents[1] / "docs" / "schema"
EXERCISES = sorted(path.stem for path in exercises_dir().glob("*.json"))


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def run_json(capsys, *args: str) -> dict:
    assert main(list(args)) == 0
    text = capsys.readouterr().out
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in JSON"))


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("granularity", ["node", "layer"])
def test_solve_json_follows_its_schema(capsys, name, granularity):
    doc = run_json(capsys, "solve", name, "--format", "json", "--granularity", granularity)
    jsonschema.validate(doc, schema("solve"))
    assert [s["step"] for s in doc["steps"]] == list(range(1, len(doc["steps"]) + 1))


def test_solve_json_says_which_loss_each_adjoint_is_of(capsys):
    doc = run_json(capsys, "solve", "inf264-homework-4", "--format", "json")
    assert doc["loss_symbols"] == {"per_sample": "L", "dataset": "𝓛"}
    assert doc["sample_adjoints"]["1"]["W2[0,0]"] == pytest.approx(10.2)  # ∂L(x₁, y₁)/∂w₃
    assert doc["sample_adjoints"]["2"]["W2[0,0]"] == 0
    assert doc["dataset_adjoints"]["W2[0,0]"] == pytest.approx(5.1)  # ∂𝓛/∂w₃, the mean
    first = doc["steps"][0]
    assert (first["step"], first["sample"], first["id"]) == (1, 1, "z1[0]@0")
    adjoints = [s for s in doc["steps"] if s["quantity"] == "adjoint"]
    assert {s["adjoint_of"] for s in adjoints if s["sample"]} == {"L"}
    assert {s["adjoint_of"] for s in adjoints if s["sample"] is None} == {"𝓛"}


def test_train_json_has_final_outputs_and_sample_losses(capsys):
    doc = run_json(capsys, "train", "inf264-homework-4", "--steps", "1", "--format", "json")
    jsonschema.validate(doc, schema("train"))
    assert doc["status"] == "finished"
    outputs = [row[0] for row in doc["final_outputs"]]  # ŷ(x₁), ŷ(x₂) after one step
    assert outputs[0] == pytest.approx(0.949 * (0.966 * 2 + 0.983 * 1 - 0.017) + 0.002)
    assert outputs[1] == pytest.approx(0.002)  # z = −1.017 < 0: ŷ = w₄
    assert sum(doc["final_sample_losses"]) / 2 == pytest.approx(doc["losses"][-1])


def test_a_diverging_run_is_strict_json(capsys):
    doc = run_json(capsys, "train", "inf264-homework-4", "--steps", "2000", "--lr", "1000",
                   "--format", "json")
    jsonschema.validate(doc, schema("train"))
    assert doc["status"] == "diverged" and doc["diverged_at"] >= 1


def test_a_loss_not_finite_before_any_update_is_reported_as_such(capsys, tmp_path):
    doc = json.loads((exercises_dir() / "inf264-homework-4.json").read_text(encoding="utf-8"))
    doc["data"]["inputs"] = [[1e308, 1e308], [-3, 2]]  # z = 2e308 overflows to ∞
    path = tmp_path / "overflow.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = run_json(capsys, "train", str(path), "--steps", "3", "--format", "json")
    jsonschema.validate(report, schema("train"))
    assert report["status"] == "non-finite-at-start" and report["diverged_at"] is None
    assert report["losses"][0] in ("Infinity", "NaN")
    assert main(["train", str(path), "--steps", "3"]) == 0
    assert "not finite before any update" in capsys.readouterr().out


def test_gradcheck_gives_both_gradients_and_what_each_costs(capsys):
    """The chain-rule sheet's question: analytic (backprop) against numerical derivatives."""
    doc = run_json(capsys, "gradcheck", "chain-rule-discussion", "--format", "json")
    assert doc["parameters"] == 10  # W⁽¹⁾ 2×2, W⁽²⁾ 2×2, b 2
    assert doc["numeric_forward_passes"] == 20  # two per parameter
    assert doc["backprop_passes"] == {"forward": 1, "backward": 1}
    assert doc["max_abs_error"] < 1e-8
    first = doc["gradients"][0]
    assert first["id"] == "W1[0,0]" and first["backprop"] == pytest.approx(-0.134182, abs=1e-6)
    assert main(["gradcheck", "chain-rule-discussion"]) == 0
    assert "20 forward passes" in capsys.readouterr().out
