"""The ClickHouse format: server and users configs (XML or YAML) with their
`config.d/`, `users.d/` and `conf.d/` overrides."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import CommentSyntax, Format
from linter.formats.clickhouse.detect import is_clickhouse, wants_content

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, SourceFile
    from linter.core.units import LintUnit


class ClickHouse(Format):
    name = "clickhouse"
    reads_placement = True  # judged against the containers and Services of its deployment
    package = __package__ or ""
    title = "ClickHouse"
    example_file = "config.xml"
    code_fence = "xml"
    comment = CommentSyntax("<!--", "-->")
    held_installation = True  # a ConfigMap's config.xml, users.xml and fragments merge as one installation

    def wants_content(self, path: Path) -> bool:
        return wants_content(path)

    def detect(self, path: Path, head: str, root: Path) -> bool:
        return is_clickhouse(path, head)

    def declared_encoding(self, data: bytes) -> str | None:
        from linter.formats.clickhouse.parser import declared_encoding

        return declared_encoding(data)

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.clickhouse.parser import parse

        return parse(source, loader)

    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.core.embedding import embedding_of
        from linter.formats.clickhouse.parser import build_units

        if files and all(embedding_of(f) is not None for f in files):  # the runner groups held files apart
            from linter.formats.clickhouse.held import held_units

            return held_units(files)
        return build_units(files, loader)

    def shard_key(self, relpath: str, abspath: str) -> str:
        """One installation (the main files of a directory with its `*.d`
        override folders) is merged, so linted, together."""
        parts = relpath.split("/")[:-1]
        if parts and parts[-1].endswith(".d"):
            parts = parts[:-1]
        return f"{self.name}:" + "/".join(parts)


