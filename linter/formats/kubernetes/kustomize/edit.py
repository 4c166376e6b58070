"""Copy-on-write edits of positioned trees.

A built object shares every unchanged node with the files it came from (a
base is shared by many overlays, and linted on its own too), so an edit never
mutates a node: it builds new mappings along the edited path and reuses the
rest. A reused value always goes with its own key node (`MappingNode` sets
`value.key`), so the source trees keep their keys.
"""

from __future__ import annotations

from collections.abc import Callable

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span


def key_for(value: Node | None, text: str, at: Span) -> ScalarNode:
    """The key to pair `value` with: its own, else a new one placed at `at`."""
    if value is not None and value.key is not None and value.key.text == text:
        return value.key
    return ScalarNode(text, at)


def with_value(mapping: MappingNode, key: str, value: Node | None, at: Span) -> MappingNode:
    """`mapping` with `key` set to `value` (None removes it); in place of the
    old pair if there was one, else appended."""
    pairs: list[tuple[ScalarNode, Node]] = []
    replaced = False
    for k, v in mapping.pairs:
        if k.text != key:
            pairs.append((k, v))
        elif not replaced:
            replaced = True
            if value is not None:
                pairs.append((key_for(value, key, k.span), value))
    if not replaced and value is not None:
        pairs.append((key_for(value, key, at), value))
    return MappingNode(pairs, mapping.span, mapping.tag)


Update = Callable[[Node | None], Node | None]


def to(value: Node) -> Update:
    """The update that sets `value` whatever was there."""
    return lambda _: value


def update_path(root: MappingNode, path: tuple[str, ...], update: Update, at: Span) -> MappingNode:
    """`root` with the node at `path` replaced by `update(node)` (None: the
    node is absent). Missing mappings on the way are created at `at`; when
    `update` returns the node unchanged, `root` itself is returned."""
    head, rest = path[0], path[1:]
    child = root.get(head)
    if rest:
        if child is not None and not isinstance(child, MappingNode):
            return root  # a scalar where a mapping belongs: leave it to the schema rules
        base = child if child is not None else MappingNode([], at)
        new = update_path(base, rest, update, at)
        if new is base and child is not None:
            return root
        if child is None and not new.pairs:
            return root
        return with_value(root, head, new, at)
    new_value = update(child)
    if new_value is child:
        return root
    return with_value(root, head, new_value, at)


def merge_pairs(mapping: MappingNode | None, additions: list[tuple[ScalarNode, Node]], at: Span) -> MappingNode:
    """`mapping` (or a new one at `at`) with each addition set, in order."""
    result = mapping if mapping is not None else MappingNode([], at)
    for key, value in additions:
        current = result.get(key.text)
        if isinstance(current, ScalarNode) and isinstance(value, ScalarNode) and current.text == value.text:
            continue
        result = with_value(result, key.text, value, key.span)
    return result


def scalar(value: str | int | bool, at: Span) -> ScalarNode:
    return ScalarNode(value, at)


def map_items(sequence: SequenceNode, change: Callable[[Node], Node]) -> SequenceNode:
    """`sequence` with each item passed through `change` (itself when nothing changed)."""
    items = [change(item) for item in sequence.items]
    if all(new is old for new, old in zip(items, sequence.items)):
        return sequence
    return SequenceNode(items, sequence.span, sequence.tag)
