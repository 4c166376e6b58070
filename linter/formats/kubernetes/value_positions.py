"""Positions inside a scalar's value, mapped back to the file.

A ConfigMap value may hold a whole file (`application.yaml: |`); a finding
about a line of that file should point at that line of the manifest. A
literal block scalar keeps the embedded text line for line, each line shifted
by the block's indentation, so positions map exactly. So does a single-line
plain or quoted value written without escapes. Anything else (folded blocks,
escapes, multi-line flow scalars) maps to the value's own start: near, never
wrong. Every exact mapping is checked against the file's text, so a value the
parser decoded differently from how it reads falls back too.
"""

from __future__ import annotations

from dataclasses import dataclass

from linter.core.model import ScalarNode, SourceFile, Span


@dataclass(frozen=True, slots=True)
class ValuePositions:
    """Where each line of a value starts in the file."""

    value: Span  # the value as a whole: the fallback
    # Per line of the value (1-based index - 1): its file line and the file
    # column of its first character. Empty when offsets cannot be exact.
    lines: tuple[tuple[int, int], ...] = ()

    @property
    def exact(self) -> bool:
        return bool(self.lines)

    def span(self, line: int, column: int, width: int = 1) -> Span:
        """The file span of `width` characters at a 1-based position in the value."""
        if not 1 <= line <= len(self.lines):
            return self.value
        file_line, first_column = self.lines[line - 1]
        return Span.point(self.value.file, file_line, first_column + column - 1, width)


def value_positions(node: ScalarNode, source: SourceFile) -> ValuePositions:
    """How positions in `node`'s text map to `source` (the file it was parsed from)."""
    span = node.span
    index = source.line_index
    start = index.offset(span.line, span.column)
    text = node.text
    if start is None or start >= len(source.text):
        return ValuePositions(span)
    indicator = source.text[start]
    if indicator == "|":
        return ValuePositions(span, _literal_block_lines(text, span.line, source))
    if indicator in "'\"":
        first_column = span.column + 1
        raw = source.text[start + 1 : start + 1 + len(text)]
    elif indicator == ">":
        return ValuePositions(span)
    else:
        first_column = span.column
        raw = source.text[start : start + len(text)]
    if "\n" in text or "\r" in text or raw != text:
        return ValuePositions(span)
    return ValuePositions(span, ((span.line, first_column),))


def _literal_block_lines(text: str, header_line: int, source: SourceFile) -> tuple[tuple[int, int], ...]:
    """A literal block's content starts on the line after its `|` header;
    each content line ends its file line (the indentation comes before it)."""
    index = source.line_index
    lines: list[tuple[int, int]] = []
    for number, content in enumerate(text.split("\n"), start=1):
        file_line = header_line + number
        begin = index.offset(file_line, 1)
        if begin is None or begin > len(source.text):
            if content:
                return ()
            lines.append((file_line, 1))
            continue
        written = source.text[begin : index.line_end(begin)]
        if not written.endswith(content):
            return ()
        lines.append((file_line, len(written) - len(content) + 1))
    return tuple(lines)


def in_place(node: ScalarNode, source: SourceFile) -> SourceFile | None:
    """The value's text laid out at its own lines and columns of `source`,
    every other character blank: a parser of the embedded format then reports
    positions in the manifest itself. None unless the value maps exactly (a
    literal block, or a one-line value written without escapes)."""
    positions = value_positions(node, source)
    if not positions.exact:
        return None
    out = [""] * positions.lines[-1][0]
    for (file_line, column), content in zip(positions.lines, node.text.split("\n")):
        out[file_line - 1] = " " * (column - 1) + content
    text = "\n".join(out) + "\n"
    # An XML declaration must open its document: the text is decoded already,
    # so it is blanked rather than moved.
    stripped = text.lstrip()
    if stripped.startswith("<?xml"):
        start = len(text) - len(stripped)
        end = text.find("?>", start)
        if end != -1:
            text = text[:start] + " " * (end + 2 - start) + text[end + 2 :]
    return SourceFile(source.path, source.abspath, text)
