"""Reading expression programs: a strict ``ast`` whitelist turned into a hash-consed graph.

Nothing is ever evaluated as code: the syntax tree is only *read*.  Size caps are checked
before ``ast.parse`` (``expression_source.py``) so that hostile input gives a clear message
rather than a RecursionError, and the tree is walked with an explicit stack.  Constants are
never folded, so ``2**10**10`` is a graph.  Structurally identical subexpressions are one node.
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
from .expression_source import MAX_DEPTH as MAX_DEPTH  # re-exported
from .expression_source import (
    MAX_LENGTH,
    ExpressionError,
    Source,
    check_caps,
    describe,
    innermost_access,
    parse,
)
from .expression_source import MAX_OPERATORS as MAX_OPERATORS  # re-exported
from .expression_symbols import (
    Proto,
    assign_ids,
    live_nodes,
    node_group,
    node_role,
    node_symbol,
)
from .expression_symbols import default_symbol as default_symbol  # re-exported
from .graph import Difference, Graph, Node, Op

CONSTANTS = {"pi": math.pi, "e": math.e}  # unless the program assigns or is given the name
_BINARY: dict[type, type] = {
    ast.Add: Add, ast.Sub: Difference, ast.Mult: Multiply, ast.Div: Divide, ast.Pow: Power,
}
_OPERATOR_NAMES = {
    ast.Mod: "'%'", ast.FloorDiv: "'//'", ast.MatMult: "'@'", ast.BitOr: "'|'",
    ast.BitAnd: "'&'", ast.BitXor: "'^' as exclusive or", ast.LShift: "'<<'",
    ast.RShift: "'>>'", ast.Not: "'not'", ast.Invert: "'~'",
}


# --------------------------------------------------------------------------- building

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

    def __init__(self, source: Source, given: frozenset[str]) -> None:
        self.source = source
        self.given = given  # names with values: these are never the constants e and pi
        self.protos: list[Proto] = []
        self.table: dict[tuple, int] = {}
        self.names: dict[str, int] = {}  # assigned names: their latest version
        self.versions: dict[str, int] = {}  # how many times each name has been bound
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
            elif isinstance(statement, ast.AugAssign):
                raise self.source.error_at(f"augmented assignment (+= …) is not allowed; "
                                           f"write {_augmented_hint(statement)}", statement)
            elif isinstance(statement, ast.Expr) and last:
                output = self.lone_expression(statement.value)
            elif isinstance(statement, ast.Expr):
                raise self.source.error_at("only the last line may be a bare expression; "
                                           "name this one (u = …)", statement)
            else:
                raise self.source.error_at(f"{describe(statement)} is not allowed; write "
                                           "assignments such as u = x*y", statement)
        return output

    def assign(self, statement: ast.Assign) -> int:
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            target = statement.targets[-1] if len(statement.targets) == 1 else statement
            raise self.source.error_at("assign to one plain name at a time (u = …)", target)
        target = statement.targets[0]
        name = target.id
        self.check_name(name, target)
        if name in CONSTANTS and ("constant", CONSTANTS[name]) in self.table:
            raise self.source.error_at(f"'{name}' is already used as a constant; choose "
                                       "another name", target)
        # c = c + 1 (as micrograd's examples write it): the right side reads the c before
        # this line, and the assignment makes a new node, c's next version (c₂, c₃, …)
        index = self.expression(statement.value)
        proto = self.protos[index]
        if proto.kind != "op" or proto.name is not None:
            index = self.add(Proto("op", Identity(), (index,)), None)  # an alias: g = x
        earlier = self.versions.get(name, 1 if name in self.variables else 0)
        self.protos[index].name = name
        self.protos[index].version = earlier + 1
        self.versions[name] = earlier + 1
        self.names[name] = index
        return index

    def lone_expression(self, value: ast.expr) -> int:
        index = self.expression(value)
        if self.protos[index].kind != "op":
            index = self.add(Proto("op", Identity(), (index,)), None)
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
                raise self.source.error_at(f"{describe(node)} is not allowed here", node)
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
            node = innermost_access(node)  # report .__class__ before .__bases__
            raise self.source.error_at(f"{describe(node)} is not allowed",
                                       self.after(node.value))
        raise self.source.error_at(f"{describe(node)} is not allowed", node)

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
            index = self.add(Proto("variable", name=name), ("variable", name))
            self.variables[name] = (index, node)
        return self.variables[name][0]

    def constant(self, value: float, label: str) -> int:
        return self.add(Proto("constant", value=value, label=label), ("constant", value))

    def operation(self, op: Op, inputs: list[int]) -> int:
        return self.add(Proto("op", op, tuple(inputs)), ("op", op, tuple(inputs)))

    def add(self, proto: Proto, key: tuple | None) -> int:
        if key is not None and key in self.table:
            return self.table[key]
        if self.lookup_only:
            raise LookupError
        self.protos.append(proto)
        if key is not None:
            self.table[key] = len(self.protos) - 1
        return len(self.protos) - 1


def _augmented_hint(statement: ast.AugAssign) -> str:
    """``c = c + …`` for ``c += …``: the reassignment that says the same."""
    name = statement.target.id if isinstance(statement.target, ast.Name) else "c"
    symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}.get(
        type(statement.op), "+")
    return f"{name} = {name} {symbol} …"


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
    source = Source(program)
    check_caps(source)
    builder = _Builder(source, frozenset(given))
    output = builder.program(parse(source))
    overrides = _resolve_symbols(builder, symbols or {})
    live = live_nodes(builder.protos, output)
    ids = assign_ids(builder.protos, live)
    nodes = []
    unnamed = 0
    letter = _intermediate_letter(builder)
    for index in live:
        proto = builder.protos[index]
        if proto.kind == "op" and proto.name is None:
            unnamed += 1
        symbol = overrides.get(index) or node_symbol(proto, letter, unnamed)
        nodes.append(Node(ids[index], symbol, node_role(proto, trainable), proto.op,
                          tuple(ids[i] for i in proto.inputs), group=node_group(proto, output,
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
        source = Source(str(key), what=f"symbols key {key!r}: ")
        builder.source, saved = source, builder.source
        try:
            check_caps(source)
            module = parse(source)
            if len(module.body) != 1 or not isinstance(module.body[0], ast.Expr):
                raise source.error("a symbols key must be a name or an expression", 1, 0)
            resolved[builder.expression(module.body[0].value)] = symbol
        except LookupError:
            raise ExpressionError(f"symbols key {key!r} is not part of the program") from None
        finally:
            builder.source = saved
    builder.lookup_only = False
    return resolved


def _intermediate_letter(builder: _Builder) -> str:
    """v₁, v₂, … unless the program already uses names like v1."""
    used = set(builder.names) | set(builder.variables)
    for letter in ("v", "w", "t", "q"):
        if not any(re.fullmatch(rf"{letter}_?\d+", name) for name in used):
            return letter
    return "v"
