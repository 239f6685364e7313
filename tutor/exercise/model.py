"""An exercise in memory: a problem for the engine plus what a teacher adds around it.

The file format (``format.py``) is the only code that knows how an exercise is written to
disk; everything else — the UI, the CLI, the quiz — works with these immutable values.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tutor.engine import NetworkProblem, Quantity
from tutor.engine.expression import ExpressionProblem

FORMAT_VERSION = 1

Problem = NetworkProblem | ExpressionProblem


@dataclass(frozen=True, slots=True)
class Question:
    """"What is ∂ℓ/∂β₁?": one quantity of the trace, checked within a tolerance."""

    id: str
    prompt: str  # markup (see tutor.engine.notation), e.g. "\\d{ℓ}{β_1} = ?"
    quantity: Quantity  # value, adjoint or updated
    node: str  # an engine node id: "W2[0,1]", "z1[0]", "loss", or an expression variable
    sample: int | None = None  # which sample of a dataset; None for a single sample / batch
    tolerance: float = 1e-3  # absolute
    hint: str = ""  # markup shown after a wrong answer, before the formula


@dataclass(frozen=True, slots=True)
class Exercise:
    """Everything an exercise file holds.

    ``locked`` names fields the student may not edit (``"parameters"``, ``"parameters.W1"``,
    ``"network"``, ``"data"``, ``"training"``, ``"variables"``); ``hidden`` names what is not
    shown until revealed (``"answers"`` hides every value and adjoint until the cursor
    reaches it, a question id hides that question's answer in the answer key).
    """

    title: str
    problem: Problem
    source: str = ""  # attribution: course, sheet, date
    description: str = ""  # plain text (may contain markup); says which numbers were chosen
    questions: tuple[Question, ...] = ()
    locked: frozenset[str] = field(default_factory=frozenset)
    hidden: frozenset[str] = field(default_factory=frozenset)
    view_sample: int | None = None  # the sample a window opens on (from 0); None: all of them

    @property
    def kind(self) -> str:
        return "expression" if isinstance(self.problem, ExpressionProblem) else "network"

    def with_problem(self, problem: Problem) -> Exercise:
        return replace(self, problem=problem)

    def is_locked(self, field_path: str) -> bool:
        """True when ``field_path`` or any of its parents is locked (``parameters.W1`` by
        ``parameters``)."""
        parts = field_path.split(".")
        return any(".".join(parts[:n]) in self.locked for n in range(1, len(parts) + 1))
