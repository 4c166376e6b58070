"""The positioned document model every parser produces.

A parsed file is a tree of three node kinds: `MappingNode`, `SequenceNode`,
`ScalarNode`. Every node carries a `Span` (file, 1-based line and column,
exclusive end column, columns counted in characters) so any finding can point
at the exact text the user wrote, whatever the source format.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Scalar = str | int | float | bool | None


@dataclass(slots=True, unsafe_hash=True)
class Span:
    """A region of one file: 1-based lines and columns, end column exclusive.

    Treat it as immutable (it is hashed). It is not a frozen dataclass only
    because the parsers build one per node, and a frozen dataclass is built
    five times slower (its __init__ goes through object.__setattr__)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int, width: int = 1) -> Span:
        return cls(file, line, column, line, column + max(width, 1))

    @classmethod
    def start(cls, file: str) -> Span:
        """The empty region before a file's first character: where a finding about
        the whole file points. It lies inside every file, an empty one too."""
        return cls(file, 1, 1, 1, 1)

    def first_line(self) -> Span:
        """The span cut to its first line (a header, not a whole block)."""
        if self.end_line == self.line:
            return self
        return Span(self.file, self.line, self.column, self.line, self.column + 1)


class Node:
    """Base of the tree. `key` is the key node when this node is a mapping value."""

    __slots__ = ("span", "key", "tag")

    def __init__(self, span: Span, tag: str | None = None) -> None:
        self.span = span
        self.key: ScalarNode | None = None
        self.tag = tag

    def to_python(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def anchor_span(self) -> Span:
        """Where a finding about this node as a whole should point: its key if it
        has one (``resources:``), otherwise the first line of the node."""
        if self.key is not None:
            return self.key.span
        return self.span.first_line()


class ScalarNode(Node):
    __slots__ = ("value",)

    def __init__(self, value: Scalar, span: Span, tag: str | None = None) -> None:
        # Node.__init__ inlined: scalars are most of a parsed tree.
        self.span = span
        self.key = None
        self.tag = tag
        self.value = value

    def to_python(self) -> Scalar:
        return self.value

    @property
    def text(self) -> str:
        """The value as a string, the way a YAML/XML/env reader would see it."""
        v = self.value
        if v is None:
            return ""
        if v is True:
            return "true"
        if v is False:
            return "false"
        return str(v)

    def __repr__(self) -> str:
        return f"ScalarNode({self.value!r} @{self.span.line}:{self.span.column})"


class SequenceNode(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node], span: Span, tag: str | None = None) -> None:
        self.span = span  # Node.__init__ inlined, as in ScalarNode
        self.key = None
        self.tag = tag
        self.items = items

    def to_python(self) -> list[Any]:
        return [item.to_python() for item in self.items]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"SequenceNode({len(self.items)} items @{self.span.line}:{self.span.column})"


class MappingNode(Node):
    """An ordered mapping. `pairs` keeps every pair as written (duplicates too);
    lookups see the last value for a key, like the consumers of these formats."""

    __slots__ = ("pairs", "_index")

    def __init__(self, pairs: list[tuple[ScalarNode, Node]], span: Span, tag: str | None = None) -> None:
        # Node.__init__ inlined, as in ScalarNode: one per mapping of every file.
        self.span = span
        self.key = None
        self.tag = tag
        self.pairs = pairs
        index: dict[str, Node] = {}
        for key, value in pairs:
            value.key = key
            index[key.text] = value
        self._index = index

    def get(self, key: str) -> Node | None:
        return self._index.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def keys(self) -> list[str]:
        return list(self._index)

    def items(self) -> Iterator[tuple[str, Node]]:
        return iter(self._index.items())

    def scalar(self, key: str) -> ScalarNode | None:
        node = self._index.get(key)
        return node if isinstance(node, ScalarNode) else None

    def text(self, key: str, default: str = "") -> str:
        node = self.scalar(key)
        return node.text if node is not None else default

    def mapping(self, key: str) -> MappingNode | None:
        node = self._index.get(key)
        return node if isinstance(node, MappingNode) else None

    def sequence(self, key: str) -> SequenceNode | None:
        node = self._index.get(key)
        return node if isinstance(node, SequenceNode) else None

    def path(self, *keys: str) -> Node | None:
        """Follow a chain of mapping keys; None as soon as one is missing."""
        node: Node | None = self
        for k in keys:
            if not isinstance(node, MappingNode):
                return None
            node = node._index.get(k)
        return node

    def to_python(self) -> dict[str, Any]:
        return {k: v.to_python() for k, v in self._index.items()}

    def __repr__(self) -> str:
        return f"MappingNode({list(self._index)} @{self.span.line}:{self.span.column})"


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, depth first, in document order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, MappingNode):
            stack.extend(value for _, value in reversed(current.pairs))
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.items))


def node_at(root: Node, path: list[str | int]) -> Node:
    """The deepest existing node along a JSON-style path (as jsonschema reports)."""
    node = root
    for step in path:
        if isinstance(node, MappingNode) and isinstance(step, str) and step in node:
            node = node.get(step)  # type: ignore[assignment]
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.items):
            node = node.items[step]
        else:
            break
    return node


@dataclass(slots=True)
class ParseProblem:
    """Something a parser could not accept. Becomes a DL-rule finding."""

    rule_id: str  # DL001 parse-error, DL003 include-unresolved, DL004 duplicate-key, ...
    message: str
    span: Span
    logical: str = ""  # stable identity for fingerprints (e.g. the duplicated key)


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


class LineIndex:
    """Offsets in a text to 1-based (line, column) and back, lines ending at
    `\r\n`, `\n` or `\r` (as the YAML and dotenv parsers count them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def offset(self, line: int, column: int) -> int | None:
        """The offset of a 1-based position; None past the last line."""
        return self.starts[line - 1] + column - 1 if line <= len(self.starts) else None

    def span(self, file: str, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(max(end, start))
        return Span(file, line, column, end_line, end_column)

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line that holds `offset`."""
        m = _LINE_BREAK.search(self.text, offset)
        return m.start() if m else len(self.text)

    @property
    def line_count(self) -> int:
        """Lines as an editor numbers them: a final line break opens no new line,
        and an empty text is one empty line."""
        starts = self.starts
        return len(starts) - 1 if len(starts) > 1 and starts[-1] == len(self.text) else len(starts)

    def line_length(self, line: int) -> int:
        """Characters of a 1-based line, its line break excluded."""
        start = self.starts[line - 1]
        return self.line_end(start) - start

    def fit(self, span: Span) -> Span:
        """`span` moved inside this text, where editors and SARIF viewers can show it.

        A span must lie inside its file: 1 <= line <= end line <= line_count,
        columns within their line (the end column is exclusive, so at most one
        past the line's last character), start <= end. A parser's position past
        the last line (an unexpected end of file) is put on the last line, and a
        start past its line's last character on that character, so the finding
        highlights text; on an empty line it is the empty region at column 1."""
        count = self.line_count
        line, column = self._inside(span.line, span.column, count)
        end_line, end_column = self._inside(span.end_line, span.end_column, count)
        length = self.line_length(line)
        column = min(column, max(length, 1))
        end_column = min(end_column, self.line_length(end_line) + 1)
        if (end_line, end_column) < (line, column):
            end_line, end_column = line, min(column + 1, length + 1)
        if (line, column, end_line, end_column) == (span.line, span.column, span.end_line, span.end_column):
            return span
        return Span(span.file, line, column, end_line, end_column)

    @staticmethod
    def _inside(line: int, column: int, count: int) -> tuple[int, int]:
        if line > count:  # past the end: at the end of the last line
            return count, 1 << 62
        return max(line, 1), max(column, 1)


@dataclass(slots=True)
class SourceFile:
    """A file read from disk (or stdin), decoded, with its display path."""

    path: str  # relative to the scan root, '/'-separated: the path users see
    abspath: str
    text: str
    # The name it is read as, when not its path's: a file held in a manifest
    # (`config.xml` in a ConfigMap) shares the manifest's path.
    held_as: str = ""

    _lines: list[str] | None = field(default=None, repr=False)
    _line_index: LineIndex | None = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    @property
    def line_index(self) -> LineIndex:
        if self._line_index is None:
            self._line_index = LineIndex(self.text)
        return self._line_index


@dataclass(slots=True)
class ParsedFile:
    """What a parser returns for one file: its documents and its problems."""

    source: SourceFile
    format: str
    documents: list[Node] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    # Format-specific extras (nginx directives tree, env roles, ...).
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.source.path
