"""nginx fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`.

Edits touch one directive's arguments, or add one directive on a line of its
own; every other byte of the file (comments, indentation, quoting) stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from linter.core.check import Violation
from linter.core.fix import Fixer, TextEdit
from linter.core.model import LineIndex, Span
from linter.core.subject import Subject
from linter.formats.nginx.checks import SECURITY_HEADERS
from linter.formats.nginx.selectors import DirectiveGroup, MissingSetting

_INDENT_STEP = 4


def always_on_header(subject: Subject, violation: Violation, params: None, texts: Mapping[str, str]) -> Iterable[TextEdit]:
    """NGX107: `always` after a security header's value, so error responses send it too."""
    data = subject.data
    if not isinstance(data, DirectiveGroup):
        return []
    d = data.directive
    if d.name != "add_header" or len(d.args) != 2 or d.arg(0).lower() not in SECURITY_HEADERS:
        return []
    end = d.args[1].span
    return [TextEdit.insert(end.file, end.end_line, end.end_column, " always")]


def server_tokens_off(subject: Subject, violation: Violation, params: None, texts: Mapping[str, str]) -> Iterable[TextEdit]:
    """NGX301: `server_tokens off;`, in place of the value written, or as the
    first directive of the block the finding points at (http, else the server)."""
    data = subject.data
    if isinstance(data, DirectiveGroup):
        args = data.directive.args
        if len(args) != 1:
            return []
        s = args[0].span
        return [TextEdit(s.file, s.line, s.column, s.end_line, s.end_column, "off")]
    if isinstance(data, MissingSetting):
        text = texts.get(data.anchor.file)
        return first_in_block(data.anchor, "server_tokens off;", text) if text is not None else []
    return []


def first_in_block(head: Span, directive: str, text: str) -> list[TextEdit]:
    """`directive` on a new line right after a block's opening line (`http {`),
    one step deeper than the block's head; none when the brace is not at the
    end of that line (a comment aside)."""
    index = LineIndex(text)
    start = index.starts[head.line - 1]
    end = index.line_end(start)
    line = text[start:end]
    code = line.split("#", 1)[0].rstrip()
    if not code.endswith("{") or code.count("{") != 1:
        return []
    newline = "\r\n" if "\r\n" in text else "\n"
    indent = " " * (head.column - 1 + _INDENT_STEP)
    line_no, column = index.position(end)
    return [TextEdit.insert(head.file, line_no, column, f"{newline}{indent}{directive}")]


FIXERS: dict[str, Fixer] = {
    "always-on-header": Fixer(always_on_header),
    "server-tokens-off": Fixer(server_tokens_off),
}
