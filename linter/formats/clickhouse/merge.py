"""Merging ClickHouse config overrides the way the server does.

The server (ConfigProcessor) merges `config.d/*` onto `config.xml` element by
element: an override element matches the first unmatched base sibling with the
same tag and the same attributes (ignoring replace/remove and substitution
attributes); `remove` drops the match, `replace` swaps it whole, otherwise the
two merge recursively (the override's attributes win, its text replaces the
base's text). Unmatched override elements are appended. Every element keeps
the span it was written at, so a merged value points into the file that set it.
Inputs are never modified: merged trees are built from copies.
"""

from __future__ import annotations

from dataclasses import replace as copy_of

from linter.formats.clickhouse.xml import XmlElement

SUBSTITUTION_ATTRIBUTES = ("incl", "from_zk", "from_env")
MERGE_ATTRIBUTES = ("replace", "remove")
ROOT_TAGS = ("clickhouse", "yandex")


def roots_compatible(base: str, override: str) -> bool:
    """`<clickhouse>` and `<yandex>` are interchangeable; anything else must match."""
    return base == override or (base in ROOT_TAGS and override in ROOT_TAGS)


def _identity(element: XmlElement) -> tuple[str, ...]:
    pairs = sorted(
        (a.name, a.value)
        for a in element.attributes.values()
        if a.name not in MERGE_ATTRIBUTES and a.name not in SUBSTITUTION_ATTRIBUTES
    )
    return (element.tag,) + tuple(x for pair in pairs for x in pair)


def _pasted(element: XmlElement) -> XmlElement:
    """An unmatched override element as the server pastes it: `remove`-marked
    descendants dropped, `replace` markers gone."""
    return copy_of(
        element,
        attributes={k: v for k, v in element.attributes.items() if k not in MERGE_ATTRIBUTES},
        children=[_pasted(c) for c in element.children if "remove" not in c.attributes],
    )


def is_override(element: XmlElement) -> bool:
    """Whether a file's tree says it is written to be merged onto another:
    some element below its root carries `remove` or `replace`."""
    stack = list(element.children)
    while stack:
        node = stack.pop()
        if any(name in node.attributes for name in MERGE_ATTRIBUTES):
            return True
        stack.extend(node.children)
    return False


def as_override(element: XmlElement) -> XmlElement:
    """An override read on its own, as merged onto an empty base: what it
    removes is gone, what it replaces or adds is there."""
    return merge(copy_of(element, attributes={}, children=[], text="", text_span=None), element)


def merge(base: XmlElement, override: XmlElement) -> XmlElement:
    """The element `base` becomes once `override` (same position) is merged in."""
    attributes = dict(base.attributes)
    if override.children or override.text:
        for name in SUBSTITUTION_ATTRIBUTES:
            attributes.pop(name, None)  # the override gives the value itself
    attributes.update((k, v) for k, v in override.attributes.items() if k not in MERGE_ATTRIBUTES)
    children = list(base.children)
    unmatched: dict[tuple[str, ...], list[int]] = {}
    for index, child in enumerate(children):
        unmatched.setdefault(_identity(child), []).append(index)
    removed: set[int] = set()
    appended: list[XmlElement] = []
    for child in override.children:
        remove = "remove" in child.attributes
        slots = unmatched.get(_identity(child))
        if slots:
            index = slots.pop(0)
            if remove:
                removed.add(index)
            elif "replace" in child.attributes:
                children[index] = _pasted(child)
            else:
                children[index] = merge(children[index], child)
        elif not remove:
            appended.append(_pasted(child))
    merged_children = [c for i, c in enumerate(children) if i not in removed] + appended
    # The server drops the base's text and keeps the override's (possibly none).
    return copy_of(
        base,
        attributes=attributes,
        children=merged_children,
        text=override.text,
        text_span=override.text_span,
    )
