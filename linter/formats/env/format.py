"""The env-file format: `.env`, `.env.*`, `*.env` (not `.envrc`)."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import ContextNeed, Format
from linter.formats.env.roles import env_role

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, SourceFile
    from linter.core.units import LintUnit


class Env(Format):
    name = "env"
    package = __package__ or ""
    cost_per_byte = 2.0  # per byte, next to a manifest (measured on bench/make_corpus.py)
    title = "Env files"
    example_file = ".env"
    # A deployed file is judged against the template beside it (ENV107, ENV108).
    context = ContextNeed(selectors=("directory-files",))

    def claims_by_name(self, path: Path) -> bool:
        return env_role(path.name) is not None

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.env.parser import parse

        return parse(source, loader)



    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.formats.env.siblings import directory_units

        return directory_units(files)

    def shard_key(self, relpath: str, abspath: str) -> str:
        # The env files of a directory are judged together: one worker, one shard.
        return "env-files:" + posixpath.dirname(relpath)

    def context_units(self, source: SourceFile, loader: Loader) -> list[LintUnit]:
        from linter.formats.env.siblings import context_units

        return context_units(source, loader)
