"""Backprop Tutor.

One BLAS thread unless the user chose a number: the networks here are small, and on a
shared two-core machine a second OpenBLAS thread spins against other processes — a
784-128-10 update took 11–56 ms (median) with the default two threads and 0.9–1.2 ms with
one, measured while other jobs ran.  This runs before any module imports NumPy, which reads
the variables once when it loads; a user's own setting of any of them is left alone.
"""

import os as _os

__version__ = "0.1.0"  # the one place the version is written (pyproject reads it)

_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
if not any(name in _os.environ for name in _BLAS_THREADS):
    for _name in _BLAS_THREADS:
        _os.environ[_name] = "1"
