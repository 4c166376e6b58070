"""nginx fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`.

Edits touch one directive's arguments, or add one directive on a line of its
own; every other byte of the file (comments, indentation, quoting) stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.fix import Fixer, TextEdit, line_break
from linter.core.model import LineIndex, Span
from linter.core.subject import Subject
from linter.formats.nginx.checks import SECURITY_HEADERS
from linter.formats.nginx.selectors import DirectiveGroup, MissingSetting

_INDENT_STEP = 4


def always_on_header(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """NGX107: `always` after a security header's value, so error responses send it too."""
    data = subject.data
    if not isinstance(data, DirectiveGroup):
        return []
    d = data.directive
    if d.name != "add_header" or len(d.args) != 2 or d.arg(0).lower() not in SECURITY_HEADERS:
        return []
    end = d.args[1].span
    return [TextEdit.insert(end.file, end.end_line, end.end_column, " always")]


@dataclass(frozen=True, slots=True)
class SetDirectiveParams:
    value: str = ""  # the arguments to write, as written (`off`, `TLSv1.2 TLSv1.3`)


def set_directive(subject: Subject, violation: Violation, params: SetDirectiveParams, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """A `settings` finding: the directive's arguments replaced by `value`
    where it is written, or, where none is in effect, the directive added
    beside the place the finding points at (first in the `http {` block, or
    on the line after a TLS `listen`)."""
    data = subject.data
    if isinstance(data, DirectiveGroup):
        args = data.directive.args
        if not args or not params.value:
            return []
        first, last = args[0].span, args[-1].span
        return [TextEdit(first.file, first.line, first.column, last.end_line, last.end_column, params.value)]
    if isinstance(data, MissingSetting) and params.value:
        index = lines.get(data.anchor.file)
        return beside(data.anchor, f"{data.name} {params.value};", index) if index is not None else []
    return []


def beside(head: Span, directive: str, index: LineIndex) -> list[TextEdit]:
    """`directive` on a new line after the line of `head`: one step deeper
    when that line opens a block (`http {`), at its indentation when it ends a
    simple directive (`listen 443 ssl;`); none when the line is anything else
    (two directives, a brace elsewhere)."""
    text = index.text
    start = index.starts[head.line - 1]
    end = index.line_end(start)
    code = text[start:end].split("#", 1)[0].rstrip()
    if code.count("{") + code.count("}") + code.count(";") != 1:
        return []
    if code.endswith("{"):
        indent = " " * (head.column - 1 + _INDENT_STEP)
    elif code.endswith(";"):
        indent = text[start : start + head.column - 1]
        if indent.strip():
            return []
    else:
        return []
    newline = line_break(index)
    line_no, column = index.position(end)
    return [TextEdit.insert(head.file, line_no, column, f"{newline}{indent}{directive}")]


_MAX_AGE_DIGITS = re.compile(r"(?i)(?<![\w-])max-age\s*=\s*(\d+)")


def raise_hsts_max_age(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """NGX104: the written max-age raised to the check's minimum, in place
    (quotes and the other directives of the value stay); none when it is
    missing, or written more than once."""
    s = violation.span
    written, minimum = violation.vars.get("max_age"), violation.vars.get("min_max_age")
    index = lines.get(s.file)
    if index is None or s.line != s.end_line or not isinstance(minimum, int) or not str(written).isdigit():
        return []
    start = index.offset(s.line, s.column)
    if start is None:
        return []
    raw = index.text[start : start + s.end_column - s.column]
    found = list(_MAX_AGE_DIGITS.finditer(raw))
    if len(found) != 1 or found[0].group(1) != written:
        return []
    begin, end = found[0].span(1)
    return [TextEdit(s.file, s.line, s.column + begin, s.line, s.column + end, str(minimum))]


FIXERS: dict[str, Fixer] = {
    "always-on-header": Fixer(always_on_header),
    "set-directive": Fixer(set_directive, SetDirectiveParams),
    "raise-hsts-max-age": Fixer(raise_hsts_max_age),
}
