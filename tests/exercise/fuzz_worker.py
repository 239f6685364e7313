"""Runs exercise files through every command, in this one long-lived process, and reports one
JSON line per file: ``python fuzz_worker.py FILE…`` (test_fuzz_path.py starts it under a
memory cap and restarts it after a file that kills it).

Each command is ``tutor.cli.main`` as a user would run it (solve at both granularities and in
every format, export in every format, train in text and JSON; every 100th file also the
longest training the CLI allows), then save → reload.  A
command may succeed (0) or refuse the file (2); anything it raises is a traceback.

Time is counted twice: CPU seconds (the work a file asks for, whatever else the machine is
doing) and wall seconds.  A command that uses more than SLOW CPU seconds is a finding; one
still working after STOP_AFTER CPU seconds is stopped (a profiling timer) so one runaway costs
one command, not the rest of the run.  A command that hangs without working (a blocking read)
is caught by the parent's wall-clock watchdog.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tutor import cli
from tutor.exercise import ExerciseError, dumps, load, save

COMMANDS = (
    ("check",), ("solve",), ("solve", "--granularity", "layer"), ("solve", "--format", "json"),
    ("solve", "--format", "markdown"), ("export", "--format", "markdown"),
    ("export", "--format", "latex", "--granularity", "layer"),
    ("export", "--format", "html", "--reveal-hidden"),
    ("train", "--steps", "300"), ("train", "--steps", "1000", "--format", "json"),
)
LONG_TRAINING = ("train", "--steps", "100000")  # every LONG_EVERY-th file: the CLI's maximum
LONG_EVERY = 100
T = TypeVar("T")
SLOW = 30  # CPU seconds: a command that works longer than this is a finding
STOP_AFTER = 60  # CPU seconds: a command still working is stopped
CONTROL = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


class Stopped(BaseException):
    """Raised by the timer in a command that worked past STOP_AFTER (no ``except Exception``
    in the program can swallow it)."""


def _stop(_signum: int, _frame: object) -> None:
    raise Stopped


def run(args: list[str]) -> tuple[int | None, str, str | None]:
    """Exit code, what was printed, and the traceback if the command raised."""
    out, err = io.StringIO(), io.StringIO()
    signal.setitimer(signal.ITIMER_PROF, STOP_AFTER)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(args)
    except Stopped:
        return None, "", None
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    except BaseException:
        return None, "", traceback.format_exc()[-3000:]
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return code, out.getvalue() + err.getvalue(), None


def round_trip(path: Path, folder: Path) -> str | None:
    """Save → reload must give the same text; a traceback otherwise."""
    try:
        exercise = load(path)
    except ExerciseError:
        return None
    try:
        copy = folder / "copy.json"
        save(exercise, copy)
        if dumps(load(copy)) != dumps(exercise):
            return "save → reload changed the exercise"
    except ExerciseError:
        return None
    except BaseException:
        return traceback.format_exc()[-3000:]
    return None


def _time(work: Callable[..., T], *args: object) -> tuple[T, float, float]:
    """``work(*args)``, its wall seconds and its CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _note(report: dict, command: str, wall: float, cpu: float) -> None:
    report["commands"] += 1
    if cpu > report["slowest"][1]:
        report["slowest"] = [command, round(cpu, 2)]
    if wall > report["slowest_wall"][1]:
        report["slowest_wall"] = [command, round(wall, 2)]
    if cpu > SLOW:
        report["slow"].append([command, round(cpu, 1)])


def main(paths: list[str]) -> None:
    signal.signal(signal.SIGPROF, _stop)
    with tempfile.TemporaryDirectory() as scratch:
        for name in paths:
            report: dict = {"file": name, "slow": [], "problems": [], "commands": 0,
                            "slowest": ["", 0.0], "slowest_wall": ["", 0.0]}
            long = int(Path(name).name.split("-")[0]) % LONG_EVERY == 0
            file_start, file_cpu = time.perf_counter(), time.process_time()
            for command in (*COMMANDS, LONG_TRAINING) if long else COMMANDS:
                (code, printed, failure), wall, cpu = _time(run, [command[0], name, *command[1:]])
                _note(report, " ".join(command), wall, cpu)
                if failure is not None:
                    report["problems"].append([" ".join(command), failure])
                elif code not in (0, 2):
                    report["problems"].append([" ".join(command), f"exit code {code}"])
                elif CONTROL & set(printed):
                    report["problems"].append([" ".join(command), "printed a control code"])
            failure, wall, cpu = _time(round_trip, Path(name), Path(scratch))
            _note(report, "save → reload", wall, cpu)
            if failure:
                report["problems"].append(["save → reload", failure])
            report["seconds"] = round(time.perf_counter() - file_start, 2)
            report["cpu_seconds"] = round(time.process_time() - file_cpu, 2)
            report["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
