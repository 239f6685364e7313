"""The headless command line: solve, train, check and list exercises; without a command, the app.

    backprop-tutor solve FILE [--granularity node|layer] [--format text|json|markdown] [--hand]
    backprop-tutor export FILE --format markdown|latex|html [--granularity node|layer]
                          [--hand] [--reveal-hidden] [-o OUT]
    backprop-tutor train FILE --steps N [--lr η] [--method batch|sgd|minibatch] [--format …]
                         [--csv PATH]
    backprop-tutor check FILE
    backprop-tutor list
    backprop-tutor --version | install-desktop [--uninstall]   (see tutor/desktop.py)
    backprop-tutor variants | variant | worksheet | lms …   (see tutor/teaching/commands.py)
    backprop-tutor [FILE] [--screenshot OUT.png]      (the desktop app)

Every command reads the same trace as the app.  A bad file gives one line on stderr and exit
code 2, never a traceback.  Qt is imported only when the app starts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from types import ModuleType
from typing import Any

import numpy as np

from tutor import desktop
from tutor.engine import Granularity, Method, NetworkProblem, Trace
from tutor.engine.expression import ExpressionError, ExpressionProblem
from tutor.engine.ids import bias_tensor, weight_tensor
from tutor.engine.limits import LimitError
from tutor.engine.network import layer_symbols
from tutor.engine.notation import format_array, format_number, sample_number, to_unicode
from tutor.engine.numbers import parse_positive
from tutor.engine.sheet_layout import display_tensors
from tutor.exercise import Exercise, ExerciseError, bundled, load
from tutor.exercise.atomic import write_atomically
from tutor.exercise.history_csv import history_csv
from tutor.exercise.library import find
from tutor.teaching import commands as teaching
from tutor.teaching.answer_key import FORMATS, answer_key
from tutor.terminal import clean, json_text

from .cli_json import (
    TRAIN_LAYOUT,
    dumps,
    gradient_check_report,
    gradient_check_text,
    network_outcome,
    trace_document,
    training_status,
)

COMMANDS = ("solve", "export", "train", "gradcheck", "check", "list", *teaching.COMMANDS)
EXIT_BAD_FILE = 2
MAX_STEPS = 100_000
HISTORY_ROWS = 50  # text output shows at most this many loss rows
HAND_HELP = ("hand calculation: round every printed value to 6 significant digits before the "
             "next step uses it, so each result is what its printed numbers give")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in desktop.COMMANDS:
        return desktop.main(args)
    if args and args[0] in (*COMMANDS, "-h", "--help"):
        return _run_command(args)
    return _start_app(args)


def _start_app(args: list[str]) -> int:
    """The desktop app, imported only now so that the commands never load Qt."""
    try:
        from tutor.ui import app
    except ImportError as error:
        print(f"backprop-tutor: the desktop app cannot start: {error}", file=sys.stderr)
        return 1
    return app.main(args)


def _worksheet_pdf() -> ModuleType:
    """The PDF writer for worksheets, imported only when a PDF is asked for (it needs Qt)."""
    from tutor.ui import worksheet_pdf

    return worksheet_pdf


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backprop-tutor",
        description="Watch backpropagation happen, one node at a time. Without a command, "
                    "'backprop-tutor [FILE] [--screenshot OUT.png]' opens the desktop app.")
    commands = parser.add_subparsers(dest="command", required=True)
    solve = commands.add_parser("solve", help="print the forward and backward pass")
    solve.add_argument("file")
    solve.add_argument("--granularity", choices=[g.value for g in Granularity], default="node")
    solve.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    solve.add_argument("--hand", action="store_true", help=HAND_HELP)
    export = commands.add_parser("export", help="write the answer key as Markdown, LaTeX or "
                                                "HTML")
    export.add_argument("file")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--granularity", choices=[g.value for g in Granularity], default="node")
    export.add_argument("--hand", action="store_true", help=HAND_HELP)
    export.add_argument("--reveal-hidden", action="store_true",
                        help="include the answers of hidden questions (the teacher's copy)")
    export.add_argument("-o", "--output", metavar="OUT",
                        help="write to OUT (atomically) instead of standard output")
    train = commands.add_parser("train", help="run gradient descent, print the loss history")
    train.add_argument("file")
    train.add_argument("--steps", type=_steps, required=True, metavar="N")
    train.add_argument("--lr", type=_positive, metavar="η", help="learning rate")
    train.add_argument("--method", choices=[m.value for m in Method])
    train.add_argument("--batch-size", type=_steps, metavar="B")
    train.add_argument("--format", choices=["text", "json"], default="text")
    train.add_argument("--csv", metavar="PATH",
                       help="also write the loss after every update as CSV (atomically)")
    gradcheck = commands.add_parser(
        "gradcheck", help="compare backprop's gradient with central differences, and their cost")
    gradcheck.add_argument("file")
    gradcheck.add_argument("--format", choices=["text", "json"], default="text")
    check = commands.add_parser("check", help="validate an exercise file")
    check.add_argument("file")
    commands.add_parser("list", help="list the bundled exercises")
    teaching.add_parsers(commands)
    return parser


def _steps(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_STEPS}")
    return value


def _positive(text: str) -> float:
    try:
        return parse_positive(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be a positive number: {error}") from None


def _run_command(args: list[str]) -> int:
    options = _parser().parse_args(args)
    if isinstance(getattr(options, "file", None), str):  # "solve xor": a bundled exercise
        options.file = str(find(options.file))
    try:
        match options.command:
            case "list":
                print(clean(list_text()))
            case "gradcheck":
                report = gradient_check_report(load(options.file))
                print(clean(json_text(dumps(report)) if options.format == "json"
                            else gradient_check_text(report)))
            case "check":
                exercise = load(options.file)
                print(clean(f"ok: {exercise.title}"))
            case "solve":
                print(clean(solve(load(options.file), options.granularity, options.format,
                                  hand=options.hand)))
            case "export":
                return _export_command(options)
            case "train":
                return _train_command(options)
            case name if name in teaching.COMMANDS:
                return teaching.run(options, _worksheet_pdf)
    except ExerciseError as error:
        print(clean(str(error)), file=sys.stderr)
        return EXIT_BAD_FILE
    except (ExpressionError, LimitError) as error:  # a command asked for too much work
        print(clean(f"{options.file}: {error}"), file=sys.stderr)
        return EXIT_BAD_FILE
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
    return 0


# --------------------------------------------------------------------------- list


def list_text() -> str:
    items = bundled()
    width = max((len(b.name) for b in items), default=0)
    return "\n".join(f"{b.name:<{width}}  {b.shown_title}" for b in items)


# --------------------------------------------------------------------------- solve


def solve(exercise: Exercise, granularity: str = "node", fmt: str = "text", *,
          hand: bool = False) -> str:
    """The exercise's trace as a text table, a JSON document or a Markdown answer key;
    ``hand``: the hand calculation (tutor/engine/hand.py)."""
    trace = exercise.problem.trace(granularity, hand=hand)
    if fmt == "json":
        return json_text(dumps(trace_document(exercise, trace, granularity, hand=hand)))
    if fmt == "markdown":
        return answer_key(exercise, "markdown", granularity, trace=trace,
                          hand=hand).rstrip("\n")
    return trace_table(exercise, trace, granularity, hand=hand)


def _sample_label(sample: int | None) -> str:
    return "" if sample is None else str(sample_number(sample))


def trace_table(exercise: Exercise, trace: Trace, granularity: str, *,
                hand: bool = False) -> str:
    lines = [exercise.title]
    if exercise.source:
        lines.append(f"Source: {exercise.source}")
    lines.append(f"{len(trace)} steps, {granularity} granularity"
                 + (", hand calculation (printed values carried forward)" if hand else ""))
    lines.append("")
    samples = any(s.sample is not None for s in trace)
    header = f"{'#':>4}  {'phase':<9}" + ("  sample" if samples else "") + "  step"
    lines.append(header)
    for step in trace:
        sample = f"  {_sample_label(step.sample):>6}" if samples else ""
        lines.append(f"{step.number:>4}  {step.phase.value:<9}{sample}  {step.line()}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- export


def _export_command(options: argparse.Namespace) -> int:
    exercise = load(options.file)
    text = answer_key(exercise, options.format, options.granularity,
                      reveal_hidden=options.reveal_hidden, hand=options.hand)
    if options.output is None:
        sys.stdout.write(clean(text))
        return 0
    try:
        write_atomically(options.output, clean(text))
    except OSError as error:
        print(f"{options.output}: cannot write: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- train


def _train_command(options: argparse.Namespace) -> int:
    exercise = load(options.file)
    problem = exercise.problem
    if isinstance(problem, ExpressionProblem):
        if options.method or options.batch_size:
            raise ExerciseError("", "--method and --batch-size apply to network exercises only",
                                options.file)
        if not problem.trainable:
            raise ExerciseError("expression.trainable", "no trainable variables to train",
                                options.file)
        if options.lr:
            problem = replace(problem, learning_rate=options.lr)
        report = _train_expression(exercise, problem, options.steps)
    else:
        training = problem.training
        changes: dict[str, Any] = {}
        if options.lr:
            changes["learning_rate"] = options.lr
        if options.method:
            changes["method"] = Method(options.method)
        if options.batch_size:
            changes["batch_size"] = options.batch_size
        problem = replace(problem, training=replace(training, **changes))
        report = _train_network(exercise, problem, options.steps)
    if options.csv is not None:
        try:
            write_atomically(options.csv, history_csv(report["losses"]))
        except OSError as error:
            print(f"{options.csv}: cannot write: {error.strerror or error}", file=sys.stderr)
            return 1
    if options.format == "json":
        print(json_text(dumps(report)))
    else:
        print(clean(training_text(report)))
    return 0


def _train_network(exercise: Exercise, problem: NetworkProblem, steps: int) -> dict[str, Any]:
    run = problem.train(steps)
    training = problem.training
    names = {}
    for n in range(len(problem.network.layers)):
        symbols = layer_symbols(problem.network, n)
        names[weight_tensor(n)] = symbols.weight_matrix
        names[bias_tensor(n)] = symbols.bias_vector
    final = display_tensors(problem.network, run.final)
    losses = run.losses.tolist()
    status = training_status(losses, run.diverged_at)
    return {
        "layout": TRAIN_LAYOUT, "title": exercise.title, "method": training.method.value,
        "learning_rate": training.learning_rate, "updates": len(run.losses) - 1,
        "requested": steps, "losses": losses, "status": status,
        "diverged_at": run.diverged_at if status == "diverged" else None,
        "parameters": {name: value.tolist() for name, value in final.items()},
        "symbols": {name: to_unicode(names[name]) for name in final},
        **network_outcome(problem, run.final),
    }


def _train_expression(exercise: Exercise, problem: ExpressionProblem,
                      steps: int) -> dict[str, Any]:
    run = problem.train(steps)
    losses = run.losses.tolist()
    status = training_status(losses, run.diverged_at)
    return {
        "layout": TRAIN_LAYOUT, "title": exercise.title, "method": "batch",
        "learning_rate": problem.learning_rate, "updates": len(run.losses) - 1,
        "requested": steps, "losses": losses, "status": status,
        "diverged_at": run.diverged_at if status == "diverged" else None,
        "parameters": dict(run.final), "symbols": {name: name for name in run.final},
    }


def training_text(report: dict[str, Any]) -> str:
    losses = report["losses"]
    lines = [report["title"],
             f"{report['method']} gradient descent, η = {format_number(report['learning_rate'])}, "
             f"{report['updates']} of {report['requested']} updates", "",
             f"{'update':>6}  loss"]
    shown = sorted({*range(0, len(losses), max(1, len(losses) // HISTORY_ROWS)),
                    len(losses) - 1})
    lines += [f"{t:>6}  {format_number(losses[t])}" for t in shown]
    if report["status"] == "non-finite-at-start":
        lines += ["", "The loss was not finite before any update: check the exercise's numbers "
                      "(no learning rate can fix it)."]
    if report["diverged_at"] is not None:
        lines += ["", f"Diverged at update {report['diverged_at']}: the loss was no longer "
                      f"finite, so training stopped (try a smaller learning rate)."]
    lines += ["", "Final parameters:"]
    for name, value in report["parameters"].items():
        symbol = report["symbols"][name]
        label = name if symbol == name else f"{name} ({symbol})"
        lines.append(f"  {label} = {to_unicode(format_array(np.asarray(value)))}")
    return "\n".join(lines)
