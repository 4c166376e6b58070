"""Lint units: what rules are evaluated on.

Most formats lint one file at a time; nginx evaluates a main file with its
includes inlined, ClickHouse a base config merged with its overrides. A unit
lists every parsed file it covers so suppressions and file-wide selectors see
them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.core.model import ParsedFile

BUILT_BY = "built_by"  # LintUnit.meta key: the file that built the unit's objects (a kustomization, a chart)


@dataclass(slots=True)
class LintUnit:
    format: str
    path: str  # the main file, as displayed
    files: list[ParsedFile]
    model: Any = None  # format-specific view (k8s objects, nginx effective config, ...)
    meta: dict[str, Any] = field(default_factory=dict)
    # A unit built from files that other units share (a Kustomize base under
    # several overlays) reports only on these files, and a finding another
    # such unit already made at the same place is made once.
    reports_on: frozenset[str] | None = None

    @property
    def main(self) -> ParsedFile:
        return self.files[0]


def single_file_units(parsed: list[ParsedFile]) -> list[LintUnit]:
    """The default assembly: one unit per file, the model being its documents."""
    return [LintUnit(p.format, p.path, [p], p.meta.get("model", p.documents)) for p in parsed]
