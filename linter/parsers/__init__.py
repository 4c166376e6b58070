"""Format parsers. Each module turns one file into the positioned model and may
assemble several parsed files into lint units (nginx includes, ClickHouse
config.d merges). Modules are imported only when a file of their format is seen.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from ..model import ParsedFile, SourceFile

if TYPE_CHECKING:
    from ..workspace import EncodingSniffer, Workspace

PARSER_MODULES = {
    "kubernetes": "linter.parsers.kubernetes",
    "nginx": "linter.parsers.nginx",
    "clickhouse": "linter.parsers.clickhouse",
    "env": "linter.parsers.dotenv",
}


def parser_module(fmt: str) -> ModuleType:
    return importlib.import_module(PARSER_MODULES[fmt])


def parse_source(source: SourceFile, fmt: str, workspace: Workspace) -> ParsedFile:
    parsed: ParsedFile = parser_module(fmt).parse(source, workspace)
    return parsed


def encoding_sniffer(fmt: str) -> EncodingSniffer | None:
    """The format's reader of a file's declared encoding, if the format has one."""
    sniffer: EncodingSniffer | None = getattr(parser_module(fmt), "declared_encoding", None)
    return sniffer
