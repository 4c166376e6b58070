"""A template file read line by line for provenance: which lines are literal
text, and, for a line mixing text and actions, a pattern its rendered form
matches (each part a group, so a rendered column maps back to the part that
printed it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
# Actions that print nothing: control structure, definitions, assignments, comments.
_SILENT = re.compile(r"^\{\{-?\s*(?:(?:if|else|end|range|with|define|break|continue)\b|/\*|\$\w*\s*:?=)")
# A plain value: `.Values.a.b`, optionally piped through quoting or a default,
# or `default X .Values.a.b`. Its output is the values file's text.
_VALUE = re.compile(
    r"^\{\{-?\s*(?:default\s+\S+\s+)?\$?\.Values((?:\.[A-Za-z_][\w-]*)+)"
    r"(?:\s*\|\s*(?:quote|squote|default\s+\S+|toString|trim|lower|upper))*\s*-?\}\}$"
)

# A block printed from values: `toYaml .Values.a.b` (or `.Values.a.b | toYaml`), indented.
_BLOCK = re.compile(
    r"^\{\{-?\s*(?:toYaml\s+\$?\.Values((?:\.[A-Za-z_][\w-]*)+)|\$?\.Values((?:\.[A-Za-z_][\w-]*)+)\s*\|\s*toYaml)"
    r"(?:\s*\|\s*n?indent\s+\d+)?\s*-?\}\}$"
)

# A string printed whole as a block scalar's lines (`key: |` above it): its
# output is the values file's text, re-indented line by line.
_SCALAR_BLOCK = re.compile(r"^\{\{-?\s*\$?\.Values((?:\.[A-Za-z_][\w-]*)+)\s*\|\s*n?indent\s+\d+\s*-?\}\}$")


@dataclass(frozen=True, slots=True)
class Part:
    literal: bool
    text: str  # a literal part stripped of surrounding whitespace; an action as written
    start: int  # 0-based column of `text` in the template line
    end: int

    @property
    def values_path(self) -> tuple[str, ...] | None:
        """The values key a plain `{{ .Values.x.y }}` prints, else None."""
        found = None if self.literal else _VALUE.match(self.text)
        return tuple(found[1].lstrip(".").split(".")) if found else None

    @property
    def scalar_path(self) -> tuple[str, ...] | None:
        """The values key whose string a `.Values.x.y | nindent N` prints as block lines, else None."""
        found = None if self.literal else _SCALAR_BLOCK.match(self.text)
        return tuple(found[1].lstrip(".").split(".")) if found else None

    @property
    def block_path(self) -> tuple[str, ...] | None:
        """The values key whose subtree a `toYaml .Values.x.y` prints, else None."""
        found = None if self.literal else _BLOCK.match(self.text)
        return tuple((found[1] or found[2]).lstrip(".").split(".")) if found else None


@dataclass(frozen=True, slots=True)
class TemplateLine:
    number: int  # 1-based
    indent: int
    literal: str | None  # the stripped text of a line without actions
    pattern: re.Pattern[str] | None  # for a line mixing text and actions
    parts: tuple[Part, ...]
    prints: bool  # a line of actions only, one of which prints (include, toYaml, ...)


def template_lines(text: str) -> list[TemplateLine]:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    actions = [(m.start(), m.end()) for m in _ACTION.finditer(text)]
    out = []
    cursor = 0
    for index, line in enumerate(lines):
        begin, end = starts[index], starts[index] + len(line)
        while cursor < len(actions) and actions[cursor][1] <= begin:
            cursor += 1
        spans = []
        probe = cursor
        while probe < len(actions) and actions[probe][0] < end:
            spans.append((max(actions[probe][0], begin) - begin, min(actions[probe][1], end) - begin))
            probe += 1
        out.append(_line(index + 1, line, spans))
    return out


def _line(number: int, line: str, spans: list[tuple[int, int]]) -> TemplateLine:
    indent = len(line) - len(line.lstrip(" "))
    if not spans:
        return TemplateLine(number, indent, line.strip(), None, (), False)
    parts: list[Part] = []
    position = 0
    for start, end in [*spans, (len(line), len(line))]:
        chunk = line[position:start]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            parts.append(Part(True, chunk.strip(), position + lead, position + lead + len(chunk.strip())))
        if start < end:
            parts.append(Part(False, line[start:end], start, end))
        position = end
    if not any(p.literal for p in parts):
        # Only actions: it prints when one of them is not control structure
        # (an action cut by a line break is never a whole one).
        prints = any(p.text.startswith("{{") and p.text.endswith("}}") and not _SILENT.match(p.text) for p in parts)
        return TemplateLine(number, indent, None, None, tuple(parts), prints)
    regex = r"\s*".join(f"({re.escape(p.text)})" if p.literal else "(.*?)" for p in parts)
    return TemplateLine(number, indent, None, re.compile(regex), tuple(parts), False)
