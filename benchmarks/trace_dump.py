"""Dump every field of every trace step, to check that a faster trace builder shows the same.

    python -m benchmarks.trace_dump OUT.txt            # write the dump
    python -m benchmarks.trace_dump OUT.txt --against BEFORE.txt   # and compare

Covers every bundled exercise (node and layer granularity, or the expression's trace, plus
its flags) and random networks: every activation, both losses, every bias style, several
samples, SGD and batch GD, frozen tensors, input gradients and extreme weights that
saturate or overflow, with every step's markup rendered as Unicode, LaTeX and HTML.
Numbers are written as exact bits (``float.hex``), so "identical" means bit for bit.

The reference is the same script run against the engine before a change, e.g. an exported
older commit: ``git archive OLD tutor | tar -x -C /tmp/old`` (commits that kept ``resources/``
beside ``tutor/`` need it linked to this checkout's ``tutor/resources``), then
``PYTHONPATH=/tmp/old python benchmarks/trace_dump.py BEFORE.txt`` from a directory outside
the checkout.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from tutor import exercise as exercises
from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Loss,
    LossKind,
    Network,
    NetworkProblem,
    Parameters,
    Residual,
    Training,
)
from tutor.engine.activations import NAMES as ACTIVATIONS
from tutor.engine.flags import flags_for
from tutor.engine.notation import to_html, to_latex
from tutor.engine.training import Method

BIAS_STYLES = (
    (BiasMode.SEPARATE, LayerNotation()),
    (BiasMode.FOLDED, LayerNotation()),
    (BiasMode.FOLDED, LayerNotation(intercept_last=True)),
    (BiasMode.FOLDED, LayerNotation(transposed=True)),
    (BiasMode.SEPARATE, LayerNotation(transposed=True)),
    (BiasMode.NONE, LayerNotation()),
)


def _number(value) -> str:
    array = np.asarray(value)
    if array.ndim == 0:
        return f"{type(value).__name__}:{float(array).hex()}"
    flat = " ".join(float(v).hex() for v in array.ravel())
    return f"array{array.shape}{array.dtype}:{flat}"


def step_lines(step) -> Iterator[str]:
    yield (f"step {step.index} {step.phase} {step.key!s} gran={step.granularity} "
           f"shape={step.shape}")
    yield f"  lhs={step.lhs!r}"
    yield f"  formula={step.formula!r}"
    yield f"  numbers={step.numbers!r}"
    yield f"  result={_number(step.result)}"
    yield f"  reads={[str(k) for k in step.reads]!r}"
    for term in step.terms:
        factors = [_number(f) for f in term.factors]
        yield f"  term via={term.via!r} symbol={term.symbol!r} numbers={term.numbers!r} {factors}"
    yield f"  explanation={step.explanation!r}"
    yield f"  line={step.line()!r}"
    for render in (to_latex, to_html):
        yield f"  {render.__name__}={[render(t) for t in (step.lhs, step.formula, step.numbers)]!r}"


def trace_lines(name: str, trace) -> Iterator[str]:
    yield f"== {name}: {len(trace)} steps, loss {trace.loss_symbol!r}"
    for step in trace:
        yield from step_lines(step)


def flag_lines(name: str, problem, trace) -> Iterator[str]:
    for flag in flags_for(problem, trace, None):
        yield f"flag {name} {flag!r}"


def random_problem(seed: int) -> NetworkProblem:
    rng = np.random.default_rng(seed)
    if rng.random() < 0.3:
        loss = Loss(LossKind.BINARY_CROSS_ENTROPY, half=False,
                    mean_over_outputs=bool(rng.integers(2)),
                    mean_over_samples=bool(rng.integers(2)))
    else:
        loss = Loss(LossKind.SQUARED_ERROR, half=bool(rng.integers(2)),
                    mean_over_outputs=bool(rng.integers(2)),
                    mean_over_samples=bool(rng.integers(2)),
                    residual=list(Residual)[rng.integers(3)])
    depth = int(rng.integers(1, 4))
    layers = []
    for n in range(depth):
        # hidden layers cycle through every activation; the output layer draws one
        index = (seed + n) % len(ACTIVATIONS) if n < depth - 1 else rng.integers(len(ACTIVATIONS))
        name = ACTIVATIONS[index]
        if n == depth - 1 and loss.kind is LossKind.BINARY_CROSS_ENTROPY:
            name = "sigmoid"
        mode, notation = BIAS_STYLES[(seed // 2 + n) % len(BIAS_STYLES)]
        size, slope = int(rng.integers(1, 4)), float(rng.uniform(0.01, 0.3))
        layers.append(Layer(size, Activation(name, slope), mode, notation))
    inputs_size = int(rng.integers(1, 4))
    if seed % 13 == 12:  # rows and columns longer than ELIDE_AFTER: elided matrices
        layers[0] = replace(layers[0], size=15)
        inputs_size = 14
    network = Network(inputs_size, tuple(layers), loss)
    scale = float(rng.choice([0.3, 1.2, 1.2, 1.2, 5.0, 40.0, 1e3]))
    if seed % 11 == 7:
        scale = 1e160  # products overflow: ∞ and NaN in the steps, the "diverged" flag
    weights, biases = [], []
    for fan_in, layer in zip(network.sizes, network.layers, strict=False):
        w = rng.normal(0.0, scale / np.sqrt(fan_in), size=(layer.size, fan_in))
        if seed % 7 == 3:
            w = np.round(w, 1)  # short numbers: the whole-number and snapping branches
        weights.append(w)
        biases.append(None if layer.bias is BiasMode.NONE else rng.normal(0.0, 0.5, layer.size))
    samples = int(rng.integers(1, 5))
    inputs = rng.uniform(-2.0, 2.0, size=(samples, network.input_size))
    if loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        targets = rng.integers(0, 2, size=(samples, network.output_size)).astype(float)
    else:
        targets = rng.uniform(-1.0, 1.0, size=(samples, network.output_size))
    method = (Method.BATCH, Method.SGD, Method.BATCH)[seed % 3]
    frozen = frozenset({"W1"}) if seed % 5 == 1 else frozenset()
    training = Training(learning_rate=float(rng.choice([0.1, 0.5, 1e3])), method=method,
                        frozen=frozen)
    return NetworkProblem(network, Parameters.of(weights, biases), Dataset(inputs, targets),
                          training, show_update=seed % 4 != 2, input_gradients=seed % 6 == 5)


def dump() -> Iterator[str]:
    with np.errstate(all="ignore"):
        for item in exercises.bundled():
            problem = exercises.load(item.path).problem
            if isinstance(problem, NetworkProblem):
                for granularity in ("node", "layer"):
                    trace = problem.trace(granularity)
                    yield from trace_lines(f"{item.name}/{granularity}", trace)
                    yield from flag_lines(f"{item.name}/{granularity}", problem, trace)
                one = replace(problem, data=problem.data.subset([0]),
                              training=replace(problem.training, method=Method.BATCH))
                yield from trace_lines(f"{item.name}/sample0", one.trace("node"))
            else:
                trace = problem.trace()
                yield from trace_lines(f"{item.name}/expression", trace)
                yield from flag_lines(f"{item.name}/expression", problem, trace)
        for seed in range(60):
            problem = random_problem(seed)
            for granularity in ("node", "layer"):
                trace = problem.trace(granularity)
                yield from trace_lines(f"random {seed}/{granularity}", trace)
                yield from flag_lines(f"random {seed}/{granularity}", problem, trace)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--against", help="an earlier dump that must be identical")
    args = parser.parse_args(argv)
    lines = [line + "\n" for line in dump()]
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.writelines(lines)
    print(f"{len(lines)} lines written to {args.out}")
    if args.against:
        with open(args.against, encoding="utf-8") as handle:
            before = handle.readlines()
        if before != lines:
            sys.stdout.writelines(list(difflib.unified_diff(before, lines, args.against,
                                                            args.out, n=1))[:80])
            print("DIFFERENT")
            return 1
        print("identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
