"""Exercise files: the format on disk, validation, atomic saving and the bundled library."""

from .errors import ExerciseError
from .format import dumps, from_dict, load, loads, save, to_dict
from .library import BundledExercise, bundled, default_path
from .model import FORMAT_VERSION, Exercise, Problem, Question
from .validate import MAX_DEPTH, MAX_FILE_BYTES, MAX_LAYER_WIDTH, MAX_PARAMETERS, MAX_SAMPLES

__all__ = [
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_LAYER_WIDTH",
    "MAX_PARAMETERS",
    "MAX_SAMPLES",
    "BundledExercise",
    "Exercise",
    "ExerciseError",
    "Problem",
    "Question",
    "bundled",
    "default_path",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "save",
    "to_dict",
]
