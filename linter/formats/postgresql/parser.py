"""postgresql.conf (and what it includes) and pg_hba.conf into the positioned model.

Which syntax a file has is told by its name (`hba` in it: pg_hba.conf's).
`parse_text` reads a text that may start anywhere in its file (a config held
in a ConfigMap block scalar: its first line and indentation as the offsets);
`parse` is the whole-file form the loader calls. Includes are followed when
units are assembled (`units.py`). The directives are kept in `meta["lines"]`,
the syntax in `meta["syntax"]`.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from linter.core.model import ParsedFile, ParseProblem, SourceFile
from linter.formats.common.lines import Line, Positions, document
from linter.formats.postgresql.syntax import lex_conf, lex_hba

if TYPE_CHECKING:
    from linter.core.loader import Loader

FORMAT = "postgresql"
CONF, HBA = "conf", "hba"


def file_name(source: SourceFile) -> str:
    """The file's name as the server knows it: a config held in a manifest
    (a ConfigMap's `pg_hba.conf` key) by its own name, not the manifest's."""
    return PurePosixPath(source.held_as or source.path).name


def syntax_of(path: str) -> str:
    return HBA if "hba" in PurePosixPath(path).name.lower() else CONF


def parse_text(text: str, path: str, syntax: str = CONF, line_offset: int = 0, column_offset: int = 0) -> tuple[list[Line], list[ParseProblem]]:
    at = Positions(path, line_offset, column_offset)
    lexer = lex_hba if syntax == HBA else lex_conf
    lines, lexed = lexer(text.removeprefix("\ufeff"), at)
    problems = [ParseProblem("DL001", p.message, at.span(p.line, p.column, p.column + 1), f"syntax#{i + 1}") for i, p in enumerate(lexed)]
    return lines, problems


def parse(source: SourceFile, loader: Loader | None = None) -> ParsedFile:
    syntax = syntax_of(file_name(source))
    lines, problems = parse_text(source.text, source.path, syntax)
    parsed = ParsedFile(source, FORMAT, [document(lines, source.path, len(source.lines))], problems)
    parsed.meta["lines"] = lines
    parsed.meta["syntax"] = syntax
    return parsed
