"""env fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

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


FIXERS: dict[str, Fixer] = {
    "drop-earlier-duplicate": Fixer(drop_earlier_duplicate),
}
