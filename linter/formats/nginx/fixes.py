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
from linter.formats.nginx.checks import SECURITY_HEADERS, dropped_headers
from linter.formats.nginx.effective import Block, headers_of, is_tls_listen, listens
from linter.formats.nginx.selectors import BlockGroup, DirectiveGroup, MissingSetting
from linter.formats.nginx.syntax import Directive
from linter.formats.nginx.variables import variables_in

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


def _written(d: Directive, index: LineIndex) -> tuple[int, int] | None:
    """The offsets of a simple directive's text, name to `;`, when it sits on
    one line of its own."""
    if d.end is None or d.block is not None or d.end.line != d.span.line:
        return None
    start, end = index.offset(d.span.line, d.span.column), index.offset(d.end.line, d.end.end_column)
    if start is None or end is None:
        return None
    text = index.text
    line_start = index.starts[d.span.line - 1]
    rest = text[end : index.line_end(end)].strip()
    if text[line_start:start].strip() or (rest and not rest.startswith("#")):
        return None
    return start, end


def _drop_line(d: Directive, index: LineIndex) -> TextEdit | None:
    """Remove a directive alone on its line, the line with it (and a comment
    after it, which was about it)."""
    if _written(d, index) is None:
        return None
    line = d.span.line
    if line < len(index.starts):
        return TextEdit(d.span.file, line, 1, line + 1, 1, "")
    if line == 1:
        return None  # the file's only line: removing it leaves nothing to parse
    # The last line, without a break: remove the break before it too.
    end_line, end_column = index.position(len(index.text))
    prev_line, prev_column = index.position(index.line_end(index.starts[line - 2]))
    return TextEdit(d.span.file, prev_line, prev_column, end_line, end_column, "")


def drop_ssl_on(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """NGX205's `ssl on;` in a server: `ssl` added to each of its `listen`s
    that lacks it and the directive's line removed, which is what `ssl on`
    meant (every listener speaks TLS). Not in http (it would be every server's
    listens), nor where a listen is in another file than the directive."""
    data = subject.data
    if not isinstance(data, DirectiveGroup) or data.directive.name != "ssl" or data.directive.arg(0) != "on":
        return []
    d = data.directive
    index = lines.get(d.span.file)
    servers = data.blocks
    if index is None or not servers or any(b.kind != "server" or not listens(b) for b in servers):
        return []  # (a server without listen listens on :80, which `ssl on` made TLS)
    plain = {id(x): x for server in servers for x in listens(server) if not is_tls_listen(x)}
    if any(x.span.file != d.span.file or not x.args for x in plain.values()):
        return []
    dropped = _drop_line(d, index)
    if dropped is None:
        return []
    ends = [x.args[-1].span for x in plain.values()]
    return [dropped, *(TextEdit.insert(e.file, e.end_line, e.end_column, " ssl") for e in ends)]


def move_http2(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """NGX205's `listen ... http2`: the parameter removed, and `http2 on;`
    written once per server, beside its first such listen (a second one is a
    configuration error), unless the server has it already."""
    data = subject.data
    if not isinstance(data, DirectiveGroup) or data.directive.name != "listen" or len(data.blocks) != 1:
        return []
    d, server = data.directive, data.blocks[0]
    index = lines.get(d.span.file)
    arg = next((a for a in d.args[1:] if a.value == "http2" and a.span == violation.span), None)
    if index is None or server.kind != "server" or arg is None or _written(d, index) is None:
        return []
    start = index.offset(arg.span.line, arg.span.column)
    if start is None:
        return []
    gap = len(index.text[:start]) - len(index.text[:start].rstrip(" \t"))
    removal = TextEdit(arg.span.file, arg.span.line, arg.span.column - gap, arg.span.end_line, arg.span.end_column, "")
    http2_listens = [x for x in listens(server) if "http2" in x.values[1:]]
    if server.has("http2") or not http2_listens or http2_listens[0] is not d:
        return [removal]
    added = beside(d.span, "http2 on;", index)
    return [removal, *added] if added else []


def modern_tls_syntax(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """NGX205: `ssl on;` or `listen ... http2`, each rewritten as today's nginx writes it."""
    data = subject.data
    if isinstance(data, DirectiveGroup) and data.directive.name == "listen":
        return move_http2(subject, violation, params, lines)
    return drop_ssl_on(subject, violation, params, lines)


def host_from_server(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """NGX402: a Host value that is one client-set variable (`$http_host`,
    `"${http_host}"`) replaced by `$host`; a value that builds more (a port
    after it) is for a person."""
    data = subject.data
    if not isinstance(data, DirectiveGroup) or len(data.directive.args) < 2:
        return []
    arg = data.directive.args[1]
    names = variables_in(arg.value)
    if len(names) != 1 or arg.value.strip("${}").lower() != names[0]:
        return []
    s = arg.span
    return [TextEdit(s.file, s.line, s.column, s.end_line, s.end_column, "$host")]


def repeat_inherited_headers(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """NGX106: the security headers the level above sets, as written there,
    added after the level's own last add_header at its indentation. Only when
    every instance of the level loses the same headers and each is one line."""
    data = subject.data
    lost_names = {n.strip().lower() for n in str(violation.vars.get("lost", "")).split(",")}
    if not isinstance(data, BlockGroup) or not lost_names:
        return []
    texts: set[tuple[str, ...]] = set()
    target: Block | None = None
    for block in data.blocks:
        lost = [h for h in dropped_headers(block) if h.key in lost_names]
        if not lost:
            continue
        written = []
        for header in dict((h.key, h) for h in lost).values():
            index = lines.get(header.directive.span.file)
            where = _written(header.directive, index) if index is not None else None
            if index is None or where is None:
                return []
            written.append(index.text[where[0] : where[1]])
        texts.add(tuple(written))
        target = target or block
    if target is None or len(texts) != 1:
        return []
    last = headers_of(target)[-1].directive
    index = lines.get(last.span.file)
    own_file = target.directive is not None and target.directive.span.file == last.span.file
    if index is None or not own_file or _written(last, index) is None:  # (not into a shared include)
        return []
    indent = index.text[index.starts[last.span.line - 1] : index.offset(last.span.line, last.span.column)]
    newline = line_break(index)
    end = index.line_end(index.starts[last.span.line - 1])
    line_no, column = index.position(end)
    added = "".join(f"{newline}{indent}{text}" for text in texts.pop())
    return [TextEdit.insert(last.span.file, line_no, column, added)]


FIXERS: dict[str, Fixer] = {
    "always-on-header": Fixer(always_on_header),
    "set-directive": Fixer(set_directive, SetDirectiveParams),
    "raise-hsts-max-age": Fixer(raise_hsts_max_age),
    "modern-tls-syntax": Fixer(modern_tls_syntax),
    "host-from-server": Fixer(host_from_server),
    "repeat-inherited-headers": Fixer(repeat_inherited_headers),
}
