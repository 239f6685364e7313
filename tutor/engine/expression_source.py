"""Expression programs as typed: the text normalised for ``ast``, its caps, and its errors.

Size caps are checked before ``ast.parse`` so that hostile input gives a clear message
rather than a RecursionError or a quadratic build: brackets nested too deep, too many
operators (commas included: each argument is an operand) in one statement, or in the whole
program.
"""

from __future__ import annotations

import ast

MAX_LENGTH = 10_000  # characters in a program
MAX_DEPTH = 100  # nested brackets (Python's own parser stops at 200)
MAX_OPERATORS = 200  # operators and commas in one statement: deeper trees overflow the parser
MAX_PROGRAM_OPERATORS = 2_000  # operators and commas in the whole program

_REPLACEMENTS = {"^": "**", "−": "-", "×": "*", "÷": "/", "·": "*", "\r": ""}
_REPLACEMENTS |= {chr(0x2080 + d): f"_{d}" for d in range(10)}  # x₁ → x_1

class ExpressionError(ValueError):
    """A program that is not in the grammar; ``column`` points at the offending character."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class Source:
    """The program as typed, and the normalised text handed to ``ast`` with a column map.

    ``^`` becomes ``**``, Unicode operators become ASCII and leading blanks are dropped; the
    map turns positions in the normalised text back into the user's own columns (1-based).
    """

    def __init__(self, program: str, what: str = "") -> None:
        self.what = what  # prefix for messages about something other than the program
        self.raw_lines = program.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.lines: list[str] = []
        self.columns: list[list[int]] = []
        for raw in self.raw_lines:
            indent = len(raw) - len(raw.lstrip(" \t"))
            out, cols = [], []
            for col, char in enumerate(raw[indent:], start=indent):
                text = _REPLACEMENTS.get(char, char)
                out.append(text)
                cols += [col] * len(text)
            self.lines.append("".join(out))
            self.columns.append([*cols, len(raw)])
        self.text = "\n".join(self.lines)

    def error(self, message: str, line: int, char: int) -> ExpressionError:
        """An error at ``char`` (0-based, normalised text) of ``line`` (1-based)."""
        line = min(max(line, 1), len(self.lines))
        cols = self.columns[line - 1]
        column = cols[min(max(char, 0), len(cols) - 1)] + 1
        where = f"line {line}, column {column}" if len(self.lines) > 1 else f"column {column}"
        return ExpressionError(f"{self.what}{where}: {message}", line, column)

    def error_at(self, message: str, node: ast.AST) -> ExpressionError:
        line = getattr(node, "lineno", 1)
        byte_col = getattr(node, "col_offset", 0)
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        char = len(text.encode()[:byte_col].decode("utf-8", "ignore"))
        return self.error(message, line, char)

    def raw_error(self, message: str, line: int, column: int) -> ExpressionError:
        """An error at a 1-based column of the text as typed."""
        where = f"line {line}, column {column}" if len(self.raw_lines) > 1 else f"column {column}"
        return ExpressionError(f"{self.what}{where}: {message}", line, column)


def check_caps(source: Source) -> None:
    """Reject what would make ``ast.parse`` slow or recurse too deeply, before calling it."""
    depth = total = 0
    for line_no, raw in enumerate(source.raw_lines, start=1):
        operators = 0
        for col, char in enumerate(raw, start=1):
            if char in "([{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise source.raw_error(f"brackets are nested more than {MAX_DEPTH} deep",
                                           line_no, col)
            elif char in ")]}":
                depth = max(depth - 1, 0)
            elif char == ";":
                operators = 0
            elif char in "+-*/^×÷−·,":
                operators += 1
                total += 1
                if operators > MAX_OPERATORS:
                    raise source.raw_error(
                        f"more than {MAX_OPERATORS} operators in one statement (each comma "
                        "between arguments counts); split it into several lines with names "
                        "(u = …)", line_no, col)
                if total > MAX_PROGRAM_OPERATORS:
                    raise source.raw_error(
                        f"more than {MAX_PROGRAM_OPERATORS:,} operators in the program (each "
                        "comma between arguments counts); the limit keeps it quick to build "
                        "and train", line_no, col)


def parse(source: Source) -> ast.Module:
    try:
        return ast.parse(source.text, mode="exec")
    except SyntaxError as exc:
        reason = (exc.msg or "invalid syntax").split(" (")[0]
        line = exc.lineno or 1
        char = (exc.offset or 1) - 1
        if "too many nested" in reason:
            reason = f"brackets are nested more than {MAX_DEPTH} deep"
        raise source.error(f"syntax error: {reason}", line, char) from None
    except (RecursionError, MemoryError, ValueError):  # the parser's own limits
        raise source.error("the expression is too complex to read; split it into several "
                           "lines with names (u = …)", 1, 0) from None


CONSTRUCTS = {  # singular phrases: "… is not allowed"
    ast.Attribute: "attribute access", ast.Subscript: "indexing with [ ]",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set", ast.Dict: "a dictionary",
    ast.Lambda: "lambda", ast.IfExp: "a conditional expression (… if … else …)",
    ast.Compare: "a comparison", ast.BoolOp: "'and' / 'or'", ast.NamedExpr: "':='",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression",
    ast.Starred: "'*' unpacking", ast.JoinedStr: "an f-string", ast.Await: "'await'",
    ast.Yield: "'yield'", ast.YieldFrom: "'yield'", ast.Slice: "a slice",
    ast.Import: "an import statement", ast.ImportFrom: "an import statement",
    ast.FunctionDef: "a function definition", ast.ClassDef: "a class definition",
    ast.AugAssign: "augmented assignment (+= …)", ast.AnnAssign: "an annotation",
    ast.Delete: "'del'", ast.Global: "'global'", ast.Nonlocal: "'nonlocal'",
}


def describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str | bytes):
            return "a string"
        if isinstance(value, complex):
            return "a complex number"
        return f"'{value}'"
    if isinstance(node, ast.Attribute):
        return f"attribute access ('.{node.attr}')"
    return CONSTRUCTS.get(type(node), f"'{type(node).__name__}'")


def innermost_access(node: ast.Attribute | ast.Subscript) -> ast.Attribute | ast.Subscript:
    """The first ``.name`` or ``[…]`` in reading order of a chain like ``x.a[0].b()``."""
    found, current = node, node
    while True:
        if isinstance(current, ast.Attribute | ast.Subscript):
            found, current = current, current.value
        elif isinstance(current, ast.Call):
            current = current.func
        else:
            return found
