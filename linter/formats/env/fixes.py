"""env fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.fix import Fixer, TextEdit
from linter.core.model import LineIndex
from linter.core.subject import Subject
from linter.formats.env.selectors import EnvBinding

# What may precede a key on its line (`export KEY=...`).
_LINE_HEAD = re.compile(r"[ \t]*(export[ \t]+)?")


def drop_earlier_duplicate(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """ENV201 on a key set again: remove the line(s) of the occurrence before
    it, so each finding removes one and the last value, the one loaders keep,
    stays where it is. Comments on other lines stay."""
    binding = subject.data
    if not isinstance(binding, EnvBinding) or binding.occurrence < 2:
        return []
    if binding.previous is None:
        return []
    key, value = binding.previous
    index = lines.get(key.span.file)
    if index is None:
        return []
    text = index.text
    start = index.starts[key.span.line - 1]
    if not _LINE_HEAD.fullmatch(text[start : start + key.span.column - 1]):
        return []
    last_line = max(value.span.end_line, key.span.line)
    if last_line < len(index.starts):
        end_line, end_column = last_line + 1, 1
    else:  # the file's last line, without a line break
        end_line, end_column = index.position(len(text))
    return [TextEdit(key.span.file, key.span.line, 1, end_line, end_column, "", hidden=(value.span,))]


@dataclass(frozen=True, slots=True)
class QuietParams:
    level: str = "INFO"  # what a debug log level becomes


# A debug flag's value turned off, in the words it was written with.
_OFF = {"true": "false", "1": "0", "yes": "no", "on": "off"}


def _same_case(word: str, like: str) -> str:
    if like.islower():
        return word.lower()
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


def quiet_debug(subject: Subject, violation: Violation, params: QuietParams, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """ENV105: a debug log level set to `level`, a debug flag turned off
    (`true` -> `false`, `1` -> `0`), in the case it was written in, inside
    its quotes. A flag is told from a level by its value: the rule's truthy
    words and debug levels do not overlap."""
    binding = subject.data
    if not isinstance(binding, EnvBinding):
        return []
    s = violation.span
    index = lines.get(s.file)
    start = index.offset(s.line, s.column) if index is not None else None
    if index is None or start is None or s.line != s.end_line:
        return []
    written = index.text[start : start + s.end_column - s.column]
    if written.strip() != binding.value.text.strip() or not written.strip():
        return []
    value = written.strip()
    off = _OFF.get(value.lower())
    new = _same_case(off if off is not None else params.level, value)
    begin = start + written.index(value)
    (line, column), (end_line, end_column) = index.position(begin), index.position(begin + len(value))
    return [TextEdit(s.file, line, column, end_line, end_column, new)]


FIXERS: dict[str, Fixer] = {
    "drop-earlier-duplicate": Fixer(drop_earlier_duplicate),
    "quiet-debug": Fixer(quiet_debug, QuietParams),
}
