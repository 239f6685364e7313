"""Reading expression programs: a strict ``ast`` whitelist turned into a hash-consed graph.

Nothing is ever evaluated as code: the syntax tree is only *read*.  Size caps are checked
before ``ast.parse`` so that hostile input gives a clear message rather than a
RecursionError, and the tree is walked with an explicit stack.  Constants are never folded,
so ``2**10**10`` is a graph.  Structurally identical subexpressions are one node.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .expression_ops import (
    FUNCTIONS,
    Add,
    Divide,
    Extremum,
    Function,
    Identity,
    Multiply,
    Negate,
    Power,
    PowerConstant,
)
from .graph import Difference, Graph, Node, Op, Role
from .notation import format_factor

MAX_LENGTH = 10_000  # characters in a program
MAX_DEPTH = 100  # nested brackets (Python's own parser stops at 200)
MAX_OPERATORS = 200  # operators in one statement: deeper trees overflow Python's parser

CONSTANTS = {"pi": math.pi, "e": math.e}  # unless the program assigns or is given the name
_REPLACEMENTS = {"^": "**", "−": "-", "×": "*", "÷": "/", "·": "*", "\r": ""}
_REPLACEMENTS |= {chr(0x2080 + d): f"_{d}" for d in range(10)}  # x₁ → x_1
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "psi": "ψ",
    "omega": "ω", "rho": "ρ", "ell": "ℓ", "pi": "π",
}
_BINARY: dict[type, type] = {
    ast.Add: Add, ast.Sub: Difference, ast.Mult: Multiply, ast.Div: Divide, ast.Pow: Power,
}
_OPERATOR_NAMES = {
    ast.Mod: "'%'", ast.FloorDiv: "'//'", ast.MatMult: "'@'", ast.BitOr: "'|'",
    ast.BitAnd: "'&'", ast.BitXor: "'^' as exclusive or", ast.LShift: "'<<'",
    ast.RShift: "'>>'", ast.Not: "'not'", ast.Invert: "'~'",
}
_CONSTRUCTS = {  # singular phrases: "… is not allowed"
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


class ExpressionError(ValueError):
    """A program that is not in the grammar; ``column`` points at the offending character."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


# --------------------------------------------------------------------------- source text

class _Source:
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


def _check_caps(source: _Source) -> None:
    """Reject what would make ``ast.parse`` slow or recurse too deeply, before calling it."""
    depth = 0
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
            elif char in "+-*/^×÷−·":
                operators += 1
                if operators > MAX_OPERATORS:
                    raise source.raw_error(
                        f"more than {MAX_OPERATORS} operators in one statement; split it into "
                        "several lines with names (u = …)", line_no, col)


def _parse(source: _Source) -> ast.Module:
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


# --------------------------------------------------------------------------- building

@dataclass
class _Proto:
    """A node under construction; ids are given once dead statements are dropped."""

    kind: str  # "variable", "constant" or "op"
    op: Op | None = None
    inputs: tuple[int, ...] = ()
    name: str | None = None
    value: float = 0.0  # constants only
    label: str = ""  # constants: how the literal is written


def _literal(node: ast.expr) -> float | None:
    """The value of a number literal, possibly signed (``2``, ``-1``, ``0.5``), else None."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            return sign * float(node.value)
        except OverflowError:  # an integer literal beyond the float range
            return sign * math.inf
    return None


class _Builder:
    """Turns statements into hash-consed protos: equal structure, equal index."""

    def __init__(self, source: _Source, given: frozenset[str]) -> None:
        self.source = source
        self.given = given  # names with values: these are never the constants e and pi
        self.protos: list[_Proto] = []
        self.table: dict[tuple, int] = {}
        self.names: dict[str, int] = {}  # assigned names
        self.variables: dict[str, tuple[int, ast.AST]] = {}  # first use, for messages
        self.lookup_only = False  # when resolving ``symbols`` keys: find, never create

    # -- statements ------------------------------------------------------------------------

    def program(self, module: ast.Module) -> int:
        if not module.body:
            raise self.source.raw_error("the program is empty; write an expression such as "
                                        "x*y + sin(x)", 1, 1)
        output = -1
        for position, statement in enumerate(module.body):
            last = position == len(module.body) - 1
            if isinstance(statement, ast.Assign):
                output = self.assign(statement)
            elif isinstance(statement, ast.Expr) and last:
                output = self.lone_expression(statement.value)
            elif isinstance(statement, ast.Expr):
                raise self.source.error_at("only the last line may be a bare expression; "
                                           "name this one (u = …)", statement)
            else:
                raise self.source.error_at(f"{_describe(statement)} is not allowed; write "
                                           "assignments such as u = x*y", statement)
        return output

    def assign(self, statement: ast.Assign) -> int:
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            target = statement.targets[-1] if len(statement.targets) == 1 else statement
            raise self.source.error_at("assign to one plain name at a time (u = …)", target)
        target = statement.targets[0]
        name = target.id
        self.check_name(name, target)
        if name in self.names:
            raise self.source.error_at(f"'{name}' is assigned twice; use a new name", target)
        if name in self.variables:
            raise self.source.error_at(f"'{name}' is used as a variable before this "
                                       "assignment; assign it first", target)
        if name in CONSTANTS and ("constant", CONSTANTS[name]) in self.table:
            raise self.source.error_at(f"'{name}' is already used as a constant; choose "
                                       "another name", target)
        index = self.expression(statement.value)
        proto = self.protos[index]
        if proto.kind != "op" or proto.name is not None:
            index = self.add(_Proto("op", Identity(), (index,)), None)  # an alias: g = x
        self.protos[index].name = name
        self.names[name] = index
        return index

    def lone_expression(self, value: ast.expr) -> int:
        index = self.expression(value)
        if self.protos[index].kind != "op":
            index = self.add(_Proto("op", Identity(), (index,)), None)
        if self.protos[index].name is None:
            taken = set(self.names) | set(self.variables)
            self.protos[index].name = next(n for n in ("f", "out", "result_") if n not in taken)
        return index

    def check_name(self, name: str, node: ast.AST) -> None:
        if name in FUNCTIONS:
            raise self.source.error_at(f"'{name}' is a function; write {name}(…)", node)
        if name.startswith("__"):
            raise self.source.error_at(f"names may not start with '__'; got '{name}'", node)

    # -- expressions (iterative, so depth is bounded by the caps, not by Python's stack) ---

    def expression(self, root: ast.expr) -> int:
        built: dict[int, int] = {}
        stack: list[tuple[ast.expr, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if not ready:
                children = self.children(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
            else:
                built[id(node)] = self.make(node, [built[id(c)] for c in self.children(node)])
        return built[id(root)]

    def children(self, node: ast.expr) -> list[ast.expr]:
        """Validate ``node`` against the whitelist and return the subtrees it is built from."""
        if isinstance(node, ast.Constant):
            if _literal(node) is None:
                raise self.source.error_at(f"{_describe(node)} is not allowed here", node)
            return []
        if isinstance(node, ast.Name):
            self.check_name(node.id, node)
            return []
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise self.source.error_at(f"{_OPERATOR_NAMES[type(node.op)]} is not allowed",
                                           node)
            return [] if _literal(node) is not None else [node.operand]
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise self.source.error_at(f"{_OPERATOR_NAMES[type(node.op)]} is not allowed; "
                                           "use + - * / and ^", self.after(node.left))
            if isinstance(node.op, ast.Pow) and (
                    _literal(node.right) is not None or self.is_e(node.left)):
                return [node.left] if _literal(node.right) is not None else [node.right]
            return [node.left, node.right]
        if isinstance(node, ast.Call):
            return self.call_arguments(node)
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = _innermost_access(node)  # report .__class__ before .__bases__
            raise self.source.error_at(f"{_describe(node)} is not allowed",
                                       self.after(node.value))
        raise self.source.error_at(f"{_describe(node)} is not allowed", node)

    def call_arguments(self, node: ast.Call) -> list[ast.expr]:
        if not isinstance(node.func, ast.Name):
            self.children(node.func)  # reports attribute access, lambdas, …
            raise self.source.error_at("only these functions can be called: "
                                       f"{', '.join(FUNCTIONS)}", node)
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.source.error_at(f"only these functions are allowed: "
                                       f"{', '.join(FUNCTIONS)}; got '{name}'", node)
        if node.keywords:
            raise self.source.error_at(f"{name}() takes no keyword arguments", node.keywords[0])
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.source.error_at("'*' unpacking is not allowed", arg)
        count = len(node.args)
        if name in ("max", "min") and count < 2:
            raise self.source.error_at(f"{name}() needs at least two arguments", node)
        if name not in ("max", "min") and count != 1:
            raise self.source.error_at(f"{name}() takes exactly one argument, got {count}",
                                       node)
        return list(node.args)

    def after(self, node: ast.expr) -> _Position:
        """The first non-blank character after ``node``: where a binary operator stands."""
        line = node.end_lineno or 1
        text = self.source.lines[line - 1].encode()
        col = node.end_col_offset or 0
        while col < len(text) and text[col:col + 1] in (b" ", b"\t", b")"):
            col += 1
        return _Position(line, col)

    def is_e(self, node: ast.expr) -> bool:
        """``e^u`` is written as exp(u) so that it is the same node as exp(u)."""
        return (isinstance(node, ast.Name) and node.id == "e" and "e" not in self.names
                and "e" not in self.given)

    def make(self, node: ast.expr, inputs: list[int]) -> int:
        literal = _literal(node) if isinstance(node, ast.Constant | ast.UnaryOp) else None
        if literal is not None:
            return self.constant(literal, _literal_label(node))
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return inputs[0]
            return self.operation(Negate(), inputs)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                exponent = _literal(node.right)
                if exponent is not None:
                    return self.operation(PowerConstant(exponent), inputs)
                if self.is_e(node.left):
                    return self.operation(Function("exp"), inputs)
            return self.operation(_BINARY[type(node.op)](), inputs)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        name = node.func.id
        op = Extremum(name) if name in ("max", "min") else Function(name)
        return self.operation(op, inputs)

    def name(self, node: ast.Name) -> int:
        name = node.id
        if name in self.names:
            return self.names[name]
        if name in CONSTANTS and name not in self.given:
            return self.constant(CONSTANTS[name], name)
        if name not in self.variables:
            index = self.add(_Proto("variable", name=name), ("variable", name))
            self.variables[name] = (index, node)
        return self.variables[name][0]

    def constant(self, value: float, label: str) -> int:
        return self.add(_Proto("constant", value=value, label=label), ("constant", value))

    def operation(self, op: Op, inputs: list[int]) -> int:
        return self.add(_Proto("op", op, tuple(inputs)), ("op", op, tuple(inputs)))

    def add(self, proto: _Proto, key: tuple | None) -> int:
        if key is not None and key in self.table:
            return self.table[key]
        if self.lookup_only:
            raise LookupError
        self.protos.append(proto)
        if key is not None:
            self.table[key] = len(self.protos) - 1
        return len(self.protos) - 1


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str | bytes):
            return "a string"
        if isinstance(value, complex):
            return "a complex number"
        return f"'{value}'"
    if isinstance(node, ast.Attribute):
        return f"attribute access ('.{node.attr}')"
    return _CONSTRUCTS.get(type(node), f"'{type(node).__name__}'")


def _innermost_access(node: ast.Attribute | ast.Subscript) -> ast.Attribute | ast.Subscript:
    """The first ``.name`` or ``[…]`` in reading order of a chain like ``x.a[0].b()``."""
    found, current = node, node
    while True:
        if isinstance(current, ast.Attribute | ast.Subscript):
            found, current = current, current.value
        elif isinstance(current, ast.Call):
            current = current.func
        else:
            return found


@dataclass
class _Position:
    lineno: int
    col_offset: int


def _literal_label(node: ast.expr) -> str:
    value = _literal(node)
    assert value is not None
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# --------------------------------------------------------------------------- symbols

def default_symbol(name: str) -> str:
    """``x1`` → x₁, ``x_12`` → x₁₂, ``theta`` → θ, anything else as written."""
    base, _, suffix = name.rpartition("_")
    if base and suffix.isalnum():
        return f"{default_symbol(base)}_{{{suffix}}}"
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if match:
        return f"{_GREEK.get(match[1], match[1])}_{{{match[2]}}}"
    return _GREEK.get(name, name)


@dataclass(frozen=True)
class BuiltExpression:
    """The parsed program: the graph, and how names and subexpressions map to node ids."""

    graph: Graph
    variables: tuple[str, ...]  # in order of first use
    named: tuple[str, ...]  # assigned names, in order
    unused: tuple[str, ...]  # assigned names the output does not depend on
    first_use: Mapping[str, tuple[int, int]]  # variable → (line, column) as typed
    lines: int  # how many lines the program has (messages name the line when > 1)


def build_expression(program: str, given: Sequence[str] = (),
                     symbols: Mapping[str, str] | None = None,
                     trainable: Sequence[str] = ()) -> BuiltExpression:
    """Parse ``program`` into a graph; ``given`` are the names that have values."""
    if not isinstance(program, str):
        raise ExpressionError("the program must be text")
    if len(program) > MAX_LENGTH:
        raise ExpressionError(f"column {MAX_LENGTH + 1}: the program is {len(program):,} "
                              f"characters long; the limit is {MAX_LENGTH:,}", 1,
                              MAX_LENGTH + 1)
    source = _Source(program)
    _check_caps(source)
    builder = _Builder(source, frozenset(given))
    output = builder.program(_parse(source))
    overrides = _resolve_symbols(builder, symbols or {})
    live = _live(builder.protos, output)
    ids = _assign_ids(builder.protos, live)
    nodes = []
    unnamed = 0
    letter = _intermediate_letter(builder)
    for index in live:
        proto = builder.protos[index]
        if proto.kind == "op" and proto.name is None:
            unnamed += 1
        symbol = overrides.get(index) or _symbol(proto, letter, unnamed)
        nodes.append(Node(ids[index], symbol, _role(proto, trainable), proto.op,
                          tuple(ids[i] for i in proto.inputs), group=_group(proto, output,
                                                                          index)))
    graph = Graph(tuple(nodes), ids[output])
    variables = tuple(name for name, (index, _) in builder.variables.items() if index in ids)
    unused = tuple(name for name, index in builder.names.items() if index not in ids)
    first_use = {}
    for name in variables:
        error = source.error_at("", builder.variables[name][1])
        first_use[name] = (error.line, error.column)
    return BuiltExpression(graph, variables, tuple(builder.names), unused, first_use,
                           len(source.lines))


def _resolve_symbols(builder: _Builder, symbols: Mapping[str, str]) -> dict[int, str]:
    """``symbols`` keys are names or subexpressions of the program (``"x*y"``)."""
    resolved: dict[int, str] = {}
    builder.lookup_only = True
    for key, symbol in symbols.items():
        if key in builder.names:
            resolved[builder.names[key]] = symbol
            continue
        if key in builder.variables:
            resolved[builder.variables[key][0]] = symbol
            continue
        source = _Source(str(key), what=f"symbols key {key!r}: ")
        builder.source, saved = source, builder.source
        try:
            _check_caps(source)
            module = _parse(source)
            if len(module.body) != 1 or not isinstance(module.body[0], ast.Expr):
                raise source.error("a symbols key must be a name or an expression", 1, 0)
            resolved[builder.expression(module.body[0].value)] = symbol
        except LookupError:
            raise ExpressionError(f"symbols key {key!r} is not part of the program") from None
        finally:
            builder.source = saved
    builder.lookup_only = False
    return resolved


def _live(protos: list[_Proto], output: int) -> list[int]:
    """Indices the output depends on, in forward order."""
    needed = {output}
    for index in range(output, -1, -1):
        if index in needed:
            needed.update(protos[index].inputs)
    return sorted(needed)


def _assign_ids(protos: list[_Proto], live: list[int]) -> dict[int, str]:
    names = {p.name for p in protos if p.name}
    ids: dict[int, str] = {}
    count = 0
    for index in live:
        proto = protos[index]
        if proto.name is not None:
            ids[index] = proto.name
        elif proto.kind == "constant":
            ids[index] = proto.label if math.isfinite(proto.value) else f"const({proto.label})"
        else:
            count += 1
            candidate = f"v{count}"
            while candidate in names:
                candidate += "_"
            ids[index] = candidate
    return ids


def _intermediate_letter(builder: _Builder) -> str:
    """v₁, v₂, … unless the program already uses names like v1."""
    used = set(builder.names) | set(builder.variables)
    for letter in ("v", "w", "t", "q"):
        if not any(re.fullmatch(rf"{letter}_?\d+", name) for name in used):
            return letter
    return "v"


def _symbol(proto: _Proto, letter: str, count: int) -> str:
    if proto.kind == "constant":
        return {"pi": "π", "e": "e"}.get(proto.label, _constant_symbol(proto.value))
    if proto.name is not None:
        return default_symbol(proto.name)
    return f"{letter}_{{{count}}}"


def _constant_symbol(value: float) -> str:
    return format_factor(value)


def _role(proto: _Proto, trainable: Sequence[str]) -> Role:
    if proto.kind == "constant":
        return Role.CONSTANT
    if proto.kind == "variable":
        return Role.PARAM if proto.name in trainable else Role.INPUT
    return Role.OP


def _group(proto: _Proto, output: int, index: int) -> str:
    """A hint for diagrams: what kind of node this is."""
    if index == output:
        return "output"
    if proto.kind == "op":
        return "named" if proto.name is not None else "intermediate"
    return proto.kind
