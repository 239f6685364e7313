"""Timing helpers: repeat, keep the minimum and the median, report seconds per call."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Seconds per call over several repeats."""

    best: float
    median: float
    calls: int  # calls per repeat

    @staticmethod
    def of(samples: list[float], calls: int) -> Timing:
        per_call = [s / calls for s in samples]
        return Timing(min(per_call), statistics.median(per_call), calls)


def measure(fn: Callable[[], object], *, repeat: int = 5, budget: float = 0.02,
            calls: int | None = None) -> Timing:
    """Time ``fn``; each repeat runs it enough times to last about ``budget`` seconds."""
    fn()  # warm-up: imports, caches, first-touch allocations
    if calls is None:
        calls = _calls_for(fn, budget)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append(time.perf_counter() - start)
    return Timing.of(samples, calls)


def _calls_for(fn: Callable[[], object], budget: float) -> int:
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= budget / 4 or calls >= 1 << 20:
            return max(1, round(calls * budget / max(elapsed, 1e-9)))
        calls *= 4


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
