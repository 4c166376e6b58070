"""The types a run is described by and produces: what the engine, the
selectors, suppression and the reporters share (none of them imports the
engine or the runner for these)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linter.core.findings import Finding
from linter.core.workspace import Limits

if TYPE_CHECKING:
    from linter.core.baseline import Baseline
    from linter.core.format import FormatRegistry
    from linter.core.repository import RepositoryPaths
    from linter.core.result_cache import ResultCache
    from linter.core.rules import Rule
    from linter.core.units import LintUnit

Progress = Callable[[str, int], None]


@dataclass(slots=True)
class RunContext:
    """What selectors and checks may know about the run beyond their unit."""

    units: list[LintUnit]
    options: dict[str, Any] = field(default_factory=dict)
    # Per-run memo for selectors that derive something from every unit (e.g. the
    # autoscaler targets); dies with the run, so no parsed tree outlives it.
    cache: dict[str, Any] = field(default_factory=dict)

    def units_of(self, fmt: str) -> list[LintUnit]:
        return [u for u in self.units if u.format == fmt]

    def together(self, unit: LintUnit) -> list[LintUnit]:
        """The units deployed with `unit` (itself included): its deployment's,
        context read from disk included."""
        if unit.deployment is None:
            return [unit]
        index: dict[tuple[str, str], list[LintUnit]] | None = self.cache.get("deployments")
        if index is None:
            index = {}
            for u in self.units:
                if u.deployment is not None:
                    index.setdefault((u.format, u.deployment.key), []).append(u)
            self.cache["deployments"] = index
        return index.get((unit.format, unit.deployment.key), [unit])


@dataclass(frozen=True, slots=True)
class SuppressionPolicy:
    """What every suppression must say (config `suppressions:`); DL011 reports the others."""

    require_reason: bool = False
    max_days: int | None = None  # an until= date at most this many days ahead is required
    require_rule_list: bool = False  # a bare `deploylint: ignore` (no rule list) is reported, not only counted


@dataclass(slots=True)
class Settings:
    root: Path
    rules: list[Rule]  # enabled rules, severities and params already resolved
    formats: FormatRegistry  # the formats this run can read (`linter.formats.REGISTRY`)
    excludes: tuple[str, ...] = ()
    format_hint: str | None = None
    ignore_unknown: bool = False
    limits: Limits = field(default_factory=Limits)
    options: dict[str, Any] = field(default_factory=dict)  # pod_templates, nginx_prefix, ...
    stdin: tuple[str, str | bytes] | None = None  # (display name, content) for `-`
    inline_suppressions: bool = True  # False: comments and annotations are ignored (strict CI)
    respect_gitignore: bool = False  # directory walks skip what git ignores (the CLI turns it on)
    rule_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)  # rule ID -> path globs (config)
    # (ID, name) of every rule known to the config, enabled or not: a suppression
    # naming none of them is a typo (empty: not known, nothing is judged so)
    catalogue: tuple[tuple[str, str], ...] = ()
    suppression_policy: SuppressionPolicy = field(default_factory=SuppressionPolicy)
    config_source: str = "the config"  # named in config-ignore suppressions
    baseline: Baseline | None = None
    repository: RepositoryPaths | None = None  # how fingerprints name files (None: by display path)
    jobs: int = 1  # worker processes; 0: one per CPU (small runs stay in-process)
    shard: tuple[int, int] | None = None  # (index, total), 1-based: lint only this shard's files
    progress: Progress | None = None  # called with ("parsed"|"units"|"checked", count)
    texts: dict[str, str] = field(default_factory=dict)  # display path -> text linted in place of the file's (--fix)
    cache: ResultCache | None = None  # per-group results kept between runs (None: off)
    project: Path | None = None  # where walks for related files stay (`repository.project_directory`; None: the root)


@dataclass(slots=True)
class RunResult:
    findings: list[Finding]
    files: list[str]  # display paths of every file linted
    rules: list[Rule]
    unparsable: int = 0
    formats: dict[str, str] = field(default_factory=dict)  # display path -> format
    bare_ignores: int = 0  # `deploylint: ignore` comments naming no rule (they suppress nothing)
    fixed: int = 0  # findings --fix fixed before this lint

    @property
    def shown(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]


@dataclass(slots=True)
class PartialResult:
    """What linting some of the files yields; several merge into a RunResult."""

    findings: list[Finding]
    formats: dict[str, str]  # display path -> format
    unparsable: int
    bare_ignores: int = 0
