"""Exercise files: the format on disk, validation, atomic saving and the bundled library."""

from .model import FORMAT_VERSION, Exercise, Problem, Question

__all__ = ["FORMAT_VERSION", "Exercise", "Problem", "Question"]
