"""Cross-file context for files linted elsewhere (another worker or shard).

Some rules look beyond their own unit through `RunContext.units` (K8S302: is a
Deployment the target of an HorizontalPodAutoscaler anywhere in the scanned
set?). When the files are split between worker processes or CI shards, a
worker still needs that context from the files it does not lint: each format
that declares a `ContextNeed` rebuilds it (`Format.context_units`), cheaply,
from those files. When no enabled rule uses such a selector, nothing is read
at all. tests/test_parallel.py checks that parallel and sharded runs equal
serial ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.workspace import ReadFailure

if TYPE_CHECKING:
    from linter.core.discover import Candidate
    from linter.core.format import FormatRegistry
    from linter.core.loader import Loader
    from linter.core.rules import Rule
    from linter.core.units import LintUnit


def needed_formats(rules: list[Rule], formats: FormatRegistry) -> set[str]:
    """Formats whose other-unit context some enabled rule reads."""
    return {fmt.name for fmt in formats if fmt.context is not None
            and any(r.target.format == fmt.name and r.target.select in fmt.context.selectors for r in rules)}


def outside_context(candidates: list[Candidate], loader: Loader, rules: list[Rule]) -> list[LintUnit]:
    """Units holding only the context objects of files linted elsewhere."""
    formats = loader.formats
    wanted = needed_formats(rules, formats)
    units: list[LintUnit] = []
    for candidate in candidates:
        if candidate.format not in wanted:
            continue
        fmt = formats.get(candidate.format)
        try:
            source = loader.workspace.read(Path(candidate.abspath), candidate.relpath, fmt.declared_encoding)
        except ReadFailure:
            continue
        units.extend(fmt.context_units(source, loader))
    return units
