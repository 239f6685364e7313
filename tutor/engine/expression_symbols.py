"""The nodes of a parsed expression program: ids, symbols, roles and diagram groups."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .graph import Op, Role
from .notation import format_factor

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "psi": "ψ",
    "omega": "ω", "rho": "ρ", "ell": "ℓ", "pi": "π",
}

@dataclass
class Proto:
    """A node under construction; ids are given once dead statements are dropped."""

    kind: str  # "variable", "constant" or "op"
    op: Op | None = None
    inputs: tuple[int, ...] = ()
    name: str | None = None
    value: float = 0.0  # constants only
    label: str = ""  # constants: how the literal is written
    version: int = 1  # a reassigned name's second binding is version 2 (see version_symbol)


def default_symbol(name: str) -> str:
    """``x1`` → x₁, ``x_12`` → x₁₂, ``theta`` → θ, anything else as written."""
    base, _, suffix = name.rpartition("_")
    if base and suffix.isalnum():
        return f"{default_symbol(base)}_{{{suffix}}}"
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if match:
        return f"{_GREEK.get(match[1], match[1])}_{{{match[2]}}}"
    return _GREEK.get(name, name)


def live_nodes(protos: list[Proto], output: int) -> list[int]:
    """Indices the output depends on, in forward order."""
    needed = {output}
    for index in range(output, -1, -1):
        if index in needed:
            needed.update(protos[index].inputs)
    return sorted(needed)


def assign_ids(protos: list[Proto], live: list[int]) -> dict[int, str]:
    names = {p.name for p in protos if p.name}
    ids: dict[int, str] = {}
    count = 0
    for index in live:
        proto = protos[index]
        if proto.name is not None and proto.version > 1:  # c = c + 1: the id c_2
            candidate = f"{proto.name}_{proto.version}"
            while candidate in names:
                candidate += "_"
            ids[index] = candidate
        elif proto.name is not None:
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


def node_symbol(proto: Proto, letter: str, count: int) -> str:
    if proto.kind == "constant":
        return {"pi": "π", "e": "e"}.get(proto.label, constant_symbol(proto.value))
    if proto.name is not None:
        return version_symbol(proto.name, proto.version)
    return f"{letter}_{{{count}}}"


def version_symbol(name: str, version: int) -> str:
    """The symbol of a name's ``version``-th binding: ``c``, then ``c₂``, ``c₃`` after
    ``c = c + 1`` (never a prime: on the sheets a prime is a derivative).  A name that
    already has a subscript (``x1`` → x₁) counts its versions above: x₁⁽²⁾."""
    base = default_symbol(name)
    if version <= 1:
        return base
    if "_" in base:
        return f"{{{base}}}^{{({version})}}"
    return f"{base}_{{{version}}}"


def constant_symbol(value: float) -> str:
    return format_factor(value)


def node_role(proto: Proto, trainable: Sequence[str]) -> Role:
    if proto.kind == "constant":
        return Role.CONSTANT
    if proto.kind == "variable":
        return Role.PARAM if proto.name in trainable else Role.INPUT
    return Role.OP


def node_group(proto: Proto, output: int, index: int) -> str:
    """A hint for diagrams: what kind of node this is."""
    if index == output:
        return "output"
    if proto.kind == "op":
        return "named" if proto.name is not None else "intermediate"
    return proto.kind
