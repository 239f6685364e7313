"""Exercise files: the format on disk, validation, atomic saving and the bundled library."""

from tutor.engine.limits import MAX_FILE_BYTES, MAX_LAYER_WIDTH, MAX_PARAMETERS, MAX_SAMPLES
from tutor.engine.limits import MAX_LAYERS as MAX_DEPTH

from .errors import ExerciseError
from .format import dumps, from_dict, load, loads, to_dict
from .library import BundledExercise, bundled, default_path
from .model import FORMAT_VERSION, Exercise, Problem, Question
from .saving import ReadOnlyTarget, save

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
    "ReadOnlyTarget",
    "bundled",
    "default_path",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "save",
    "to_dict",
]
