"""Exercise files: the format on disk, validation, atomic saving and the bundled library."""

from . import answer_key, quiz  # modules: answer_key.answer_key(exercise, "latex")
from .errors import ExerciseError
from .format import dumps, from_dict, load, loads, save, to_dict
from .library import BundledExercise, bundled, default_path
from .model import FORMAT_VERSION, Exercise, Problem, Question
from .quiz import AnswerError, Feedback, Quiz, QuizMode, QuizQuestion, QuizState
from .validate import MAX_DEPTH, MAX_FILE_BYTES, MAX_LAYER_WIDTH, MAX_PARAMETERS, MAX_SAMPLES

__all__ = [
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_LAYER_WIDTH",
    "MAX_PARAMETERS",
    "MAX_SAMPLES",
    "AnswerError",
    "BundledExercise",
    "Exercise",
    "ExerciseError",
    "Feedback",
    "Problem",
    "Question",
    "Quiz",
    "QuizMode",
    "QuizQuestion",
    "QuizState",
    "answer_key",
    "bundled",
    "default_path",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "quiz",
    "save",
    "to_dict",
]
