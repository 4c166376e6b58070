"""The env-file format: `.env`, `.env.*`, `*.env` (not `.envrc`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import Format
from linter.formats.env.roles import env_role

if TYPE_CHECKING:
    from linter.core.check import PythonCheck
    from linter.core.fix import Fixer
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, SourceFile
    from linter.core.subject import Selector


class Env(Format):
    name = "env"
    title = "Env files"
    example_file = ".env"

    def claims_by_name(self, path: Path) -> bool:
        return env_role(path.name) is not None

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.env.parser import parse

        return parse(source, loader)

    def selectors(self) -> Mapping[str, Selector]:
        from linter.formats.env.selectors import SELECTORS

        return SELECTORS

    def checks(self) -> Mapping[str, PythonCheck]:
        from linter.formats.env.checks import CHECKS

        return CHECKS

    def fixers(self) -> Mapping[str, Fixer]:
        from linter.formats.env.fixes import FIXERS

        return FIXERS
