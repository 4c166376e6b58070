"""The PostgreSQL format: postgresql.conf with its includes, postgresql.auto.conf and pg_hba.conf."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import Format
from linter.formats.postgresql.detect import claims_by_name, is_postgresql, wants_content

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, SourceFile
    from linter.core.units import LintUnit


class PostgreSQL(Format):
    name = "postgresql"
    reads_placement = True  # judged against the containers and Services of its deployment
    package = __package__ or ""
    title = "PostgreSQL"
    example_file = "postgresql.conf"

    def claims_by_name(self, path: Path) -> bool:
        return claims_by_name(path)

    def wants_content(self, path: Path) -> bool:
        return wants_content(path)

    def detect(self, path: Path, head: str, root: Path) -> bool:
        return is_postgresql(path, head)

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.postgresql.parser import parse

        return parse(source, loader)

    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.formats.postgresql.units import assemble_units

        return assemble_units(files, loader)

    def shard_key(self, relpath: str, abspath: str) -> str:
        # A data directory's files are judged together, and includes may reach beyond it.
        return self.name


