"""Mapping a rendered template back to what wrote it, node by node.

A rendered line is matched to the template line it came from: the same text
after trimming (a literal line), or the pattern of a line mixing text and
actions. A value printed by a plain `{{ .Values.x.y }}` points at `x.y` in
the values file that set it, and a block `toYaml .Values.x` at the keys and
values of `x` there; another printed value, at the action that
printed it; a line no template line matches (the output of `toYaml`,
`include`), at the action line that printed it; else at line 1.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span, walk
from linter.formats.kubernetes.helm.template_lines import Part, TemplateLine

_QUOTES = "\"' "


# The node a values path names, in the values file that set it last.
ValuesLookup = Callable[[tuple[str, ...]], Node | None]


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where one rendered line came from."""

    line: TemplateLine | None  # None: no template line known (line 1)
    match: tuple[tuple[int, int], ...] = ()  # rendered (start, end) of each part, stripped coordinates
    indent: int = 0  # of the rendered line
    printed_by: Part | None = None  # an unmatched line: the action that printed it


@dataclass
class Provenance:
    template: str  # display path of the template file
    lines: list[TemplateLine]
    values: ValuesLookup | None  # None: `.Values` is not the chart's own (a dependency)

    def remap(self, rendered: str, documents: list[Node]) -> None:
        """Move every node's span (and every key's) from the rendered text to
        where it was written."""
        origins = self._origins(rendered.split("\n"))
        blocks = [found for document in documents for found in self._blocks(document, origins)]
        blocks += [found for document in documents for found in self._scalar_blocks(document, origins)]
        for document in documents:
            for node in walk(document):
                node.span = self._span(node, origins)
                if isinstance(node, MappingNode):
                    for key, _ in node.pairs:
                        key.span = self._span(key, origins)
        for node, source in blocks:
            _take_spans(node, source)

    def _blocks(self, document: Node, origins: list[_Origin]) -> list[tuple[Node, Node]]:
        """Collections a `toYaml .Values.x` printed whole, with the values
        subtree they print (found before spans move: by rendered line)."""
        if self.values is None:
            return []
        found: list[tuple[Node, Node]] = []
        for node in walk(document):
            children = [v for _, v in node.pairs] if isinstance(node, MappingNode) else node.items if isinstance(node, SequenceNode) else []
            if not children:
                continue
            first = node.pairs[0][0] if isinstance(node, MappingNode) else children[0]
            origin = origins[first.span.line - 1] if 0 < first.span.line <= len(origins) else None
            printer = origin.printed_by if origin is not None else None
            path = printer.block_path if printer is not None else None
            parent = node.key.span.line if node.key is not None else 0
            if path is None or (0 < parent <= len(origins) and origins[parent - 1] is not None
                                and origins[parent - 1].printed_by is printer):
                continue
            source = self.values(path)
            if source is not None and not any(node is n for n, _ in found) and not _inside(node, found):
                found.append((node, source))
        return found

    def _scalar_blocks(self, document: Node, origins: list[_Origin]) -> list[tuple[Node, Node]]:
        """Block scalars whose every line one `.Values.x | nindent N` printed,
        with the values string they print when it is that very text: a config
        kept in values.yaml (`redis.conf: |` over `{{ .Values.redisConf |
        nindent 4 }}`) then points at its own lines there."""
        if self.values is None:
            return []
        found: list[tuple[Node, Node]] = []
        for node in walk(document):
            span = node.span
            if not isinstance(node, ScalarNode) or span.end_line <= span.line + 1:
                continue
            printers = {id(origin.printed_by) if origin.printed_by is not None else None
                        for origin in origins[span.line:span.end_line - 1] if origin is not None}
            first = origins[span.line] if span.line < len(origins) else None
            part = first.printed_by if first is not None else None
            path = part.scalar_path if part is not None else None
            if path is None or printers != {id(part)}:
                continue
            source = self.values(path)
            if isinstance(source, ScalarNode) and source.text == node.text:
                found.append((node, source))
        return found

    def point(self, rendered: str, line: int, column: int) -> Span:
        """A rendered position (a YAML error in the output) in the template."""
        origins = self._origins(rendered.split("\n"))
        line_no, col, _ = self._place(origins, line, column - 1)
        return Span.point(self.template, line_no, col + 1)

    # --- lines ------------------------------------------------------------------

    def _origins(self, rendered: list[str]) -> list[_Origin]:
        literal: dict[str, list[int]] = {}
        for index, line in enumerate(self.lines):
            if line.literal:
                literal.setdefault(line.literal, []).append(index)
        patterned = [i for i, line in enumerate(self.lines) if line.pattern is not None]
        found: list[_Origin | None] = []
        last = -1
        for text in rendered:
            stripped = text.strip()
            if not stripped or stripped == "---" or stripped.startswith("#"):
                found.append(None)
                continue
            indent = len(text) - len(text.lstrip(" "))
            # The first candidate after the last match (a loop goes back: then the first one).
            candidates = sorted([*literal.get(stripped, ()), *(i for i in patterned if _could_match(self.lines[i], stripped))])
            origin = None
            for index in [*candidates[bisect.bisect_right(candidates, last):], *candidates]:
                origin = _matches(self.lines[index], stripped, indent)
                if origin is not None:
                    last = index
                    break
            found.append(origin)
        return self._fill_printed(found)

    def _fill_printed(self, found: list[_Origin | None]) -> list[_Origin]:
        """Unmatched lines: the first printing action line between the matched
        lines around them."""
        out: list[_Origin] = []
        for index, origin in enumerate(found):
            if origin is not None:
                out.append(origin)
                continue
            before = next((o.line.number for o in reversed(out) if o.line is not None and o.printed_by is None), 0)
            after = next((o.line.number for o in found[index + 1:] if o is not None and o.line is not None), len(self.lines) + 1)
            printer = next((t for t in self.lines[before:after - 1] if t.prints), None)
            if printer is None and after <= before:  # a loop went back: look after the last match
                printer = next((t for t in self.lines[before:] if t.prints), None)
            out.append(_Origin(printer, printed_by=printer.parts[0] if printer else None))
        return out

    # --- nodes ------------------------------------------------------------------

    def _span(self, node: Node, origins: list[_Origin]) -> Span:
        span = node.span
        line, column, _ = self._place(origins, span.line, span.column - 1)
        if isinstance(node, ScalarNode) and span.end_line == span.line:
            traced = self._printed(origins, node)
            if traced is not None:
                return traced
            end_line, last, part = self._place(origins, span.line, max(span.end_column - 2, span.column - 1))
            end = part.end if part is not None and not part.literal else last + 1  # exclusive, 0-based
        else:
            end_line, end, _ = self._place(origins, span.end_line, max(span.end_column - 1, 0))
        if (end_line, end) <= (line, column):
            end_line, end = line, column + 1
        return Span(self.template, line, column + 1, end_line, end + 1)

    def _place(self, origins: list[_Origin], line: int, column: int) -> tuple[int, int, Part | None]:
        """(template line, 0-based column, the part printing it) of a rendered position."""
        origin = origins[line - 1] if 0 < line <= len(origins) else None
        if origin is None or origin.line is None:
            return 1, 0, None
        template = origin.line
        if origin.printed_by is not None:
            return template.number, origin.printed_by.start, origin.printed_by
        offset = column - origin.indent
        if template.literal is not None:
            return template.number, template.indent + max(offset, 0), None
        for part, (start, end) in zip(template.parts, origin.match, strict=True):
            if offset < end or (start == end and offset == start):
                if part.literal:
                    return template.number, part.start + max(offset - start, 0), part
                return template.number, part.start, part
        last = template.parts[-1]
        return template.number, last.end, last

    def _printed(self, origins: list[_Origin], node: ScalarNode) -> Span | None:
        """A scalar printed by one action alone: the values key it came from,
        or the action."""
        span = node.span
        origin = origins[span.line - 1] if 0 < span.line <= len(origins) else None
        if origin is None or origin.line is None or not origin.match:
            return None
        begin, finish = span.column - 1 - origin.indent, span.end_column - 1 - origin.indent
        covering = [(p, rendered) for p, rendered in zip(origin.line.parts, origin.match, strict=True)
                    if rendered[0] < finish and rendered[1] > begin]
        actions = [p for p, _ in covering if not p.literal]
        if len(actions) != 1 or any(p.literal and p.text.strip(_QUOTES) for p, _ in covering):
            return None
        action = actions[0]
        path = action.values_path
        source = self.values(path) if path is not None and self.values is not None else None
        if isinstance(source, ScalarNode) and source.text == node.text:  # else the render took it from elsewhere
            return source.span
        return Span(self.template, origin.line.number, action.start + 1, origin.line.number, action.end + 1)


def _inside(node: Node, found: list[tuple[Node, Node]]) -> bool:
    return any(node is inner for outer, _ in found for inner in walk(outer))


def _take_spans(rendered: Node, source: Node) -> None:
    """Give a printed subtree the spans of the values subtree it prints, where
    they agree (same keys, same items, same scalar text)."""
    if isinstance(rendered, MappingNode) and isinstance(source, MappingNode):
        keys = {key.text: key for key, _ in source.pairs}
        for key, value in rendered.pairs:
            origin = keys.get(key.text)
            if origin is not None:
                key.span = origin.span
                _take_spans(value, source.get(key.text))  # type: ignore[arg-type]
        rendered.span = source.span
    elif isinstance(rendered, SequenceNode) and isinstance(source, SequenceNode):
        for item, origin_item in zip(rendered.items, source.items, strict=False):
            _take_spans(item, origin_item)
        rendered.span = source.span
    elif isinstance(rendered, ScalarNode) and isinstance(source, ScalarNode) and rendered.text == source.text:
        rendered.span = source.span


def _could_match(template: TemplateLine, stripped: str) -> bool:
    """A cheap test before the pattern: the line's leading and trailing text."""
    first, last = template.parts[0], template.parts[-1]
    return (not first.literal or stripped.startswith(first.text)) and (not last.literal or stripped.endswith(last.text))


def _matches(template: TemplateLine, stripped: str, indent: int) -> _Origin | None:
    if template.literal is not None:
        return _Origin(template, indent=indent) if template.literal == stripped else None
    if template.pattern is None:
        return None
    found = template.pattern.fullmatch(stripped)
    if found is None:
        return None
    groups = tuple(found.span(g) for g in range(1, len(template.parts) + 1))
    return _Origin(template, groups, indent)
