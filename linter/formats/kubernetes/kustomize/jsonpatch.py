"""JSON Patch (RFC 6902) on positioned trees, as kustomize's `patches` with a
list of operations apply it.

`parse_operations` turns a positioned list of operations (YAML or JSON) into
typed `Operation`s and returns the problems it finds (as `PatchError` values,
all of them, each at its span). `apply_json6902` applies operations in order
and raises the first `PatchError` (a path that does not exist, a failed
`test`): like RFC 6902, a patch applies whole or not at all.

Values added or replaced are the operation's `value` node (a shallow copy, so
the patch's own tree keeps its key); nothing of the input is mutated, and
untouched subtrees are the input's own objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span

from .errors import PatchError
from .tree import detached, items_replaced, pairs_replaced, synthetic_key, without_key

OPS = ("add", "remove", "replace", "move", "copy", "test")
_NEEDS_VALUE = frozenset({"add", "replace", "test"})
_NEEDS_FROM = frozenset({"move", "copy"})


@dataclass(frozen=True, slots=True)
class Pointer:
    """A JSON Pointer, unescaped (`~1` is `/`, `~0` is `~`), and where it is written."""

    tokens: tuple[str, ...]
    span: Span

    def __str__(self) -> str:
        return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in self.tokens)


@dataclass(frozen=True, slots=True)
class Operation:
    op: str
    path: Pointer
    value_node: Node | None
    from_: Pointer | None
    span: Span  # the whole operation


def parse_pointer(node: ScalarNode) -> Pointer | PatchError:
    text = node.text
    if text == "":
        return Pointer((), node.span)
    if not text.startswith("/"):
        return PatchError(f"JSON pointer '{text}' must start with '/'", node.span)
    tokens: list[str] = []
    for raw in text[1:].split("/"):
        if raw.replace("~0", "").replace("~1", "").count("~"):
            return PatchError(f"JSON pointer '{text}' has a '~' not followed by 0 or 1", node.span)
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return Pointer(tuple(tokens), node.span)


def parse_operations(node: Node) -> tuple[list[Operation], list[PatchError]]:
    """The operations of a JSON 6902 patch document, and what is wrong with it."""
    if not isinstance(node, SequenceNode):
        return [], [PatchError("a JSON 6902 patch must be a list of operations", node.span.first_line())]
    operations: list[Operation] = []
    problems: list[PatchError] = []
    for item in node.items:
        parsed = _operation(item)
        if isinstance(parsed, PatchError):
            problems.append(parsed)
        else:
            operations.append(parsed)
    return operations, problems


def _operation(item: Node) -> Operation | PatchError:
    where = item.span.first_line()
    if not isinstance(item, MappingNode):
        return PatchError("an operation must be a mapping with 'op' and 'path'", where)
    op_node = item.scalar("op")
    if op_node is None:
        return PatchError("operation has no 'op'", where)
    if op_node.text not in OPS:
        return PatchError(f"unknown operation '{op_node.text}' (expected one of {', '.join(OPS)})", op_node.span)
    path_node = item.scalar("path")
    if path_node is None:
        return PatchError(f"'{op_node.text}' operation has no 'path'", where)
    path = parse_pointer(path_node)
    if isinstance(path, PatchError):
        return path
    value = item.get("value")
    if op_node.text in _NEEDS_VALUE and value is None:
        return PatchError(f"'{op_node.text}' operation has no 'value'", where)
    from_: Pointer | None = None
    if op_node.text in _NEEDS_FROM:
        from_node = item.scalar("from")
        if from_node is None:
            return PatchError(f"'{op_node.text}' operation has no 'from'", where)
        parsed_from = parse_pointer(from_node)
        if isinstance(parsed_from, PatchError):
            return parsed_from
        from_ = parsed_from
    return Operation(op_node.text, path, value if op_node.text in _NEEDS_VALUE else None, from_, item.span)


def apply_json6902(doc: MappingNode, operations: list[Operation]) -> MappingNode:
    """`doc` with `operations` applied in order. Raises PatchError."""
    node: Node = doc
    for operation in operations:
        node = _apply(node, operation)
    if not isinstance(node, MappingNode):
        raise PatchError("the patched object is no longer a mapping", operations[-1].span.first_line())
    return node


def _apply(root: Node, operation: Operation) -> Node:
    op, path = operation.op, operation.path
    if op == "test":
        assert operation.value_node is not None
        if _comparable(_get(root, path).to_python()) != _comparable(operation.value_node.to_python()):
            raise PatchError(f"test failed: the value at '{path}' differs", path.span)
        return root
    if op == "remove":
        return _remove(root, path)
    if op == "replace":
        assert operation.value_node is not None
        return _replace(root, path, detached(operation.value_node))
    if op == "add":
        assert operation.value_node is not None
        return _add(root, path, detached(operation.value_node))
    assert operation.from_ is not None
    moved = detached(_get(root, operation.from_))
    if op == "move":
        if path.tokens[: len(operation.from_.tokens)] == operation.from_.tokens and path.tokens != operation.from_.tokens:
            raise PatchError(f"cannot move '{operation.from_}' into its own child '{path}'", path.span)
        root = _remove(root, operation.from_)
    return _add(root, path, moved)


def _comparable(value: Any) -> Any:
    """A value as RFC 6902 `test` compares it: numbers by value, but `true`
    is not `1` (as Python's == would have it)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _get(root: Node, pointer: Pointer) -> Node:
    node = root
    for depth, token in enumerate(pointer.tokens):
        child = _child(node, token)
        if child is None:
            raise PatchError(f"path '{Pointer(pointer.tokens[: depth + 1], pointer.span)}' does not exist", pointer.span)
        node = child
    return node


def _child(node: Node, token: str) -> Node | None:
    if isinstance(node, MappingNode):
        return node.get(token)
    if isinstance(node, SequenceNode):
        index = _index(token)
        return node.items[index] if index is not None and index < len(node.items) else None
    return None


def _index(token: str) -> int | None:
    """An array index as RFC 6901 spells it: digits, no leading zero."""
    if token.isdigit() and token.isascii() and (token == "0" or not token.startswith("0")):
        return int(token)
    return None


Edit = Callable[[Node, str], Node]


def _at_parent(root: Node, pointer: Pointer, edit: Edit) -> Node:
    """`root` rebuilt along `pointer` with `edit(parent, last token)` at its end."""
    if not pointer.tokens:
        raise PatchError("this operation needs a path below the document root", pointer.span)

    def rebuild(node: Node, depth: int) -> Node:
        token = pointer.tokens[depth]
        if depth == len(pointer.tokens) - 1:
            return edit(node, token)
        child = _child(node, token)
        if child is None:
            raise PatchError(f"path '{Pointer(pointer.tokens[: depth + 1], pointer.span)}' does not exist", pointer.span)
        return _with_child(node, token, rebuild(child, depth + 1))

    return rebuild(root, 0)


def _with_child(node: Node, token: str, child: Node) -> Node:
    if isinstance(node, MappingNode):
        return pairs_replaced(node, token, child)
    assert isinstance(node, SequenceNode)
    index = _index(token)
    assert index is not None
    return items_replaced(node, node.items[:index] + [child] + node.items[index + 1 :])


def _add(root: Node, pointer: Pointer, value: Node) -> Node:
    if not pointer.tokens:
        return value

    def edit(parent: Node, token: str) -> Node:
        if isinstance(parent, MappingNode):
            key = None if token in parent else synthetic_key(token, pointer.span)
            return pairs_replaced(parent, token, value, key)
        if isinstance(parent, SequenceNode):
            index = len(parent.items) if token == "-" else _index(token)
            if index is None or index > len(parent.items):
                raise PatchError(f"index '{token}' is out of range for '{pointer}'", pointer.span)
            return items_replaced(parent, parent.items[:index] + [value] + parent.items[index:])
        raise PatchError(f"cannot add below a scalar at '{pointer}'", pointer.span)

    return _at_parent(root, pointer, edit)


def _remove(root: Node, pointer: Pointer) -> Node:
    _get(root, pointer)  # the path must exist

    def edit(parent: Node, token: str) -> Node:
        if isinstance(parent, MappingNode):
            return without_key(parent, token)
        assert isinstance(parent, SequenceNode)
        index = _index(token)
        assert index is not None
        return items_replaced(parent, parent.items[:index] + parent.items[index + 1 :])

    return _at_parent(root, pointer, edit)


def _replace(root: Node, pointer: Pointer, value: Node) -> Node:
    _get(root, pointer)  # the path must exist
    if not pointer.tokens:
        return value

    def edit(parent: Node, token: str) -> Node:
        return _with_child(parent, token, value)

    return _at_parent(root, pointer, edit)
