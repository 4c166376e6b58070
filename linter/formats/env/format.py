"""The env-file format: `.env`, `.env.*`, `*.env` (not `.envrc`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import Format
from linter.formats.env.roles import env_role

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, SourceFile


class Env(Format):
    name = "env"
    package = __package__ or ""
    cost_per_byte = 2.0  # per byte, next to a manifest (measured on bench/make_corpus.py)
    title = "Env files"
    example_file = ".env"

    def claims_by_name(self, path: Path) -> bool:
        return env_role(path.name) is not None

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.env.parser import parse

        return parse(source, loader)


