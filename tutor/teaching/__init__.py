"""Teaching products built on an exercise: the predict-then-reveal quiz and answer keys.

May import :mod:`tutor.exercise` and :mod:`tutor.engine`; never the session, the UI or Qt.
"""

from . import answer_key, quiz  # modules: answer_key.answer_key(exercise, "latex")
from .quiz import AnswerError, Feedback, Quiz, QuizMode, QuizQuestion, QuizState

__all__ = [
    "AnswerError",
    "Feedback",
    "Quiz",
    "QuizMode",
    "QuizQuestion",
    "QuizState",
    "answer_key",
    "quiz",
]
