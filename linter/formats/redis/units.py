"""Redis lint units: each config with its includes inlined."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.core.model import ParsedFile
from linter.core.units import LintUnit
from linter.formats.common.line_includes import IncludeRequest, TreeBuilder, build_trees
from linter.formats.common.lines import Line
from linter.formats.redis.model import RedisConfig, is_sentinel
from linter.formats.redis.parser import FORMAT

if TYPE_CHECKING:
    from linter.core.loader import Loader


def include_request(line: Line) -> IncludeRequest | None:
    """`include path` (a glob since Redis 7), relative to the including file
    as deployments lay them out."""
    if line.key != "include" or not line.args:
        return None
    return IncludeRequest(line.args[0], kind="glob")


def assemble_units(files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    builder = TreeBuilder(loader, FORMAT, include_request)
    return [
        LintUnit(FORMAT, tree.main.path, tree.files, RedisConfig(tree, is_sentinel(tree)) if tree.readable else None)
        for tree in build_trees(files, builder)
    ]
