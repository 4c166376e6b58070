"""Line-oriented configuration files (Redis, PostgreSQL): one directive per
line, a name and its arguments, each with its exact span.

A format's lexer turns each line into a `Line` (name and argument `Token`s);
`document` gives the positioned-model view every generic selector walks (the
same `{directive, args}` shape as nginx's), and `Positions` maps a lexer's
0-based offsets in a text to spans. A text can start anywhere in its file
(`line_offset`, `column_offset`): a config held in a YAML block scalar is the
scalar's dedented content, every line of which starts `column_offset` columns
in, so the same lexer gives true positions inside the YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span

_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def split_lines(text: str) -> list[str]:
    """The lines of a text, broken where `LineIndex` breaks them (a form
    feed or vertical tab is not a line end, as it is for `str.splitlines`)."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


@dataclass(frozen=True, slots=True)
class Token:
    """One word as the program reads it (quotes and escapes resolved)."""

    value: str
    span: Span
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """One directive: `name` (lower-cased where the program ignores case) and its arguments."""

    name: Token
    args: tuple[Token, ...]

    @property
    def key(self) -> str:
        return self.name.value

    @property
    def span(self) -> Span:
        last = self.args[-1].span if self.args else self.name.span
        first = self.name.span
        return Span(first.file, first.line, first.column, last.end_line, last.end_column)

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index].value if index < len(self.args) else default

    @property
    def values(self) -> list[str]:
        return [a.value for a in self.args]


@dataclass(frozen=True, slots=True)
class Positions:
    """Spans for a lexer that walks a text line by line (0-based line index,
    0-based column), shifted to where the text sits in its file."""

    file: str
    line_offset: int = 0  # lines of the file before the text
    column_offset: int = 0  # columns before each line of the text (a block scalar's indentation)

    def span(self, line: int, start: int, end: int) -> Span:
        row = line + 1 + self.line_offset
        return Span(self.file, row, start + 1 + self.column_offset, row, max(end, start + 1) + 1 + self.column_offset)


def line_node(line: Line) -> MappingNode:
    """The positioned-model view of one directive."""
    args = SequenceNode([ScalarNode(a.value, a.span) for a in line.args], line.span)
    pairs: list[tuple[ScalarNode, Node]] = [
        (ScalarNode("directive", line.name.span), ScalarNode(line.name.value, line.name.span)),
        (ScalarNode("args", line.name.span), args),
    ]
    return MappingNode(pairs, line.span)


def document(lines: list[Line], file: str, line_count: int) -> SequenceNode:
    return SequenceNode([line_node(line) for line in lines], Span(file, 1, 1, max(line_count, 1), 1))
