"""The Kubernetes context of a run: the objects of plain manifests that the
run does not lint but that are deployed with files it does (the same
directory, see `deployments.py`). They are parsed as a whole file would be,
so their positions are exact, and held in a unit no rule reports on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import ParsedFile, SourceFile
from linter.core.units import LintUnit
from linter.formats.kubernetes.deployments import plain_deployment
from linter.formats.kubernetes.detect import in_helm_templates
from linter.formats.kubernetes.helm.charts import is_chart_file
from linter.formats.kubernetes.kustomize.files import is_kustomization

if TYPE_CHECKING:
    from linter.core.loader import Loader


def context_units(source: SourceFile, loader: Loader) -> list[LintUnit]:
    """The unit `source` would be in a run that lints it, holding its objects
    (none if it would not be a plain manifest: a build or a chart lints it)."""
    if is_kustomization(source.path) or is_chart_file(source.path):
        return []
    if in_helm_templates(Path(source.abspath).absolute(), loader.workspace.root):
        return []
    deployment = plain_deployment(source.path, source.abspath)
    if deployment is None:
        return []
    parsed = loader.parse(source, "kubernetes")
    model = parsed.meta.get("model", [])
    if not model:
        return []
    return [LintUnit(parsed.format, parsed.path, [ParsedFile(parsed.source, parsed.format)], model, deployment=deployment)]
