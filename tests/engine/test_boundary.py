"""The engine and the exercise format run headless: importing them never loads Qt."""

import json
import subprocess
import sys

FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6")

PROBE = """
import json, sys
import tutor.engine, tutor.exercise
import tutor.engine.expression, tutor.exercise.model
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(loaded))
"""


def test_engine_and_exercise_import_no_qt() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            check=True, timeout=120)
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "tutor" in loaded and "numpy" in loaded, "the probe imported nothing"
    assert not loaded & set(FORBIDDEN), f"Qt leaked into the headless packages: {loaded}"
