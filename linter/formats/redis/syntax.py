"""The Redis config lexer: the server's own argument splitting (sdssplitargs).

A line is words separated by blanks; a word may be `"double quoted"` (escapes
`\\n \\r \\t \\b \\a \\\\ \\" \\xHH`) or `'single quoted'` (only `\\'`), and a
closing quote must be followed by a blank or the end of the line. A line whose
first word starts with `#` is a comment (a `#` later on is an argument, as the
server reads it). Directive names are case-insensitive. A line the server would
refuse (an unterminated quote) is a problem at the quote, and the rest of the
file is still read.
"""

from __future__ import annotations

from dataclasses import dataclass

from linter.formats.common.lines import Line, Positions, Token, split_lines

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a", "\\": "\\", '"': '"'}
_HEX = "0123456789abcdefABCDEF"


@dataclass(frozen=True, slots=True)
class LexProblem:
    message: str
    line: int  # 0-based, within the text
    column: int


def split_line(text: str, row: int, at: Positions) -> tuple[list[Token], LexProblem | None]:
    """The words of one line, or the problem that makes the server refuse it."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n\f\v":
            i += 1
        if i >= n:
            return tokens, None
        start = i
        quote = text[i] if text[i] in "\"'" else ""
        value: list[str] = []
        i += 1 if quote else 0
        closed = not quote
        while i < n:
            c = text[i]
            if not quote:
                if c in " \t\r\n\f\v":
                    break
                value.append(c)
                i += 1
            elif quote == '"' and c == "\\" and i + 3 < n and text[i + 1] == "x" and text[i + 2] in _HEX and text[i + 3] in _HEX:
                value.append(chr(int(text[i + 2:i + 4], 16)))
                i += 4
            elif quote == '"' and c == "\\" and i + 1 < n:
                value.append(_ESCAPES.get(text[i + 1], text[i + 1]))
                i += 2
            elif quote == "'" and c == "\\" and i + 1 < n and text[i + 1] == "'":
                value.append("'")
                i += 2
            elif c == quote:
                i += 1
                closed = True
                if i < n and text[i] not in " \t\r\n\f\v":
                    return tokens, LexProblem("closing quote must be followed by a space (the server refuses this line)", row, i)
                break
            else:
                value.append(c)
                i += 1
        if not closed:
            kind = "double" if quote == '"' else "single"
            return tokens, LexProblem(f"unterminated {kind}-quoted argument (the server refuses this line)", row, start)
        tokens.append(Token("".join(value), at.span(row, start, i), bool(quote)))


def lex(text: str, at: Positions) -> tuple[list[Line], list[LexProblem]]:
    """Every directive of a Redis config text, and the lines it cannot read."""
    lines: list[Line] = []
    problems: list[LexProblem] = []
    for row, raw in enumerate(split_lines(text)):
        stripped = raw.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        tokens, problem = split_line(raw, row, at)
        if problem is not None:
            problems.append(problem)
            continue
        if tokens:
            name = tokens[0]
            lines.append(Line(Token(name.value.lower(), name.span, name.quoted), tuple(tokens[1:])))
    return lines, problems
