"""Redis selectors: a server's config, a Sentinel's, and unresolved includes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from linter.core.subject import Selector, Subject
from linter.formats.common.line_includes import IncludeProblem
from linter.formats.redis.model import RedisConfig

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit


def _config(unit: LintUnit, sentinel: bool) -> RedisConfig | None:
    model = unit.model
    return model if isinstance(model, RedisConfig) and model.sentinel == sentinel else None


def servers(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """A Redis server's effective config (a Sentinel's is not one)."""
    config = _config(unit, sentinel=False)
    if config is not None:
        yield Subject(None, {"file": config.path}, "server", span=config.tree.start, data=config)


def sentinels(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """A Sentinel's effective config."""
    config = _config(unit, sentinel=True)
    if config is not None:
        yield Subject(None, {"file": config.path}, "sentinel", span=config.tree.start, data=config)


def configs(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every effective config, a server's or a Sentinel's."""
    if isinstance(unit.model, RedisConfig):
        role = "sentinel" if unit.model.sentinel else "server"
        yield Subject(None, {"file": unit.model.path}, role, span=unit.model.tree.start, data=unit.model)


def include_problems(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Includes of the unit that could not be followed."""
    if isinstance(unit.model, RedisConfig):
        for problem in unit.model.tree.problems:
            yield Subject(None, {"detail": problem.message}, problem.logical, span=problem.span, data=problem)


SELECTORS = {
    "servers": Selector(servers, yields=(RedisConfig,), nodes=False),
    "sentinels": Selector(sentinels, yields=(RedisConfig,), nodes=False),
    "configs": Selector(configs, yields=(RedisConfig,), nodes=False),
    "include-problems": Selector(include_problems, yields=(IncludeProblem,), nodes=False),
}
