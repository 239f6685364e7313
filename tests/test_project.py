"""The project's promises about itself: the README's commands are the ones CI runs, and the
code is lint-clean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci_command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci_command in readme


def test_readme_start_command_uses_the_same_setup():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash .ci/setup && .venv/bin/backprop-tutor\n" in readme


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.fail("ruff is part of the test extras and must be installed")
    folders = [f for f in ("tutor", "tests", "benchmarks") if (ROOT / f).is_dir()]
    result = subprocess.run([ruff, "check", *folders], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
