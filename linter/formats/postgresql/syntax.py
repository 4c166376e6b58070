"""Lexers for `postgresql.conf` (the server's GUC file syntax) and `pg_hba.conf`.

postgresql.conf: `name [=] value [# comment]`, one per line; a value is a
single-quoted string (`''` or `\\'` for a quote) or one unquoted word (a number
with its unit, an identifier, a path). Names are case-insensitive.

pg_hba.conf: whitespace-separated fields, `#` to the end of the line outside
double quotes, a `\\` at the end of a line continuing the record. A quoted
field keeps its quotes' meaning (`"all"` is a database named all, not the
keyword), recorded as `Token.quoted`.

Both never raise: a line they cannot read is a problem at the character where
reading stopped, and the rest of the file is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter.formats.common.lines import Line, Positions, Token, split_lines

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*")
_UNQUOTED = re.compile(r"[A-Za-z0-9_.:/+\-]+")
_BLANK = re.compile(r"[ \t\f\v\r]*")


@dataclass(frozen=True, slots=True)
class LexProblem:
    message: str
    line: int  # 0-based within the text
    column: int


def _conf_value(raw: str, pos: int) -> tuple[str, int, bool] | None:
    """The value starting at `pos`: (value, end, quoted); None when unreadable."""
    if raw.startswith("'", pos):
        out: list[str] = []
        i = pos + 1
        while i < len(raw):
            c = raw[i]
            if c == "'" and raw.startswith("''", i):
                out.append("'")
                i += 2
            elif c == "'":
                return "".join(out), i + 1, True
            elif c == "\\" and i + 1 < len(raw):
                out.append(raw[i + 1])
                i += 2
            else:
                out.append(c)
                i += 1
        return None
    m = _UNQUOTED.match(raw, pos)
    return (m.group(), m.end(), False) if m else None


def lex_conf(text: str, at: Positions) -> tuple[list[Line], list[LexProblem]]:
    lines: list[Line] = []
    problems: list[LexProblem] = []
    for row, raw in enumerate(split_lines(text)):
        pos = _BLANK.match(raw).end()  # type: ignore[union-attr]
        if pos == len(raw) or raw[pos] == "#":
            continue
        name = _NAME.match(raw, pos)
        if name is None:
            problems.append(LexProblem("syntax error: a line must start with a parameter name", row, pos))
            continue
        pos = _BLANK.match(raw, name.end()).end()  # type: ignore[union-attr]
        if raw.startswith("=", pos):
            pos = _BLANK.match(raw, pos + 1).end()  # type: ignore[union-attr]
        value = _conf_value(raw, pos)
        if value is None:
            what = "unterminated quoted string" if raw.startswith("'", pos) else "syntax error: a value expected"
            problems.append(LexProblem(f"{what} (the server refuses this file)", row, pos))
            continue
        text_value, end, quoted = value
        rest = _BLANK.match(raw, end).end()  # type: ignore[union-attr]
        if rest < len(raw) and raw[rest] != "#":
            problems.append(LexProblem("syntax error: text after the value (quote values holding spaces)", row, rest))
            continue
        start = pos
        key = Token(name.group().lower(), at.span(row, name.start(), name.end()))
        lines.append(Line(key, (Token(text_value, at.span(row, start, end), quoted),)))
    return lines, problems


def _hba_fields(raw: str, row: int, at: Positions) -> tuple[list[Token], LexProblem | None, bool]:
    """The fields of one physical line, a problem, and whether it continues."""
    tokens: list[Token] = []
    i, n = 0, len(raw)
    while i < n:
        while i < n and raw[i] in " \t\r\f\v":
            i += 1
        if i >= n or raw[i] == "#":
            break
        if raw[i] == "\\" and raw[i + 1:].strip() == "":
            return tokens, None, True
        start, quoted, value = i, False, []
        in_quote = False
        while i < n and (in_quote or raw[i] not in " \t\r\f\v#"):
            if raw[i] == '"':
                in_quote, quoted = not in_quote, True
            else:
                value.append(raw[i])
            i += 1
        if in_quote:
            return tokens, LexProblem("unterminated quoted field (the server refuses this line)", row, start), False
        tokens.append(Token("".join(value), at.span(row, start, i), quoted))
    return tokens, None, False


def lex_hba(text: str, at: Positions) -> tuple[list[Line], list[LexProblem]]:
    """Each record as a Line: its connection type, then its other fields."""
    lines: list[Line] = []
    problems: list[LexProblem] = []
    pending: list[Token] = []
    for row, raw in enumerate(split_lines(text)):
        tokens, problem, continues = _hba_fields(raw, row, at)
        if problem is not None:
            problems.append(problem)
            pending = []
            continue
        pending.extend(tokens)
        if continues or not pending:
            continue
        first = pending[0]
        lines.append(Line(Token(first.value.lower(), first.span, first.quoted), tuple(pending[1:])))
        pending = []
    return lines, problems
