"""Linting an editor buffer exactly as `deploylint FILE` would lint the file.

The buffer goes through the fix loop's seam (`Settings.texts`: text read in
place of the file's), so the nearest config, the discovery of the file, its
excludes and the cross-file context (a Kustomize base, an nginx includer, a
ClickHouse base config) are the CLI's; only the buffer's own text comes from
memory, every other file from disk. A file of no format deploylint reads is
skipped, as with `--ignore-unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from linter.core.discover import relative
from linter.core.findings import Finding
from linter.core.repository import repository_root
from linter.core.rules import Rule


@dataclass(slots=True)
class BufferLint:
    """The findings located in the buffer's file (not suppressed), and the rules they name."""

    findings: list[Finding] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)


def project_root(path: Path, folders: Sequence[Path]) -> Path:
    """Where a run on `path` is rooted: the innermost workspace folder holding
    it, else its repository's top level, else its directory. Reads stay inside
    this root, so a base or an include outside it is not read (as in the CLI)."""
    holding = [f for f in folders if path.is_relative_to(f)]
    if holding:
        return max(holding, key=lambda f: len(f.parts))
    return repository_root(path.parent) or path.parent


def lint_buffer(path: Path, text: str, root: Path) -> BufferLint:
    """Lint `text` as the content of `path` (absolute), in a run rooted at `root`.
    UsageError (a config mistake) propagates: the caller shows it."""
    from linter.config.planning import Options, plan_runs, run_plans

    display = relative(path, root)
    # Editors hand over every YAML or JSON file: one deploylint cannot read is
    # skipped silently, as pre-commit's are (the CLI would warn, DL008).
    plans = plan_runs([str(path)], Options(root=root, ignore_unknown=True))
    for plan in plans:
        plan.settings.texts = {display: text}
        plan.settings.jobs = 1  # one buffer: never worth a worker process
    result = run_plans(plans)
    mine = [f for f in result.shown if f.span.file == display]
    return BufferLint(mine, {r.id: r for r in result.rules if any(f.rule_id == r.id for f in mine)})
