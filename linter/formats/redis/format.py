"""The Redis format: `redis.conf` and `sentinel.conf`, with their includes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import Format
from linter.formats.redis.detect import claims_by_name, is_redis, wants_content

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, SourceFile
    from linter.core.units import LintUnit


class Redis(Format):
    name = "redis"
    reads_placement = True  # judged against the containers and Services of its deployment
    package = __package__ or ""
    title = "Redis"
    example_file = "redis.conf"

    def claims_by_name(self, path: Path) -> bool:
        return claims_by_name(path)

    def wants_content(self, path: Path) -> bool:
        return wants_content(path)

    def detect(self, path: Path, head: str, root: Path) -> bool:
        return is_redis(path, head)

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.redis.parser import parse

        return parse(source, loader)

    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.formats.redis.units import assemble_units

        return assemble_units(files, loader)

    def shard_key(self, relpath: str, abspath: str) -> str:
        # Includes may reach anywhere under the root: every Redis file in one group (they are few and small).
        return self.name


