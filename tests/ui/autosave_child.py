"""A process that edits an exercise without pause while autosaving every millisecond: the
kill and second-copy tests in test_recovery_hardened.py run it and SIGKILL it.

    python autosave_child.py FOLDER    prints "ready" once the first autosave is on disk
"""

import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from tutor.exercise import default_path, load
from tutor.ui.document import Document
from tutor.ui.recovery import Autosaver


def main() -> None:
    folder = Path(sys.argv[1])
    app = QApplication([])
    exercise = load(default_path())
    document = Document(exercise)
    autosaver = Autosaver(document, interval_ms=1, folder=folder)
    ready = False
    for n in range(10**9):
        document.edit("Rename", dataclasses.replace(exercise, title=f"Edit {n}"))
        autosaver.write()  # as the timer would, only more often
        app.processEvents()
        if not ready and autosaver.recovery_path.exists():
            print("ready", flush=True)
            ready = True


if __name__ == "__main__":
    main()
