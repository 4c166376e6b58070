"""The context of a run's deployments: the files it does not lint itself.

Rules that relate objects (K8S302: does an autoscaler scale this workload?
the reference checks: does this Service select any pod?) look inside the
unit's deployment (`LintUnit.deployment`, `RunContext.together`). A
deployment that is a directory of files is completed from disk: its other
files are read as context when this run does not lint them (the pre-commit
hook names one changed file) or when another worker or CI shard lints them.
So a file gets the same findings whether it is linted alone, with its folder
or with the whole repository. Context is read only for the formats some
enabled rule needs it for, and only in the directories of linted units.
tests/test_parallel.py checks that parallel and sharded runs equal serial
ones; tests/test_deployment_context.py that one file equals the tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.embedding import embedding_of
from linter.core.workspace import ReadFailure

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linter.core.discover import Candidate
    from linter.core.format import FormatRegistry
    from linter.core.loader import Loader
    from linter.core.rules import Rule
    from linter.core.run_types import Settings
    from linter.core.units import LintUnit


def needed_formats(rules: list[Rule], formats: FormatRegistry, units: Sequence[LintUnit] = ()) -> set[str]:
    """Formats whose other-unit context some enabled rule reads: a rule of
    the format that relates objects, or any rule of a file one of its files
    holds (a redis.conf is judged against the StatefulSet that mounts it,
    which may be in a sibling file: `embedding.place_held_files`)."""
    wanted = {fmt.name for fmt in formats if fmt.context is not None
              and any(r.target.format == fmt.name and r.target.select in fmt.context.selectors for r in rules)}
    targets = {r.target.format for r in rules}
    for unit in units:
        held = embedding_of(unit.main) if unit.files else None
        if held is not None and unit.format in targets:
            holder = formats.find(held.holder_format)
            if holder is not None and holder.context is not None:
                wanted.add(holder.name)
    return wanted


def walked_directories(paths: list[str], root: Path) -> frozenset[str]:
    """The directories (display paths) a run walks whole: the named ones and
    everything under them. Their files are all candidates of the run already
    (the walk skipped the rest for reasons that hold for context too), and
    every file of one directory is linted by the same worker and shard."""
    from linter.core.discover import relative

    named = [Path(p) for p in paths if p != "-" and Path(p).is_dir()]
    return frozenset("" if (shown := relative(p.absolute(), root.absolute())) == "." else shown for p in named)


def _walked(directory: str, walked: frozenset[str]) -> bool:
    return "" in walked or any(directory == w or directory.startswith(w + "/") for w in walked)


def context_directories(units: list[LintUnit], wanted: set[str]) -> set[str]:
    """The directories (display paths) whose files complete the units' deployments."""
    return {u.deployment.directory for u in units
            if u.format in wanted and u.deployment is not None and u.deployment.directory is not None}


def deployment_context(units: list[LintUnit], linted: list[Candidate], loader: Loader, settings: Settings,
                       walked: frozenset[str] = frozenset()) -> list[LintUnit]:
    """Context units for the deployments of `units`: the files of their
    directories that are not linted here, read from disk (whether another
    worker or shard lints them or nothing does, they hold the same objects)."""
    wanted = needed_formats(settings.rules, loader.formats, units)
    directories = {d for d in context_directories(units, wanted) if not _walked(d, walked)}
    if not directories:
        return []
    known = {c.relpath for c in linted}
    others = [c for c in _directory_files(directories, settings) if c.relpath not in known]
    context: list[LintUnit] = []
    for candidate in others:
        if candidate.format not in wanted or candidate.unreadable:
            continue
        fmt = loader.formats.get(candidate.format)
        try:
            source = loader.workspace.read(Path(candidate.abspath), candidate.relpath, fmt.declared_encoding)
        except ReadFailure:
            continue
        context.extend(fmt.context_units(source, loader))
    return context


def _directory_files(directories: set[str], settings: Settings) -> list[Candidate]:
    """The files of `directories` as a walk of the run would find them (same
    excludes, .gitignore and formats), without descending."""
    from linter.core.discover import discover

    paths = [str(settings.root / d) if d else str(settings.root) for d in sorted(directories)]
    return discover([p for p in paths if Path(p).is_dir()], settings.root, excludes=settings.excludes,
                    formats=settings.formats, format_hint=settings.format_hint,
                    respect_gitignore=settings.respect_gitignore, recursive=False)
