"""Walk one object's positioned tree along its compiled shapes, and list
what the API server would drop or refuse, each at the key that is wrong."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span
from linter.formats.common.secrets import shown_token
from linter.formats.kubernetes.schema import KindTree
from linter.formats.kubernetes.templating import is_templated

_ITEM_INDEX = re.compile(r"\[\d+\]")
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})

UNKNOWN, TYPE, REQUIRED, ENUM = "unknown-field", "wrong-type", "missing-required", "invalid-enum"


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    kind: str  # UNKNOWN, TYPE, REQUIRED or ENUM
    span: Span
    path: str  # the dotted path of the key (or of the mapping missing one)
    vars: dict[str, str]


# The JSON type of a scalar's value; null is absent (every optional field takes it).
_SCALAR_TYPES: dict[type, str] = {str: "string", int: "integer", bool: "boolean", float: "number"}


def _fits(value: object, actual: str, expected: frozenset[str]) -> bool:
    if actual in expected:
        return True
    if actual == "integer":
        return "number" in expected
    # 3.0 is an integer to a JSON decoder
    return actual == "number" and "integer" in expected and isinstance(value, float) and value.is_integer()


def _suggestion(name: str, known: list[str]) -> str | None:
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return close[0] if close else None


def _nearby_home(path: str, homes: list[str]) -> str | None:
    """The first place the key belongs above or below where it was written
    (`containers` under a Deployment's spec belongs at
    spec.template.spec.containers); a namesake in an unrelated branch (another
    volume source's `secretName`) is no hint."""
    here = _ITEM_INDEX.sub("[]", path)
    for home in homes:
        parent = home.rpartition(".")[0]
        if parent.startswith(here) or here.startswith(parent):
            return home
    return None


def _is_placeholder(node: MappingNode) -> bool:
    """An unquoted `{{ value }}` (a template file's placeholder) reads as a
    mapping whose key is itself a collection: it is filled in later."""
    return bool(node.pairs) and node.pairs[0][0].tag in _COLLECTION_TAGS


def _where(path: str, shape_name: str) -> str:
    label = path or "the object"
    return f"{label} ({shape_name})" if shape_name else label


class _Walker:
    def __init__(self, tree: KindTree) -> None:
        self.tree = tree
        self.problems: list[SchemaProblem] = []

    # Hot: one call per node of every object. Paths are only formatted
    # into messages when a problem is found.
    def node(self, node: Node, shape_id: int, path: str) -> None:
        shape = self.tree.shapes[shape_id]
        kind = type(node)
        if kind is ScalarNode:
            assert isinstance(node, ScalarNode)
            value = node.value
            actual = _SCALAR_TYPES.get(type(value))
            if actual is None:
                return
            types = shape.types
            if types is not None and not _fits(value, actual, types):
                if not (isinstance(value, str) and is_templated(value)):  # filled in before it is applied
                    self._add(TYPE, node.anchor_span, path, expected=" or ".join(sorted(types)), actual=actual)
            elif shape.enum and isinstance(value, str) and value not in shape.enum and not is_templated(value):
                self._add(ENUM, node.anchor_span, path, value=value, allowed=", ".join(shape.enum))
            return
        actual = "object" if kind is MappingNode else "array"
        if kind is MappingNode and _is_placeholder(node):  # type: ignore[arg-type]
            return
        if shape.types is not None and actual not in shape.types:
            self._add(TYPE, node.anchor_span, path, expected=" or ".join(sorted(shape.types)), actual=actual)
        elif kind is MappingNode:
            assert isinstance(node, MappingNode)
            self.mapping(node, shape_id, path)
        elif shape.items is not None:
            assert isinstance(node, SequenceNode)
            items = shape.items
            fitting, takes_mapping = self.tree.fitting[items], self.tree.mappings[items]
            for index, item in enumerate(node.items):
                kind = type(item)
                if kind is MappingNode and takes_mapping:
                    self.mapping(item, items, f"{path}[{index}]")  # type: ignore[arg-type]
                elif kind is not ScalarNode or type(item.value) not in fitting:  # type: ignore[attr-defined]
                    self.node(item, items, f"{path}[{index}]")

    def mapping(self, node: MappingNode, shape_id: int, path: str) -> None:
        shape = self.tree.shapes[shape_id]
        properties, values = shape.properties, shape.values
        if (not properties and values is None and not shape.closed) or _is_placeholder(node):
            return  # free-form (an embedded JSON value, preserved unknown fields), or filled in later
        prefix = f"{path}." if path else ""
        free, fitting, mappings = self.tree.free, self.tree.fitting, self.tree.mappings
        for key, value in node.pairs:
            name = key.value if type(key.value) is str else key.text
            child = properties.get(name)
            if child is None:
                child = values
            if child is not None:
                kind = type(value)
                if kind is ScalarNode:
                    if type(value.value) in fitting[child]:  # type: ignore[attr-defined]
                        continue
                elif free[child]:
                    continue
                elif kind is MappingNode and mappings[child]:
                    self.mapping(value, child, prefix + name)  # type: ignore[arg-type]
                    continue
                self.node(value, child, prefix + name)
            elif shape.closed and not name.startswith("$"):  # `$patch` and friends are merge directives
                self._unknown(key, name, shape_id, path)
        if shape.required:
            missing = [name for name in shape.required if name not in node]
            if missing:
                self._add(REQUIRED, node.anchor_span, path, missing=", ".join(missing), where=_where(path, shape.name))

    def _unknown(self, key: ScalarNode, name: str, shape_id: int, path: str) -> None:
        shape = self.tree.shapes[shape_id]
        suggestion = _suggestion(name, list(shape.properties))
        if suggestion is not None:
            hint = f" (did you mean '{suggestion}'?)"
        else:
            home = _nearby_home(path, self.tree.homes(name))
            hint = f" ({name} belongs at {home})" if home else ""
        # The unknown name is the token that failed: a key pasted as a field name is shown redacted.
        shown = shown_token(name)
        self._add(UNKNOWN, key.span, f"{path}.{name}".lstrip("."), field=shown, where=_where(path, shape.name), hint=hint)

    def _add(self, kind: str, span: Span, path: str, **message: str) -> None:
        self.problems.append(SchemaProblem(kind, span, path, {"path": path or "(object)", **message}))


def schema_problems(node: MappingNode, tree: KindTree) -> list[SchemaProblem]:
    walker = _Walker(tree)
    walker.mapping(node, 0, "")
    return walker.problems


def of_kind(problems: list[SchemaProblem], kind: str) -> Iterator[SchemaProblem]:
    return (p for p in problems if p.kind == kind)
