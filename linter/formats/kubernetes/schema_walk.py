"""Walk one object's positioned tree along its compiled shapes, and list
what the API server would drop or refuse, each at the key that is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span
from linter.formats.kubernetes.schema import Shapes
from linter.formats.kubernetes.templating import is_templated

UNKNOWN, TYPE, REQUIRED, ENUM = "unknown-field", "wrong-type", "missing-required", "invalid-enum"


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    kind: str  # UNKNOWN, TYPE, REQUIRED or ENUM
    span: Span
    path: str  # the dotted path of the key (or of the mapping missing one)
    vars: dict[str, str]


def _json_type(node: Node) -> str | None:
    """The JSON type a node holds; None for null (every optional field takes it)."""
    if isinstance(node, MappingNode):
        return "object"
    if isinstance(node, SequenceNode):
        return "array"
    assert isinstance(node, ScalarNode)
    value = node.value
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    return "string"


def _fits(actual: str, expected: frozenset[str]) -> bool:
    return actual in expected or (actual == "integer" and "number" in expected)


def _suggestion(name: str, known: list[str]) -> str | None:
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return close[0] if close else None


def _where(path: str, shape_name: str) -> str:
    label = path or "the object"
    return f"{label} ({shape_name})" if shape_name else label


class _Walker:
    def __init__(self, shapes: Shapes, root: int) -> None:
        self.shapes = shapes
        self.root = root
        self.problems: list[SchemaProblem] = []

    def node(self, node: Node, shape_id: int, path: str) -> None:
        shape = self.shapes.shapes[shape_id]
        actual = _json_type(node)
        if actual is None:
            return
        if shape.types is not None and not _fits(actual, shape.types):
            if isinstance(node, ScalarNode) and isinstance(node.value, str) and is_templated(node.value):
                return  # filled in before it is applied
            expected = " or ".join(sorted(shape.types))
            self._add(TYPE, node.anchor_span, path, expected=expected, actual=actual)
            return
        if shape.enum and isinstance(node, ScalarNode) and isinstance(node.value, str):
            if node.value not in shape.enum and not is_templated(node.value):
                self._add(ENUM, node.anchor_span, path, value=node.value, allowed=", ".join(shape.enum))
        elif isinstance(node, MappingNode):
            self.mapping(node, shape_id, path)
        elif isinstance(node, SequenceNode) and shape.items is not None:
            for index, item in enumerate(node.items):
                self.node(item, shape.items, f"{path}[{index}]")

    def mapping(self, node: MappingNode, shape_id: int, path: str) -> None:
        shape = self.shapes.shapes[shape_id]
        for key, value in node.pairs:
            name = key.text
            child_path = f"{path}.{name}" if path else name
            child = shape.properties.get(name)
            if child is not None:
                self.node(value, child, child_path)
            elif shape.values is not None:
                self.node(value, shape.values, child_path)
            elif shape.closed and not name.startswith("$"):  # `$patch` and friends are merge directives
                self._unknown(key, name, shape_id, path)
        if shape.properties:
            missing = [name for name in shape.required if name not in node]
            if missing:
                self._add(REQUIRED, node.anchor_span, path, missing=", ".join(missing),
                          where=_where(path, shape.name))

    def _unknown(self, key: ScalarNode, name: str, shape_id: int, path: str) -> None:
        shape = self.shapes.shapes[shape_id]
        suggestion = _suggestion(name, list(shape.properties))
        if suggestion is not None:
            hint = f" (did you mean '{suggestion}'?)"
        else:
            home = self.shapes.home(self.root, name)
            hint = f" ({name} belongs at {home})" if home else ""
        self._add(UNKNOWN, key.span, f"{path}.{name}".lstrip("."), field=name, where=_where(path, shape.name), hint=hint)

    def _add(self, kind: str, span: Span, path: str, **message: str) -> None:
        self.problems.append(SchemaProblem(kind, span, path, {"path": path or "(object)", **message}))


def schema_problems(node: MappingNode, shapes: Shapes, root: int) -> list[SchemaProblem]:
    walker = _Walker(shapes, root)
    walker.mapping(node, root, "")
    return walker.problems


def of_kind(problems: list[SchemaProblem], kind: str) -> Iterator[SchemaProblem]:
    return (p for p in problems if p.kind == kind)
