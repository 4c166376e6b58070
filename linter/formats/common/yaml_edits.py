"""Minimal text edits to YAML: set a key's scalar value, or add the key (and
the mappings leading to it), at the spans the model keeps.

Nothing is re-serialised, so every byte outside the edit stays. A new key is
written in the style of the mapping it joins: in a block mapping on its own
line, indented as its first key (after the first pair when that pair sits on
the line of a sequence dash, `- name: api`); in a flow mapping (`{a: 1}`) as
one more pair before the closing brace. A case these cannot write faithfully
(an alias or merge key, a mapping whose first key is not where a new line can
go, a null mapping) gets no edit: the finding stays for a person to fix.
"""

from __future__ import annotations

from linter.core.fix import TextEdit, line_break
from linter.core.model import LineIndex, MappingNode, Node, ScalarNode, SequenceNode, Span

_INDENT_STEP = 2


def set_scalar(mapping: MappingNode, path: tuple[str, ...], value: str, index: LineIndex) -> list[TextEdit]:
    """Edits that make `mapping[path[0]]...[path[-1]]` the YAML scalar `value`
    (as written, e.g. `false`); [] when it cannot be done faithfully."""
    node: MappingNode = mapping
    for depth, key in enumerate(path):
        child = node.get(key)
        if child is None:
            return _add_pair(node, path[depth:], value, index)
        if not _owned(child, node):
            return []  # an alias or a merged pair: editing it would change other places
        if depth == len(path) - 1:
            if isinstance(child, ScalarNode) and child.span.line == child.span.end_line:
                s = child.span
                return [TextEdit(s.file, s.line, s.column, s.end_line, s.end_column, value)]
            return []
        if not isinstance(child, MappingNode):
            return []  # `securityContext:` with no value, or a list: not ours to rewrite
        node = child
    return []


def prepend_item(sequence: SequenceNode, value: str, index: LineIndex) -> list[TextEdit]:
    """Edits that make the YAML scalar `value` the sequence's first item: in a
    flow sequence after `[`, in a block one on a line of its own above the
    first item, with the same dash and indentation."""
    text = index.text
    s = sequence.span
    start = index.offset(s.line, s.column)
    if start is None:
        return []
    if text.startswith("[", start):
        return [TextEdit.insert(s.file, s.line, s.column + 1, value + (", " if sequence.items else ""))]
    if not sequence.items:
        return []
    first = sequence.items[0].span
    line_start = index.starts[first.line - 1]
    dash = text[line_start : line_start + first.column - 1]
    if dash.strip() != "-":
        return []  # `- - x`, or an item not on its own dash line
    return [TextEdit.insert(s.file, first.line, 1, dash + value + line_break(index))]


def _owned(child: Node, parent: MappingNode) -> bool:
    """The node is written inside its parent, after its own key (not an alias
    to an anchor elsewhere, nor a pair a merge key brings in)."""
    key = child.key
    return key is not None and _within(key.span, parent.span) and _within(child.span, parent.span) and _before(key.span, child.span)


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _before(a: Span, b: Span) -> bool:
    return (a.line, a.column) <= (b.line, b.column)


def _add_pair(mapping: MappingNode, path: tuple[str, ...], value: str, index: LineIndex) -> list[TextEdit]:
    text = index.text
    start = index.offset(mapping.span.line, mapping.span.column)
    if start is None or not all(_owned(v, mapping) for _, v in mapping.pairs):
        return []
    if text.startswith("{", start):
        return _add_flow_pair(mapping, path, value)
    if not mapping.pairs:
        return []  # `key:` with nothing after it: a null, not a mapping we can extend
    return _add_block_pair(mapping, path, value, index)


def _add_flow_pair(mapping: MappingNode, path: tuple[str, ...], value: str) -> list[TextEdit]:
    pair = f"{path[-1]}: {value}"
    for key in reversed(path[:-1]):
        pair = f"{key}: {{{pair}}}"
    if not mapping.pairs:  # `{}`
        s = mapping.span
        return [TextEdit.insert(s.file, s.line, s.column + 1, pair)]
    last = mapping.pairs[-1][1].span
    return [TextEdit.insert(last.file, last.end_line, last.end_column, f", {pair}")]


def _add_block_pair(mapping: MappingNode, path: tuple[str, ...], value: str, index: LineIndex) -> list[TextEdit]:
    text = index.text
    first_key, first_value = mapping.pairs[0]
    k = first_key.span
    line_start = index.starts[k.line - 1]
    before = text[line_start : line_start + k.column - 1]
    indent = " " * (k.column - 1)
    newline = line_break(index)
    lines = [f"{indent}{' ' * _INDENT_STEP * depth}{key}:" for depth, key in enumerate(path[:-1])]
    lines.append(f"{indent}{' ' * _INDENT_STEP * (len(path) - 1)}{path[-1]}: {value}")
    block = newline.join(lines)
    if not before.strip():
        return [TextEdit.insert(k.file, k.line, 1, block + newline)]
    # `- name: api`: the new pair goes on the next line, after the first pair.
    on_dash_line = not before.replace("-", " ").strip()
    v = first_value.span
    if on_dash_line and isinstance(first_value, ScalarNode) and v.line == v.end_line == k.line:
        end = index.line_end(index.starts[k.line - 1])
        line, column = index.position(end)
        return [TextEdit.insert(k.file, line, column, newline + block)]
    return []
