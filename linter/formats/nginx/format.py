"""The nginx format: configuration files and the fragments they include."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import Format
from linter.formats.nginx.detect import is_nginx, wants_content

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, SourceFile
    from linter.core.units import LintUnit


class Nginx(Format):
    name = "nginx"
    reads_placement = True  # judged against the containers and Services of its deployment
    package = __package__ or ""
    cost_per_byte = 1.5  # per byte, next to a manifest (measured on bench/make_corpus.py)
    title = "nginx"
    example_file = "nginx.conf"
    code_fence = "nginx"

    def wants_content(self, path: Path) -> bool:
        return wants_content(path)

    def detect(self, path: Path, head: str, root: Path) -> bool:
        return is_nginx(path, head)

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.nginx.parser import parse

        return parse(source, loader)

    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.formats.nginx.includes import assemble_units

        return assemble_units(files, loader)

    def shard_key(self, relpath: str, abspath: str) -> str:
        # Include trees may share files anywhere under the root (a common
        # `snippets/ssl.conf`) and the first tree that includes a file reports
        # it: every nginx file is linted in one group. nginx configurations are
        # small next to manifests, so this costs little parallelism.
        return self.name


