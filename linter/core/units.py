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


@dataclass(frozen=True, slots=True)
class Deployment:
    """What a unit's objects are applied together with: a Kustomize build, a
    rendered chart, or the plain files of one directory (as `kubectl apply -f
    DIR` applies them). Rules that relate objects (an autoscaler and its
    target, a Service and its pods) look only inside one deployment, so two
    separate bundles that reuse a name never vouch for each other.

    Units with equal keys are one deployment. `directory` (a display path)
    says that the format's other files in that directory belong to it too:
    they are read from disk as context when the run does not lint them, so a
    file linted alone gets the answer it gets with its whole repository."""

    key: str
    directory: str | None = None


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
    deployment: Deployment | None = None  # None: the unit is a deployment of its own

    @property
    def main(self) -> ParsedFile:
        return self.files[0]


def single_file_units(parsed: list[ParsedFile]) -> list[LintUnit]:
    """The default assembly: one unit per file, the model being its documents."""
    return [LintUnit(p.format, p.path, [p], p.meta.get("model", p.documents)) for p in parsed]
