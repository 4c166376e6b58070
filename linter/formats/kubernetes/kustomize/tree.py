"""Building patched trees out of shared, positioned nodes without mutating them.

Bases are shared by many overlays and also linted on their own, so a patched
object is a new spine of Mapping/Sequence nodes over the untouched subtrees of
its inputs. The one trap is `MappingNode.__init__`, which sets `value.key` on
every value: a reused value must stay paired with its own key node, and a node
that moves to another place is `detached` (shallow-copied) first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span

_STR_TAG = "tag:yaml.org,2002:str"
_TAGS: dict[type, str] = {
    bool: "tag:yaml.org,2002:bool",
    int: "tag:yaml.org,2002:int",
    float: "tag:yaml.org,2002:float",
    str: _STR_TAG,
    type(None): "tag:yaml.org,2002:null",
}


def synthetic_key(text: str, span: Span) -> ScalarNode:
    """A key node for a key no file spelled out, positioned where it is implied."""
    return ScalarNode(text, span, _STR_TAG)


def detached(node: Node) -> Node:
    """A shallow copy of `node` that can take a new key or place without
    touching the original; its children are the original (shared) children."""
    if isinstance(node, ScalarNode):
        return ScalarNode(node.value, node.span, node.tag)
    if isinstance(node, SequenceNode):
        return SequenceNode(list(node.items), node.span, node.tag)
    assert isinstance(node, MappingNode)
    return MappingNode(list(node.pairs), node.span, node.tag)


def _key_for(mapping: MappingNode, key: str, value: Node, key_node: ScalarNode | None) -> ScalarNode:
    """The key node `value` may be paired with under `key`: its own if it has
    one, else the one given, else the mapping's existing key for `key`."""
    if value.key is not None:
        if value.key.text != key:
            raise ValueError(f"node already keyed '{value.key.text}' cannot go under '{key}': detach it first")
        return value.key
    if key_node is not None:
        return key_node
    for existing, _ in reversed(mapping.pairs):
        if existing.text == key:
            return existing
    raise ValueError(f"no key node for new key '{key}'")


def pairs_replaced(mapping: MappingNode, key: str, value: Node, key_node: ScalarNode | None = None) -> MappingNode:
    """A copy of `mapping` whose `key` (its last occurrence) holds `value`, or
    with `key` appended. `value` keeps its own key node when it has one; a new
    value takes `key_node`, or else the key node already in `mapping`."""
    chosen = _key_for(mapping, key, value, key_node)
    pairs = list(mapping.pairs)
    for index in range(len(pairs) - 1, -1, -1):
        if pairs[index][0].text == key:
            pairs[index] = (chosen, value)
            break
    else:
        pairs.append((chosen, value))
    return MappingNode(pairs, mapping.span, mapping.tag)


def without_key(mapping: MappingNode, key: str) -> MappingNode:
    """A copy of `mapping` without `key` (every occurrence); `mapping` itself
    when it has no such key."""
    if key not in mapping:
        return mapping
    return MappingNode([(k, v) for k, v in mapping.pairs if k.text != key], mapping.span, mapping.tag)


def items_replaced(seq: SequenceNode, items: list[Node]) -> SequenceNode:
    """A sequence at `seq`'s place holding `items`; `seq` itself when they are
    its own items in its own order."""
    if len(items) == len(seq.items) and all(a is b for a, b in zip(items, seq.items)):
        return seq
    return SequenceNode(items, seq.span, seq.tag)


def set_path(root: MappingNode, path: Sequence[str], value: Node, at: Span) -> MappingNode:
    """A copy of `root` with `value` at the mapping path `path`. Missing
    intermediate mappings (and a missing final key) are created with their
    spans and keys at `at`; an intermediate that is not a mapping is an error."""
    if not path:
        raise ValueError("set_path needs a non-empty path")
    head, rest = path[0], path[1:]
    if not rest:
        new_value = value
    else:
        child = root.get(head)
        if child is None:
            child = MappingNode([], at)
        elif not isinstance(child, MappingNode):
            raise ValueError(f"'{head}' is not a mapping")
        new_value = set_path(child, rest, value, at)
    key_node = None if head in root or new_value.key is not None else synthetic_key(head, at)
    return pairs_replaced(root, head, new_value, key_node)


def from_python(value: Any, at: Span) -> Node:
    """Plain data (a generator's, say) as nodes that all sit at `at`."""
    if isinstance(value, dict):
        return MappingNode([(synthetic_key(str(k), at), from_python(v, at)) for k, v in value.items()], at)
    if isinstance(value, (list, tuple)):
        return SequenceNode([from_python(v, at) for v in value], at)
    if value is None or isinstance(value, (str, int, float, bool)):
        return ScalarNode(value, at, _TAGS[type(value)])
    raise TypeError(f"cannot represent a {type(value).__name__} as a node")
