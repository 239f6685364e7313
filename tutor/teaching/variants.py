"""Variants of a template: draw the numbers, keep the draw only if every constraint holds.

Draws are made with SHA-256 in counter mode, not with a library generator, so that a code
gives the same numbers on every machine and every future version of NumPy or Python: number
``i`` of try ``t`` is ``sha256("<template hash>:<seed>:<t>:<i>") mod (count of grid values)``
(the modulo bias is below 2⁻⁴⁰ for any grid allowed).  A try whose numbers break a constraint
is rejected and the next try is drawn; after ``max_tries`` rejections the variant fails with
a :class:`ConstraintError` naming the constraint that rejected most draws.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from tutor.engine import Key, Quantity, Trace
from tutor.exercise import Exercise, ExerciseError, dumps, from_dict

from .template import (
    Template,
    drawn_leaves,
    kink_inputs,
    make_code,
    parse_code,
    variant_seeds,
)

ZERO = 1e-9  # a pre-activation this close to 0 is "at the kink" (float noise of exact zeros)
DECIMAL_SLACK = 1e-6  # in units of the last allowed decimal: absorbs float rounding


class ConstraintError(ExerciseError):
    """No draw within the allowed tries met the template's constraints."""


@dataclass(frozen=True)
class Variant:
    code: str
    seed: int
    exercise: Exercise
    tries: int  # how many draws it took (1 when the first draw was accepted)

    @property
    def text(self) -> str:
        """The exercise file's text (the same code always gives the same bytes)."""
        return dumps(self.exercise)


def make_variant(template: Template, code: str | int) -> Variant:
    """The variant of ``code`` (or of a seed); raises ConstraintError or ValueError."""
    seed = parse_code(template, code) if isinstance(code, str) else code
    code_text = make_code(template, seed)
    rejected: Counter[str] = Counter()
    leaves = drawn_leaves(template)
    for attempt in range(template.max_tries):
        doc = _draw(template, leaves, seed, attempt)
        doc["title"] = _titled(doc["title"], code_text)
        try:
            exercise = from_dict(doc, template.name)
        except ExerciseError as error:
            rejected[f"the exercise format ({error.field}: {error.problem})"] += 1
            continue
        broken = violations(template, exercise)
        if not broken:
            return Variant(code_text, seed, exercise, attempt + 1)
        rejected.update(broken)
    raise _exhausted(template, code_text, rejected)


def make_variants(template: Template, count: int, seed: int,
                  progress: Callable[[int, int], None] | None = None) -> list[Variant]:
    """``count`` variants from one master seed; ``progress(done, count)`` after each."""
    out = []
    for n, variant_seed in enumerate(variant_seeds(template, seed, count)):
        out.append(make_variant(template, variant_seed))
        if progress is not None:
            progress(n + 1, count)
    return out


def distinct(variants: list[Variant]) -> int:
    """How many of ``variants`` differ in their numbers (a small grid repeats itself)."""
    return len({v.text.replace(v.code, "") for v in variants})


def _titled(title: str, code: str) -> str:
    suffix = f" — variant {code}"
    return title[: 200 - len(suffix)] + suffix


def _draw(template: Template, leaves: list, seed: int, attempt: int) -> dict[str, Any]:
    doc = copy.deepcopy(template.document["exercise"])
    for i, (path, rule) in enumerate(leaves):
        digest = hashlib.sha256(f"{template.digest}:{seed}:{attempt}:{i}".encode()).digest()
        value = rule.values[int.from_bytes(digest[:8], "big") % len(rule.values)]
        target = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = _number(value)
    return doc


def _number(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)  # correctly rounded


def _exhausted(template: Template, code: str, rejected: Counter[str]) -> ConstraintError:
    worst, times = rejected.most_common(1)[0]
    others = ", ".join(f"{name} ({n})" for name, n in rejected.most_common()[1:4])
    field = worst if worst in CHECKS else "draw"
    return ConstraintError(
        f"constraints.{field}" if field in CHECKS else field,
        f"no draw for variant {code} met the constraints in {template.max_tries} tries: "
        f"{_WORDS.get(worst, worst)} rejected {times} of them"
        + (f"; also {others}" if others else "")
        + ". Widen the ranges, loosen this constraint or raise max_tries.", template.name)


# --------------------------------------------------------------------------- constraints

_WORDS = {
    "relu_not_at_zero": "'relu_not_at_zero' (a ReLU pre-activation was exactly 0)",
    "no_dead_units": "'no_dead_units' (a ReLU unit was inactive for every sample)",
    "loss_decreases": "'loss_decreases' (the loss did not fall after the update)",
    "max_decimals": "'max_decimals' (a result had more decimals than allowed)",
    "max_magnitude": "'max_magnitude' (a result was larger than allowed)",
    "relu_active": "'relu_active' (a ReLU asked to be on had a pre-activation ≤ 0)",
    "relu_inactive": "'relu_inactive' (a ReLU asked to be off had a pre-activation ≥ 0)",
}


def violations(template: Template, exercise: Exercise, trace: Trace | None = None
               ) -> list[str]:
    """The names of the constraints ``exercise`` breaks (empty when it is a valid variant)."""
    rules = template.constraints
    trace = trace if trace is not None else exercise.problem.trace("node")
    wanted = [name for name in CHECKS if getattr(rules, name) not in (False, None, ())]
    return [name for name in wanted if not CHECKS[name](rules, exercise, trace)]


def _pre_activations(exercise: Exercise, trace: Trace) -> Iterator[tuple[str, np.ndarray]]:
    for node in kink_inputs(exercise):
        values = [float(s.result) for s in trace
                  if s.key.quantity is Quantity.VALUE and s.node == node]
        yield node, np.asarray(values, dtype=float)


def _relu_not_at_zero(rules: Any, exercise: Exercise, trace: Trace) -> bool:
    return all(not np.any(np.abs(v) <= ZERO) for _, v in _pre_activations(exercise, trace))


def _no_dead_units(rules: Any, exercise: Exercise, trace: Trace) -> bool:
    return all(v.size == 0 or np.any(v > ZERO) for _, v in _pre_activations(exercise, trace))


def output_node(exercise: Exercise) -> str:
    return "loss" if exercise.kind == "network" else exercise.problem.output


def _loss_decreases(rules: Any, exercise: Exercise, trace: Trace) -> bool:
    node = output_node(exercise)
    before, after = trace.find(Key(Quantity.VALUE, node)), trace.find(Key(Quantity.UPDATED, node))
    return before is not None and after is not None and float(after.result) < float(before.result)


def _results(rules: Any, trace: Trace, phases: tuple[str, ...] | None = None) -> np.ndarray:
    chosen = [np.ravel(s.result) for s in trace if phases is None or s.phase.value in phases]
    return np.concatenate(chosen) if chosen else np.zeros(0)


def _max_decimals(rules: Any, exercise: Exercise, trace: Trace) -> bool:
    scaled = _results(rules, trace, rules.decimals_phases) * 10.0**rules.max_decimals
    if not np.all(np.isfinite(scaled)):
        return False
    slack = DECIMAL_SLACK + 1e-9 * np.abs(scaled)  # float rounding grows with the number
    return bool(np.all(np.abs(scaled - np.round(scaled)) <= slack))


def _max_magnitude(rules: Any, exercise: Exercise, trace: Trace) -> bool:
    values = _results(rules, trace)
    return bool(np.all(np.isfinite(values)) and np.all(np.abs(values) <= rules.max_magnitude))


def _pre_activation(trace: Trace, node: str, sample: int | None) -> float:
    step = trace.find(Key(Quantity.VALUE, node, sample))
    return float("nan") if step is None else float(step.result)


def _relu_active(rules: Any, exercise: Exercise, trace: Trace) -> bool:
    return all(_pre_activation(trace, n, s) > ZERO for n, s in rules.relu_active)


def _relu_inactive(rules: Any, exercise: Exercise, trace: Trace) -> bool:
    return all(_pre_activation(trace, n, s) < -ZERO for n, s in rules.relu_inactive)


CHECKS: dict[str, Callable[[Any, Exercise, Trace], bool]] = {
    "relu_not_at_zero": _relu_not_at_zero,
    "no_dead_units": _no_dead_units,
    "loss_decreases": _loss_decreases,
    "max_decimals": _max_decimals,
    "max_magnitude": _max_magnitude,
    "relu_active": _relu_active,
    "relu_inactive": _relu_inactive,
}
