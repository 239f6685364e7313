"""The layers hold: every module's imports read with ``ast`` and checked against the layering.

    engine  →  exercise  →  teaching  →  session  →  ui
    (NumPy)    (format)     (quiz, keys)  (no Qt)     (Qt)

A package may import the ones to its left, never those to its right, and only the ui loads Qt.
Every ``import`` counts — at the top of a module, inside a function or a class, relative
(``from ..ui import x`` is resolved against the module's package) or through
``importlib.import_module("…")`` with a literal name — because an import inside a function
still runs the moment that function does.  The same reading finds import cycles — counting
every import too, since an import moved into a function hides a tangle rather than removing
it — and modules over the size limit.  Each check is also
run on a copy of the package with a violation planted, to show it would fail.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import tutor

ROOT = Path(tutor.__file__).resolve().parent
QT = ("PySide6", "pyqtgraph", "shiboken6")

# package → the imports it must never make (a name and everything below it)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "tutor.engine": ("tutor.exercise", "tutor.teaching", "tutor.session", "tutor.ui",
                     "tutor.cli", *QT),
    "tutor.exercise": ("tutor.teaching", "tutor.session", "tutor.ui", "tutor.cli", *QT),
    "tutor.teaching": ("tutor.session", "tutor.ui", "tutor.cli", *QT),
    "tutor.session": ("tutor.ui", "tutor.cli", *QT),
}

MAX_LINES = 400
# modules still over the limit, each to be split by whoever owns it; remove a line when it is
OVERSIZED: set[str] = set()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. tutor.engine.flags
    name: str  # what it imports, resolved: tutor.exercise.model, PySide6.QtCore
    line: int
    at_load: bool  # runs when the module loads (not inside a function or TYPE_CHECKING)

    def __str__(self) -> str:
        where = "" if self.at_load else " (inside a function)"
        return f"{self.module}:{self.line} imports {self.name}{where}"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{target}" if target else package


class _Reader(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.found: list[Import] = []
        self.depth = 0  # inside functions or TYPE_CHECKING blocks

    def _add(self, name: str, node: ast.AST) -> None:
        self.found.append(Import(self.module, name, node.lineno, self.depth == 0))

    def _nested(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _nested

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        guarded = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
        if guarded:
            self._nested(node)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = (_resolve(self.module, self.is_package, node.level, node.module) if node.level
                else node.module or "")
        self._add(base, node)
        for alias in node.names:  # `from . import x` / `from tutor import ui`: maybe modules
            if alias.name != "*":
                self._add(f"{base}.{alias.name}", node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("import_module", "__import__") and node.args and isinstance(
                node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            self._add(node.args[0].value, node)
        self.generic_visit(node)


def read_imports(root: Path) -> dict[str, list[Import]]:
    """Every module under ``root`` (the ``tutor`` package) → the imports it makes."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        reader = _Reader(module, path.name == "__init__.py")
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        out[module] = reader.found
    return out


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_violations(root: Path) -> list[str]:
    found = []
    for module, imports in read_imports(root).items():
        for package, forbidden in FORBIDDEN.items():
            if not _within(module, package):
                continue
            found += [str(i) for i in imports if any(_within(i.name, f) for f in forbidden)]
    return found


def import_cycles(root: Path) -> list[list[str]]:
    """Cycles among the tutor modules' imports, wherever they are written (Tarjan's strongly
    connected parts)."""
    imports = read_imports(root)
    modules = set(imports)
    edges = {m: sorted({i.name for i in found if i.name in modules and i.name != m})
             for m, found in imports.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                cycles.append(sorted(part))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(edges):
        if module not in index:
            connect(module)
    return cycles


def oversized(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        relative = path.relative_to(root.parent).as_posix()
        if lines > MAX_LINES and relative not in OVERSIZED:
            found.append(f"{relative}: {lines} lines")
    return found


# --------------------------------------------------------------------------- the real tree

def test_no_package_imports_a_layer_above_it() -> None:
    assert read_imports(ROOT)["tutor.engine.flags"], "the reader found no imports"
    assert layer_violations(ROOT) == []


def test_there_are_no_import_cycles() -> None:
    assert import_cycles(ROOT) == []


def test_no_module_is_over_the_size_limit() -> None:
    assert oversized(ROOT) == []
    still_over = {p for p in OVERSIZED
                  if len((ROOT.parent / p).read_text(encoding="utf-8").splitlines()) > MAX_LINES}
    assert still_over == OVERSIZED, f"now within the limit, drop from OVERSIZED: " \
                                    f"{OVERSIZED - still_over}"


PROBE = """
import json, sys
import tutor.engine, tutor.exercise, tutor.teaching, tutor.session
import tutor.engine.expression, tutor.exercise.model
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(loaded))
"""


def test_engine_and_exercise_import_no_qt() -> None:
    """At run time as well: importing the Qt-free packages loads no Qt."""
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            check=True, timeout=120)
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "tutor" in loaded and "numpy" in loaded, "the probe imported nothing"
    assert not loaded & set(QT), f"Qt leaked into the headless packages: {loaded}"


# --------------------------------------------------------------------------- planted faults

@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "tutor"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns("__pycache__", "resources"))
    return target


def plant(root: Path, relative: str, code: str) -> None:
    path = root / relative
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code + "\n", encoding="utf-8")


# (file, code planted at its end, the import the check must report, inside a function)
PLANTS = [
    ("engine/flags.py", "def _planted():\n    import PySide6.QtCore\n", "PySide6.QtCore", True),
    ("engine/function_samples.py", "from tutor.exercise import x\n", "tutor.exercise", False),
    ("engine/function_samples.py", "def _planted():\n    from ..exercise import model\n",
     "tutor.exercise", True),
    ("engine/training/run.py", "from ...ui import app\n", "tutor.ui", False),
    ("engine/ids.py", "import importlib\n_qt = importlib.import_module('pyqtgraph')\n",
     "pyqtgraph", False),
    ("exercise/format.py", "class _Planted:\n    def m(self):\n        from tutor.ui import app\n",
     "tutor.ui", True),
    ("exercise/__init__.py", "from .. import teaching\n", "tutor.teaching", False),
    ("teaching/quiz.py", "from tutor.session import Session\n", "tutor.session", False),
    ("session/__init__.py", "from PySide6.QtCore import QObject\n", "PySide6.QtCore", False),
]


@pytest.mark.parametrize(("relative", "code", "name", "inside"), PLANTS)
def test_a_planted_import_across_the_layers_is_found(copy: Path, relative: str, code: str,
                                                     name: str, inside: bool) -> None:
    before = len((copy / relative).read_text(encoding="utf-8").splitlines())
    plant(copy, relative, code)
    token = name.split(".")[-1]
    line = before + 3 + next(n for n, text in enumerate(code.splitlines()) if token in text)
    module = module_name(copy / relative, copy)
    suffix = " (inside a function)" if inside else ""
    assert f"{module}:{line} imports {name}{suffix}" in layer_violations(copy)


def test_a_planted_cycle_is_found(copy: Path) -> None:
    assert import_cycles(copy) == []
    plant(copy, "engine/ids.py", "from . import problem  # noqa")
    cycles = import_cycles(copy)
    assert cycles and "tutor.engine.ids" in cycles[0] and "tutor.engine.problem" in cycles[0]


def test_an_import_inside_a_function_makes_a_cycle_too(copy: Path) -> None:
    plant(copy, "engine/ids.py", "def _later():\n    from . import problem  # noqa\n")
    cycles = import_cycles(copy)
    assert cycles and "tutor.engine.ids" in cycles[0] and "tutor.engine.problem" in cycles[0]


def test_a_planted_long_module_is_found(copy: Path) -> None:
    plant(copy, "engine/ids.py", "\n".join(f"# line {n}" for n in range(MAX_LINES)))
    assert [v.split(":")[0] for v in oversized(copy)] == ["tutor/engine/ids.py"]
