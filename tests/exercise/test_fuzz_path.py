"""The whole path under a memory cap: generated files (valid and hostile, 23 categories)
through every command (check, solve in every form, export in every format, train, save →
reload), in a separate process limited to 2 GB of address space.

No traceback, no command working over 30 s (CPU seconds: the machine may be shared), no file
that hangs (a wall-clock watchdog), peak memory under 2 GB.  CI runs two
files per category; ``--fuzz-files N`` (or ``FUZZ_FILES=N``) runs N, e.g. 10,000 (the figures
of such a run are in tests/exercise/README.md).  One worker process runs a chunk of files in
turn and is restarted only after a file that kills it; ``FUZZ_WORKERS`` runs that many capped
workers at once, ``FUZZ_REPORT=PATH`` writes the figures as JSON and ``FUZZ_LOG=PATH`` one JSON
line per file as it finishes.
"""

from __future__ import annotations

import json
import os
import resource
import select
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .hostile_corpus import CATEGORIES, write_corpus

WORKER = Path(__file__).with_name("fuzz_worker.py")
MEMORY_CAP = 2 * 1024**3  # bytes of address space for the worker
# seconds without a report: the file hangs past the worker's own alarm (12 commands × 60 s)
FILE_TIMEOUT = 780
CHUNK = 500  # files per worker process
LOG = os.environ.get("FUZZ_LOG")  # a JSON line per file as it finishes (long runs)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run_chunk(paths: list[Path], reports: list[dict], hung: list[str]) -> None:
    """Run ``paths`` in one capped worker; a file without a report in time is hung."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    pending = list(paths)
    while pending:
        worker = subprocess.Popen([sys.executable, str(WORKER), *map(str, pending)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env, preexec_fn=_limit_memory)
        assert worker.stdout is not None and worker.stderr is not None
        while pending:
            ready, _, _ = select.select([worker.stdout], [], [], FILE_TIMEOUT)
            line = worker.stdout.readline() if ready else ""
            if not line:  # hung, or the worker died (out of memory, a crash)
                worker.kill()
                worker.wait()
                died = worker.stderr.read()[-2000:]
                hung.append(f"{pending[0]}: {'no report in time' if ready == [] else died}")
                pending.pop(0)
                break
            reports.append(json.loads(line))
            if LOG:
                with open(LOG, "a", encoding="utf-8") as log:
                    log.write(line)
            pending.pop(0)
        else:
            worker.wait()
        worker.stdout.close()
        worker.stderr.close()


def run_corpus(folder: Path, count: int, seed: int, workers: int = 1) -> dict:
    """Every file through every command, ``workers`` capped processes at a time."""
    paths = write_corpus(folder / "files", count, seed)
    reports: list[dict] = []
    hung: list[str] = []
    start = time.monotonic()
    chunks = [paths[first : first + CHUNK] for first in range(0, len(paths), CHUNK)]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda chunk: _run_chunk(chunk, reports, hung), chunks))
    def top(key: str) -> list | None:
        worst = max(reports, key=lambda r: r[key][1], default=None)
        return [worst["file"], *worst[key]] if worst else None

    return {
        "files": count, "reported": len(reports), "categories": len(CATEGORIES),
        "per_category": dict(sorted(Counter(_category(r["file"]) for r in reports).items())),
        "commands": sum(r["commands"] for r in reports),
        "seconds": round(time.monotonic() - start),
        "cpu_seconds": round(sum(r["cpu_seconds"] for r in reports)),
        "tracebacks": [[r["file"], *p] for r in reports for p in r["problems"]],
        "slow": [[r["file"], *s] for r in reports for s in r["slow"]],
        "slowest_command_cpu": top("slowest"), "slowest_command_wall": top("slowest_wall"),
        "slowest_file_cpu": max(([r["file"], r["cpu_seconds"]] for r in reports),
                                key=lambda pair: pair[1], default=None),
        "slowest_file_wall": max(([r["file"], r["seconds"]] for r in reports),
                                 key=lambda pair: pair[1], default=None),
        "hung_or_died": hung,
        "peak_rss_mb": round(max((r["max_rss_kb"] for r in reports), default=0) / 1024),
    }


def _category(path: str) -> str:
    return Path(path).stem.split("-", 1)[1]


def fuzz_files(config: pytest.Config) -> int:
    return (config.getoption("--fuzz-files") or int(os.environ.get("FUZZ_FILES", "0") or 0)
            or 2 * len(CATEGORIES))


@pytest.mark.slow
def test_every_command_on_generated_files(tmp_path: Path, pytestconfig) -> None:
    count = fuzz_files(pytestconfig)
    summary = run_corpus(tmp_path, count, seed=int(os.environ.get("FUZZ_SEED", "16")),
                         workers=int(os.environ.get("FUZZ_WORKERS", "1")))
    if os.environ.get("FUZZ_REPORT"):
        Path(os.environ["FUZZ_REPORT"]).write_text(json.dumps(summary, indent=1),
                                                   encoding="utf-8")
    assert summary["tracebacks"] == []
    assert summary["slow"] == []
    assert summary["hung_or_died"] == []
    assert summary["peak_rss_mb"] < 2048
    assert summary["files"] == count
