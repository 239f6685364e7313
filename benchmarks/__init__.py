"""Benchmarks run on demand (``python -m benchmarks``), never as part of the test suite."""
