"""The standalone bundle builds and runs: only with ``pytest --bundle`` (two minutes or more,
so not in CI); packaging/build_bundle.sh does the building and the smoke test itself."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import tutor

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "packaging" / "build_bundle.sh"


@pytest.mark.slow
def test_the_bundle_builds_and_screenshots_the_default_exercise(request, tmp_path):
    if not request.config.getoption("--bundle"):
        pytest.skip("builds a standalone bundle for minutes: run with --bundle")
    if shutil.which("bash") is None:
        pytest.skip("the build script needs bash")
    shot = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["BUNDLE_SHOT"] = str(shot)
    result = subprocess.run(["bash", str(SCRIPT)], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=1800, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"backprop-tutor {tutor.__version__}" in result.stdout
    assert "smoke test passed" in result.stdout
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (REPO / "dist" / "backprop-tutor" / "backprop-tutor").is_file()
