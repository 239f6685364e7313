"""The command line against hostile files: nothing printed acts on the terminal, JSON is
strict, and a file asking for too much work gets one line and exit code 2."""

import json

import pytest

from tutor import cli
from tutor.engine.limits import MAX_EXPRESSION_WORK, MAX_NODE_TRACE
from tutor.exercise import default_path
from tutor.terminal import clean

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hostile(tmp_path):
    doc = json.loads(default_path().read_text(encoding="utf-8"))
    doc["title"] = f"Retitled{ESCAPES}"
    doc["source"] = f"Source{ESCAPES}"
    doc["network"]["notation"] = {"loss": f"L{ESCAPES}"}
    path = tmp_path / f"sheet{ESCAPES[:3]}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_clean_keeps_text_and_drops_controls():
    assert clean("a\tb\nc\x1b[2Jd\x9be\u202ef\r") == "a\tb\nc[2Jdef"


@pytest.mark.parametrize("command", [
    ["check"], ["solve"], ["solve", "--format", "markdown"], ["solve", "--granularity", "layer"],
    ["train", "--steps", "3"], ["export", "--format", "markdown"],
    ["export", "--format", "latex"], ["export", "--format", "html"],
])
def test_no_escape_sequence_reaches_the_terminal(capsys, hostile, command):
    code, out, err = run(capsys, command[0], str(hostile), *command[1:])
    assert code == 0, err
    assert "Retitled" in out
    for char in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert char not in out and char not in err


def test_json_spells_controls_as_escapes(capsys, hostile):
    code, out, _ = run(capsys, "solve", str(hostile), "--format", "json")
    assert code == 0
    assert "\x1b" not in out and "\x9b" not in out
    assert json.loads(out)["title"] == f"Retitled{ESCAPES}"


def test_json_of_a_diverged_run_has_no_bare_nan(capsys, hostile):
    code, out, _ = run(capsys, "train", str(hostile), "--steps", "2000", "--lr", "1000",
                       "--format", "json")
    assert code == 0
    report = json.loads(out, parse_constant=lambda name: pytest.fail(name))
    assert report["diverged_at"] is not None


def test_a_node_trace_too_large_is_refused(capsys, tmp_path):
    width = 120
    doc = {"format_version": 1, "kind": "network", "title": "Wide",
           "network": {"input_size": width, "layers": [{"size": width, "activation": "relu"},
                                                       {"size": 1, "activation": "identity"}]},
           "parameters": {"W1": [[0] * width] * width, "b1": [0] * width,
                          "W2": [[0] * width], "b2": [0]},
           "data": {"inputs": [[0] * width] * 8, "targets": [[0]] * 8}}
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert run(capsys, "solve", str(path), "--granularity", "layer")[0] == 0
    code, out, err = run(capsys, "solve", str(path))
    parameters = width * width + width + width + 1
    size = (parameters + width + 1 + 2 * (width + 1)) * 8
    assert (code, out) == (2, "")
    assert err == (f"{path}: the node-by-node trace's size (parameters and nodes × traced "
                   f"samples) is {size:,}; the limit is {MAX_NODE_TRACE:,} (use the layer "
                   f"granularity or fewer samples per update)\n")


def test_expression_training_work_is_capped(capsys, tmp_path):
    doc = {"format_version": 1, "kind": "expression", "title": "e",
           "expression": {"program": "f = " + " + ".join(f"x*{k}" for k in range(1, 9)),
                          "values": {"x": 1}, "trainable": ["x"], "learning_rate": 1e-6}}
    path = tmp_path / "e.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = run(capsys, "train", str(path), "--steps", "100000")
    assert code == 2
    assert f"the limit is {MAX_EXPRESSION_WORK:,}" in err
    assert run(capsys, "train", str(path), "--steps", "1000")[0] == 0
