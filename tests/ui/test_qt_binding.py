"""The Qt binding must not leak references to None: PySide6 6.12.0 drops one on every call
that returns nothing, and on Python 3.11 the process aborts once None's count runs out."""

import sys

from PySide6.QtGui import QFont


def test_void_calls_keep_none_alive():
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(1000):
        font.setBold(True)
    assert sys.getrefcount(None) - before > -10
