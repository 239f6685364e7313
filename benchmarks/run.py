"""Run every benchmark and print one table per section.

    python -m benchmarks [--quick] [--only engine|trace|gui]
    python benchmarks/run.py [--quick]

Every figure is a ratio against a reference measured in the same run, next to the absolute
times, and checked against the product's target where it has one.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

# One BLAS thread unless told otherwise: on a shared two-core machine a second BLAS thread
# spins against other people's work and makes a 784×128 product up to 100× slower.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, os.environ.get("BENCH_THREADS", "1"))

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402  (after the thread settings above)

from benchmarks import engine, gui  # noqa: E402
from benchmarks.references import torch_available  # noqa: E402
from benchmarks.timing import Timing, format_seconds  # noqa: E402

SECTIONS = ("engine", "trace", "gui")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and updates")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this section (may be repeated)")
    args = parser.parse_args(argv)
    sections = args.only or list(SECTIONS)
    start = time.perf_counter()
    print(machine())
    if "engine" in sections:
        print_updates(engine.update_rows(args.quick))
        print_long_training(*engine.long_training(repeat=2 if args.quick else 3))
    if "trace" in sections:
        print_traces(engine.trace_rows(args.quick))
        if not args.quick:
            # 32 samples: the size cap (engine/limits.py) refuses a layer trace of 64 × 101,770
            for rows in (1, 32):
                steps, first, again = engine.big_layer_trace(rows)
                print(f"Layer trace of 784-128-10 on {rows} sample{'s' * (rows > 1)}: {steps} "
                      f"steps in {format_seconds(first)} the first time, "
                      f"{format_seconds(again)} after.")
            print()
    if "gui" in sections:
        print_gui(gui.run_all(args.quick))
    print(f"Total benchmark time: {time.perf_counter() - start:.1f} s")
    return 0


# --------------------------------------------------------------------------- output

def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    torch = "not installed"
    if torch_available():
        import torch as torch_module

        torch = f"{torch_module.__version__} ({torch_module.get_num_threads()} threads)"
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    return (f"Machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, PyTorch {torch}; BLAS threads {threads} "
            f"(BENCH_THREADS=n to change)\n")


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths,  # noqa: E731
                                                                        strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def ratio(ours: Timing, reference: Timing | None) -> str:
    if reference is None:
        return "—"
    value = ours.best / reference.best
    return f"{value:.2f}×" if value >= 0.01 else f"{value:.1e}×"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_updates(rows: list[engine.UpdateRow]) -> None:
    print("GD update (forward + backward + update, loss history kept), seconds per update "
          "(best of the repeats):")
    header = ["network", "engine", "NumPy floor", "engine/floor", "micrograd", "engine/micrograd",
              "PyTorch CPU", "engine/PyTorch", "target"]
    body = []
    for row in rows:
        big = row.name.startswith("784")
        to_floor = row.engine.best / row.floor.best
        missed = [] if to_floor <= (1.2 if big else 1.5) else ["floor"]
        if row.torch is not None and not big and row.engine.best / row.torch.best > 0.15:
            missed.append("PyTorch")
        if row.micrograd is not None and row.engine.best >= row.micrograd.best:
            missed.append("micrograd")
        micro = format_seconds(row.micrograd and row.micrograd.best)
        if row.micrograd_estimated:
            micro = f"≈{micro} (est.)"
        name = row.name + (f" [disagrees: {', '.join(row.disagreements)}]"
                           if row.disagreements else "")
        body.append([name, format_seconds(row.engine.best), format_seconds(row.floor.best),
                     f"{to_floor:.2f}×", micro, ratio(row.engine, row.micrograd),
                     format_seconds(row.torch and row.torch.best), ratio(row.engine, row.torch),
                     "met" if not missed else "MISSED: " + ", ".join(missed)])
    print(table(header, body))
    targets = ("Targets: seeds ≤ 1.5× floor, ≤ 0.15× PyTorch, < micrograd; 784-128-10 ≤ 1.2× "
               "floor.")
    if not torch_available():
        targets += " PyTorch is not installed: its column is skipped (pip install torch)."
    for name, reason in engine.skipped_problems():
        targets += f"\nNot timed: {name} ({reason})."
    print(targets + "\n")


def print_long_training(ours: Timing, floor: Timing, final_loss: float) -> None:
    print(f"10,000 updates of inf264-homework-4 with the loss history: {format_seconds(ours.best)}"
          f" (median {format_seconds(ours.median)}); NumPy floor {format_seconds(floor.best)}; "
          f"ratio {ours.best / floor.best:.2f}×; target < 0.5 s: {verdict(ours.best < 0.5)} "
          f"(final loss {final_loss:.6g})\n")


def print_traces(rows: list[engine.TraceRow]) -> None:
    print("Trace build (every step with its formula), best of the repeats; reference: the fast "
          "path's loss and gradients on the same batch:")
    header = ["exercise", "granularity", "steps", "trace", "gradients", "trace/gradients",
              "target ≤ 1 ms"]
    body = [[r.name, r.granularity, str(r.steps), format_seconds(r.trace.best),
             format_seconds(r.gradients and r.gradients.best), ratio(r.trace, r.gradients),
             verdict(r.trace.best <= 1e-3)] for r in rows]
    print(table(header, body) + "\n")


def print_gui(result: gui.GuiResult) -> None:
    print("GUI (offscreen). Cold start: a subprocess to the first painted window; reference: a "
          "subprocess painting a bare QWidget.")
    if result.error:
        print(f"GUI benchmarks could not run: {result.error}\n")
        return
    header = ["measurement", "time", "reference", "ratio", "target", "verdict"]
    body = []
    for item in result.items:
        target = "—" if item.target is None else format_seconds(item.target)
        ok = "—" if item.target is None or item.seconds is None else verdict(
            item.seconds <= item.target)
        shown = format_seconds(item.seconds) if item.seconds is not None else item.note
        reference = format_seconds(item.reference)
        body.append([item.name, shown, reference,
                     "—" if item.seconds is None or not item.reference
                     else f"{item.seconds / item.reference:.1f}×", target, ok])
    print(table(header, body))
    for item in result.items:
        if item.note and item.seconds is not None:
            print(f"  {item.name}: {item.note}")
    print()


if __name__ == "__main__":
    raise SystemExit(main())
