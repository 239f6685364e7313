"""tutor/teaching builds on the exercise and the engine only: no session, no UI, no Qt,
not even inside a function."""

import ast
from pathlib import Path

import tutor.teaching

FORBIDDEN = ("tutor.session", "tutor.ui", "PySide6", "shiboken6", "pyqtgraph")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_teaching_imports_neither_ui_nor_qt():
    modules = sorted(Path(tutor.teaching.__file__).parent.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        bad = {n for n in imported(module) if n.startswith(FORBIDDEN)}
        assert not bad, f"{module.name} imports {bad}"


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from tutor.ui import worksheet_pdf\n", encoding="utf-8")
    assert "tutor.ui" in imported(planted)
