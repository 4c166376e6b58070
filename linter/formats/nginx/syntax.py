"""nginx configuration syntax: a lexer and parser that keep exact positions.

It follows nginx's own tokenizer (`ngx_conf_read_token`): quotes open only at
the start of a word and close before a space, `;`, `{` or `)` (a `)` starts
the next word), `#` starts a comment only at the start of a word, `}` is
literal inside a word, `${var}` braces belong to the word, backslash escapes
`\\" \\' \\\\ \\t \\r \\n`. `*_by_lua_block { ... }` bodies are Lua, read raw.
Directives are not validated against a table: third-party modules parse like
core ones. The first syntax error stops the file and is reported once; the
error carries the directives written before it (`NginxSyntaxError.partial`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from linter.core.model import LineIndex, Span
from linter.formats.common.secrets import shown_token

_SPACE = " \t\r\n\f\v"
_LINE_BREAKS = re.compile(r"\n|\r(?!\n)")  # as Lexer._breaks_line
_WORD = re.compile(r"[A-Za-z0-9_]+")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}

# Blocks whose body is a table (map entries, MIME types), not directives: the
# missing-';' heuristic below does not apply inside them.
TABLE_BLOCKS = frozenset({"map", "types", "geo", "split_clients", "charset_map", "match", "upstream"})

# Names a line can start with in practice; used only to explain a missing ';'
# (the next line's directive read as an argument of the previous one).
COMMON_DIRECTIVES = frozenset(
    """
    access_log add_header add_header_inherit alias allow auth_basic auth_basic_user_file auth_request autoindex
    charset client_body_buffer_size client_body_timeout client_header_timeout client_max_body_size default_type deny
    error_log error_page etag expires fastcgi_param fastcgi_pass gzip gzip_types http2 if include index internal
    keepalive_timeout limit_conn limit_conn_zone limit_req limit_req_zone listen location log_format map
    proxy_buffering proxy_cache proxy_connect_timeout proxy_http_version proxy_pass proxy_read_timeout proxy_redirect
    proxy_send_timeout proxy_set_header real_ip_header resolver return rewrite root sendfile server server_name
    server_tokens set ssl ssl_certificate ssl_certificate_key ssl_ciphers ssl_prefer_server_ciphers ssl_protocols
    ssl_session_cache ssl_session_tickets ssl_session_timeout ssl_stapling try_files upstream uwsgi_pass
    worker_connections worker_processes grpc_pass
    """.split()  # noqa: SIM905 - a word list reads better than 90 quoted strings
)


class NginxSyntaxError(Exception):
    """A syntax error at one position; the parser reports the first one only.
    `partial` holds what was written before it: every directive that ends
    before the error, and the blocks open there marked `truncated`."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.partial: list[Directive] = []


@dataclass(slots=True)
class Arg:
    """One argument as nginx sees it (quotes removed, escapes applied) and where it was written."""

    value: str
    span: Span
    quoted: bool = False


@dataclass(slots=True, eq=False)
class Directive:
    """`name args... ;` or `name args... { block }`; `span` covers the name."""

    name: str
    span: Span
    args: list[Arg] = field(default_factory=list)
    block: list[Directive] | None = None
    end: Span | None = None  # the closing ';' or '}'
    truncated: bool = False  # a syntax error cut the block short: what followed is unknown

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index].value if index < len(self.args) else default

    @property
    def values(self) -> list[str]:
        return [a.value for a in self.args]

    @property
    def head(self) -> Span:
        """From the name to the last argument on the same line: where findings about it point."""
        last = self.span
        for a in self.args:
            if a.span.line == self.span.line and a.span.end_line == self.span.line:
                last = a.span
        return Span(self.span.file, self.span.line, self.span.column, self.span.line, last.end_column)

    @property
    def full(self) -> Span:
        end = self.end or (self.args[-1].span if self.args else self.span)
        return Span(self.span.file, self.span.line, self.span.column, end.end_line, end.end_column)


@dataclass(slots=True)
class Token:
    kind: str  # "word" | ";" | "{" | "}"
    value: str
    span: Span
    quoted: bool = False
    first_on_line: bool = False
    indent: int = 1  # column of the first token on this token's line


class Lexer:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self._last_token_line = 0
        self._indent = 1

    def _span(self, line: int, col: int, end: int) -> Span:
        return Span(self.file, line, col, self.line, end - self.line_start + 1)

    def _newline(self, at: int) -> None:
        self.line += 1
        self.line_start = at + 1

    def _breaks_line(self, i: int) -> bool:
        """Whether text[i] ends a line as the model counts lines: `\n`, or a `\r`
        not followed by one (to nginx both are whitespace; to an editor a lone
        CR starts a new line, and findings must point where the editor shows)."""
        c = self.text[i]
        return c == "\n" or (c == "\r" and self.text[i + 1 : i + 2] != "\n")

    def next(self) -> Token | None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            c = text[self.pos]
            if c in "\n\r" and self._breaks_line(self.pos):
                self._newline(self.pos)
                self.pos += 1
            elif c in _SPACE:
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self._advance_to(n if end < 0 else end)
            else:
                break
        if self.pos >= n:
            return None
        first = self.line != self._last_token_line
        col = self.pos - self.line_start + 1
        if first:
            self._indent = col
        self._last_token_line = self.line
        line, start = self.line, self.pos
        c = text[start]
        if c in ";{}":
            self.pos += 1
            return Token(c, c, self._span(line, col, self.pos), False, first, self._indent)
        if c in "\"'":
            value = self._quoted(c)
            return Token("word", value, self._span(line, col, self.pos), True, first, self._indent)
        value = self._word()
        return Token("word", value, self._span(line, col, self.pos), False, first, self._indent)

    def _escape(self, out: list[str]) -> None:
        """At a backslash: append what nginx keeps and step over the pair."""
        nxt = self.text[self.pos + 1] if self.pos + 1 < len(self.text) else ""
        if nxt in _ESCAPES and nxt:
            out.append(_ESCAPES[nxt])
        else:
            out.append("\\" + nxt)
            if nxt and self._breaks_line(self.pos + 1):
                self._newline(self.pos + 1)
        self.pos += 2

    def _quoted(self, quote: str) -> str:
        text, n = self.text, len(self.text)
        line, col = self.line, self.pos - self.line_start + 1
        self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= n:
                raise NginxSyntaxError(f"unterminated {quote} string", Span.point(self.file, line, col))
            ch = text[self.pos]
            if ch == "\\":
                self._escape(out)
                continue
            if ch == quote:
                self.pos += 1
                break
            if self._breaks_line(self.pos):
                self._newline(self.pos)
            out.append(ch)
            self.pos += 1
        # nginx lets a ')' follow a closing quote and starts a new word with it:
        # `if ($host != "a")` is the arguments `($host`, `!=`, `a`, `)`.
        if self.pos < n and text[self.pos] not in _SPACE + ";{)":
            bad_col = self.pos - self.line_start + 1
            raise NginxSyntaxError(
                f"unexpected '{text[self.pos]}' after a quoted string (expected a space, ';', '{{' or ')')",
                Span.point(self.file, self.line, bad_col),
            )
        return "".join(out)

    def _word(self) -> str:
        text, n = self.text, len(self.text)
        out: list[str] = []
        variable = False
        while self.pos < n:
            ch = text[self.pos]
            if ch == "{" and variable:  # ${name}
                out.append(ch)
                self.pos += 1
                variable = False
                continue
            variable = False
            if ch == "\\":
                self._escape(out)
                continue
            if ch in _SPACE or ch in ";{":
                break
            if ch == "$":
                variable = True
            out.append(ch)
            self.pos += 1
        return "".join(out)

    def raw_block(self, opener: Token) -> tuple[str, Span]:
        """The Lua body after `{` up to its matching `}` (Lua strings and comments skipped)."""
        text, n = self.text, len(self.text)
        start, line, col = self.pos, self.line, self.pos - self.line_start + 1
        depth = 1
        while self.pos < n:
            ch = text[self.pos]
            if self._breaks_line(self.pos):
                self._newline(self.pos)
            elif ch in "\"'":
                self._skip_lua_string(ch)
                continue
            elif text.startswith("--", self.pos):
                self._skip_lua_comment()
                continue
            elif ch == "[" and _long_bracket(text, self.pos) is not None:
                self._skip_long_bracket()
                continue
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    body = text[start : self.pos]
                    span = Span(self.file, line, col, self.line, self.pos - self.line_start + 1)
                    self._last_token_line = self.line
                    self.pos += 1
                    return body, span
            self.pos += 1
        raise NginxSyntaxError(f"'{opener.value}' Lua block is never closed", opener.span)

    def _advance_to(self, end: int) -> None:
        breaks = _LINE_BREAKS.finditer(self.text, self.pos)  # no endpos: the lookahead sees past `end`
        for m in breaks:
            if m.start() >= end:
                break
            self._newline(m.start())
        self.pos = end

    def _skip_lua_string(self, quote: str) -> None:
        i, n = self.pos + 1, len(self.text)
        while i < n and self.text[i] not in (quote, "\n"):
            i += 2 if self.text[i] == "\\" else 1
        self._advance_to(min(i + 1, n))

    def _skip_lua_comment(self) -> None:
        if _long_bracket(self.text, self.pos + 2) is not None:
            self.pos += 2
            self._skip_long_bracket()
            return
        end = self.text.find("\n", self.pos)
        self._advance_to(len(self.text) if end < 0 else end)

    def _skip_long_bracket(self) -> None:
        level = _long_bracket(self.text, self.pos) or 0
        close = "]" + "=" * level + "]"
        end = self.text.find(close, self.pos)
        self._advance_to(len(self.text) if end < 0 else end + len(close))


def _long_bracket(text: str, i: int) -> int | None:
    """The level of a Lua long bracket `[==[` at i, or None."""
    if i >= len(text) or text[i] != "[":
        return None
    j = i + 1
    while j < len(text) and text[j] == "=":
        j += 1
    return j - i - 1 if j < len(text) and text[j] == "[" else None


@dataclass(slots=True)
class _Open:
    directive: Directive
    indent: int  # indentation of the line that opened the block


def parse_directives(text: str, file: str, max_depth: int = 200) -> list[Directive]:
    """The directive tree of one file, or NginxSyntaxError at the first error
    (with the directives written before it)."""
    top: list[Directive] = []
    try:
        _parse_into(top, text, file, max_depth)
    except NginxSyntaxError as exc:
        exc.partial = _cut(top, (exc.span.line, exc.span.column))
        raise
    return top


def unseen_text(text: str, partial: list[Directive]) -> str:
    """What follows the directives kept from a file with a syntax error (the
    directive being read at the error included)."""
    ends = [(d.full.end_line, d.full.end_column) for d in walk_directives(partial)]
    line, column = max(ends, default=(1, 1))
    offset = LineIndex(text).offset(line, column)
    return text[offset:] if offset is not None else ""


def names_in(text: str) -> frozenset[str] | None:
    """The directive names a piece of configuration we cannot parse may set:
    every word in it; None (anything) when it includes other files."""
    words = frozenset(_WORD.findall(text))
    return None if "include" in words else words


def _cut(directives: list[Directive], error: tuple[int, int]) -> list[Directive]:
    """The directives that end before the error position; a block the error
    falls in is kept, cut the same way and marked truncated. (An unclosed
    block is reported at its opening line: it and what follows are dropped,
    since its contents may belong to a different level than they were parsed at.)"""
    kept: list[Directive] = []
    for d in directives:
        if (d.span.line, d.span.column) >= error:
            break
        ended = d.end is not None and (d.end.end_line, d.end.end_column) <= error
        if d.block is None:
            if ended:
                kept.append(d)
            continue
        if not ended:  # (a '}' after the error closes it only in the text we do not trust)
            d.block, d.end, d.truncated = _cut(d.block, error), None, True
        kept.append(d)
    return kept


def _parse_into(top: list[Directive], text: str, file: str, max_depth: int) -> None:
    lexer = Lexer(text, file)
    stack: list[tuple[list[Directive], _Open | None]] = [(top, None)]
    words: list[Token] = []
    misclosed: _Open | None = None  # first block whose '}' sat left of its opener: likely the unclosed one

    def missing_semicolon(after: Token, why: str) -> NginxSyntaxError:
        return NginxSyntaxError(
            f"missing ';' after '{shown_token(words[0].value)}' {why}", Span.point(file, after.span.end_line, after.span.end_column)
        )

    while (tok := lexer.next()) is not None:
        if tok.kind == "word":
            parent = stack[-1][1]
            in_table = parent is not None and parent.directive.name in TABLE_BLOCKS
            if words and tok.first_on_line and not tok.quoted and not in_table and tok.value in COMMON_DIRECTIVES:
                raise missing_semicolon(words[-1], f"(the next line's '{tok.value}' would be read as its argument)")
            words.append(tok)
            continue
        if tok.kind == ";":
            if not words:
                raise NginxSyntaxError("unexpected ';'", tok.span)
            stack[-1][0].append(_directive(words, end=tok.span))
            words = []
        elif tok.kind == "{":
            if not words:
                raise NginxSyntaxError("unexpected '{'", tok.span)
            directive = _directive(words, end=None)
            stack[-1][0].append(directive)
            words = []
            if directive.name.endswith("_by_lua_block"):
                body, span = lexer.raw_block(tok)
                directive.args.append(Arg(body, span, quoted=True))
                directive.end = Span.point(file, lexer.line, lexer.pos - lexer.line_start)
                continue
            if len(stack) > max_depth:
                raise NginxSyntaxError(f"blocks nested deeper than {max_depth} levels", tok.span)
            directive.block = []
            stack.append((directive.block, _Open(directive, words_indent(directive, tok))))
        else:  # "}"
            if words:
                raise missing_semicolon(words[-1], "before '}'")
            opened = stack[-1][1]
            if opened is None:
                raise NginxSyntaxError("unexpected '}' (no block is open here)", tok.span)
            opened.directive.end = tok.span
            if misclosed is None and tok.first_on_line and tok.span.column < opened.indent:
                misclosed = opened
            stack.pop()
    if words:
        raise missing_semicolon(words[-1], "at the end of the file")
    if len(stack) > 1:
        unclosed = misclosed or stack[-1][1]
        assert unclosed is not None
        d = unclosed.directive
        raise NginxSyntaxError(f"'{shown_token(d.name)}' block opened here is never closed (unbalanced braces)", d.head)


def words_indent(directive: Directive, brace: Token) -> int:
    """Indentation of the line where the block's directive starts."""
    return brace.indent if brace.span.line == directive.span.line else directive.span.column


def _directive(words: list[Token], end: Span | None) -> Directive:
    name = words[0]
    args = [Arg(t.value, t.span, t.quoted) for t in words[1:]]
    return Directive(name.value, name.span, args, None, end)


def walk_directives(directives: list[Directive]) -> list[Directive]:
    """Every directive of a file, depth first, in document order."""
    out: list[Directive] = []
    stack = list(reversed(directives))
    while stack:
        d = stack.pop()
        out.append(d)
        if d.block:
            stack.extend(reversed(d.block))
    return out
