"""The package pins BLAS to one thread before NumPy loads, unless the user chose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
SHOW = ("import tutor.cli, os; "
        "print(','.join(os.environ.get(v, '-') for v in "
        "('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')))")


def threads_seen(**chosen: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES} | chosen
    done = subprocess.run([sys.executable, "-c", SHOW], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=60)
    return done.stdout.strip()


def test_one_blas_thread_by_default() -> None:
    assert threads_seen() == "1,1,1"


def test_a_users_choice_is_left_alone() -> None:
    assert threads_seen(OMP_NUM_THREADS="3") == "-,3,-"
