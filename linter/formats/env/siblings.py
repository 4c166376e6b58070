"""The env files of one directory, judged together: a deployed file
(`.env.production`) against the template beside it (`.env.example`) that
says which keys the application reads.

Every env file of a directory is in one deployment (`core/units.Deployment`
with that directory), so a file linted alone has its siblings read from disk
as context (`core/context.py`), and a directory linted whole keeps them in
one worker and one shard (`Env.shard_key`): the answer is the same either way.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linter.core.embedding import embedding_of
from linter.core.model import ParsedFile, ScalarNode, SourceFile
from linter.core.units import Deployment, LintUnit
from linter.formats.env.parser import EnvFile
from linter.formats.env.roles import TEMPLATE, names_environment

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.run_types import RunContext

# A template's commented-out setting (`# SENTRY_DSN=`) documents an optional key.
_COMMENTED_KEY = re.compile(r"[^\S\r\n]*#[^\S\r\n]*(?:export[^\S\r\n]+)?([A-Za-z_][A-Za-z0-9_.]*)[^\S\r\n]*=")


def directory_deployment(path: str) -> Deployment:
    directory = posixpath.dirname(path)
    return Deployment("env-files:" + directory, directory)


def directory_units(files: list[ParsedFile]) -> list[LintUnit]:
    """One unit per file, each in its directory's deployment; a file held in
    a manifest (a ConfigMap's `.env` key) is not in that directory: alone."""
    return [LintUnit(p.format, p.path, [p], p.meta.get("model"),
                     deployment=None if embedding_of(p) is not None else directory_deployment(p.path)) for p in files]


def context_units(source: SourceFile, loader: Loader) -> list[LintUnit]:
    """A sibling read from disk: its bindings, in a unit no rule reports on."""
    parsed = loader.parse(source, "env")
    model = parsed.meta.get("model")
    if not isinstance(model, EnvFile):
        return []
    return [LintUnit(parsed.format, parsed.path, [ParsedFile(parsed.source, parsed.format)], model,
                     deployment=directory_deployment(parsed.path))]


@dataclass(frozen=True, slots=True)
class Siblings:
    """An env file with the templates and the deployed files of its directory."""

    file: EnvFile
    templates: tuple[EnvFile, ...]
    deployed: tuple[EnvFile, ...]  # named for an environment (`.env.production`, `.env.staging`)


def siblings(unit: LintUnit, ctx: RunContext) -> Siblings | None:
    env = unit.model
    if not isinstance(env, EnvFile):
        return None
    others = sorted((u.model for u in ctx.together(unit) if isinstance(u.model, EnvFile) and u.model.path != env.path),
                    key=lambda e: e.path)
    return Siblings(env, tuple(e for e in others if e.role == TEMPLATE),
                    tuple(e for e in others if names_environment(posixpath.basename(e.path))))


def set_keys(env: EnvFile) -> Iterator[ScalarNode]:
    """Each key the file sets, once, at its first line (a bare `KEY` line included)."""
    seen: set[str] = set()
    for key in sorted([k for k, _ in env.pairs] + list(env.inherited), key=lambda k: (k.span.line, k.span.column)):
        if key.text not in seen:
            seen.add(key.text)
            yield key


def documented(env: EnvFile) -> frozenset[str]:
    """The keys a template names: set, bare, or commented out as an optional setting."""
    commented = {m.group(1) for line in env.source.lines if (m := _COMMENTED_KEY.match(line))}
    return frozenset({k.text for k in set_keys(env)} | commented)
