"""Env-file selectors: whole files and their bindings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from linter.core.model import Node, ScalarNode
from linter.core.subject import Selector, Subject
from linter.formats.env.parser import EnvFile
from linter.formats.env.roles import DEPLOYABLE, ROLES
from linter.formats.env.siblings import Siblings, siblings

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit

# A deployable file is a production one by its name (.env.production, prod.env)...
_PRODUCTION_NAME = re.compile(r"(?:^|[._-])(?:prod|production|prd|live)(?:$|[._-])", re.IGNORECASE)
# ...or by what it says about itself (APP_ENV=production).
ENVIRONMENT_KEYS = ("APP_ENV", "ENVIRONMENT", "ENV", "APP_ENVIRONMENT", "DEPLOY_ENV", "NODE_ENV", "RAILS_ENV",
                    "RACK_ENV", "FLASK_ENV", "DJANGO_ENV", "ASPNETCORE_ENVIRONMENT", "STAGE")
PRODUCTION_VALUES = frozenset({"production", "prod", "prd", "live"})


@dataclass(frozen=True, slots=True)
class EnvBinding:
    """One `KEY=VALUE` line of a file."""

    file: EnvFile
    key: ScalarNode
    value: ScalarNode
    occurrence: int  # 1 for the first time the key is set, 2 for the second...
    production: bool
    first_line: int  # the line that first set this key
    previous: tuple[ScalarNode, Node] | None = None  # the key and value that set it last before (a fix removes them)


def is_production(env: EnvFile) -> bool:
    """A deployable file named or saying production (a development file never is)."""
    if env.role != DEPLOYABLE:
        return False
    name = PurePosixPath(env.path).name
    if _PRODUCTION_NAME.search(name.removeprefix(".")):
        return True
    return any(env.mapping.text(key).strip().lower() in PRODUCTION_VALUES for key in ENVIRONMENT_KEYS)


def _env_file(unit: LintUnit) -> EnvFile | None:
    return unit.model if isinstance(unit.model, EnvFile) else None


def _roles(options: dict[str, Any]) -> tuple[str, ...]:
    return tuple(options.get("roles", ROLES))


def files(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """The file as a whole (option `roles`: deployable, development, template; default all)."""
    env = _env_file(unit)
    if env is not None and env.role in _roles(options):
        yield Subject(env.mapping, {"file": env.path, "role": env.role}, "file", data=env)


def bindings(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every binding in file order, a repeated key each time (option `roles`)."""
    env = _env_file(unit)
    if env is None or env.role not in _roles(options):
        return
    production = is_production(env)
    seen: dict[str, tuple[int, int]] = {}  # key -> (times set so far, first line)
    last: dict[str, tuple[ScalarNode, Node]] = {}  # key -> its pair set last so far
    for key, value in env.pairs:
        assert isinstance(value, ScalarNode)
        name = key.text
        count, first_line = seen.get(name, (0, key.span.line))
        seen[name] = (occurrence := count + 1, first_line)
        previous, last[name] = last.get(name), (key, value)
        logical = name if occurrence == 1 else f"{name}#{occurrence}"
        context = {"key": name, "file": env.path, "role": env.role}
        yield Subject(value, context, logical, data=EnvBinding(env, key, value, occurrence, production, first_line, previous))


def directory_files(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Each file with the templates and deployed files of its directory, context read from disk included (option `roles`)."""
    found = siblings(unit, ctx)
    if found is not None and found.file.role in _roles(options):
        env = found.file
        yield Subject(env.mapping, {"file": env.path, "role": env.role}, "directory", data=found)


SELECTORS = {
    "files": Selector(files, yields=(EnvFile,)),
    "directory-files": Selector(directory_files, yields=(Siblings,)),
    "bindings": Selector(bindings, yields=(EnvBinding,)),
}
