"""Screenshots of the classroom features, which need actions a command line cannot give.

Run by docs/images/make.sh inside a virtual X server: ``python classroom_shots.py OUT_DIR``
writes presentation.png (F5 on the CMU recitation at step 17) and quiz.png (an every-step
quiz after a wrong answer, with the hint showing).
"""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tutor.exercise import load
from tutor.exercise.library import exercises_dir
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow


def window(app: QApplication) -> MainWindow:
    shown = MainWindow(Document(load(exercises_dir() / "cmu-recitation-5.json")))
    shown.resize(1920, 1080)
    shown.show()
    settle(app)
    return shown


def settle(app: QApplication) -> None:
    for _ in range(8):
        app.processEvents()


def main(out: Path) -> None:
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("backprop-tutor-screenshots")  # leave the user's settings alone
    presenting = window(app)
    presenting.presentation.enter()
    presenting.document.set_cursor(16)
    settle(app)
    presenting.grab().save(str(out / "presentation.png"))
    presenting.presentation.leave()
    presenting.close()

    quizzing = window(app)
    quizzing.quiz_dock.show()
    panel = quizzing.quiz_dock.widget()
    panel.mode_combo.setCurrentIndex(0)  # every step
    panel.start()
    for wrong in ("2", "5"):  # the second wrong answer unlocks the numbers to plug in
        panel.answer_edit.setText(wrong)
        panel.submit()
    settle(app)
    quizzing.grab().save(str(out / "quiz.png"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
