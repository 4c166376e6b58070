"""Which objects are deployed together (`linter.core.units.Deployment`).

A Kustomize build and each render of a chart are deployments of their own.
Plain manifests are applied by directory (`kubectl apply -f DIR`), so the
plain files of one directory are one deployment, completed from disk when a
run lints only some of them; a directory that holds a kustomization is
deployed by its build, so a file there that no build uses stands alone.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from linter.core.units import Deployment, LintUnit
from linter.formats.kubernetes.kustomize.files import kustomization_in


def plain_deployment(path: str, abspath: str) -> Deployment | None:
    if kustomization_in(Path(abspath).parent) is not None:
        return None
    directory = posixpath.dirname(path)
    return Deployment("dir:" + directory, directory)


def build_deployment(kustomization: str) -> Deployment:
    return Deployment("build:" + kustomization)


def render_deployment(chart: str, values: str) -> Deployment:
    return Deployment(f"chart:{chart}:{values}")


def as_plain(units: list[LintUnit]) -> list[LintUnit]:
    """`units` (one per plain manifest) with their directory's deployment."""
    for unit in units:
        unit.deployment = plain_deployment(unit.path, unit.main.source.abspath)
    return units
