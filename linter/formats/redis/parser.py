"""Redis and Sentinel config files into the positioned model.

`parse_text` lexes a text that may start anywhere in its file (a config held
in a ConfigMap's block scalar: pass the scalar's first line and indentation
as the offsets); `parse` is the whole-file form the loader calls. Includes are
not followed here but when units are assembled (`units.py`), so each file is
parsed once whatever includes it. The directives are kept in `meta["lines"]`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.core.model import ParsedFile, ParseProblem, SourceFile
from linter.formats.common.lines import Line, Positions, document
from linter.formats.redis.syntax import lex

if TYPE_CHECKING:
    from linter.core.loader import Loader

FORMAT = "redis"


def parse_text(text: str, path: str, line_offset: int = 0, column_offset: int = 0) -> tuple[list[Line], list[ParseProblem]]:
    at = Positions(path, line_offset, column_offset)
    lines, lexed = lex(text.removeprefix("\ufeff"), at)
    problems = [ParseProblem("DL001", p.message, at.span(p.line, p.column, p.column + 1), f"syntax#{i + 1}") for i, p in enumerate(lexed)]
    return lines, problems


def parse(source: SourceFile, loader: Loader | None = None) -> ParsedFile:
    lines, problems = parse_text(source.text, source.path)
    parsed = ParsedFile(source, FORMAT, [document(lines, source.path, len(source.lines))], problems)
    parsed.meta["lines"] = lines
    return parsed
