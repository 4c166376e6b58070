"""The sources of Kubernetes objects in a run: Helm charts (rendered) and
Kustomize build roots with plain manifests (built, or linted alone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.formats.kubernetes.helm.charts import is_chart_file
from linter.formats.kubernetes.kustomize.units import kubernetes_units

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile
    from linter.core.units import LintUnit


def source_units(files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    charts = [f for f in files if is_chart_file(f.path)]
    templates = [f for f in files if f.meta.get("helm_template")]
    others = [f for f in files if not is_chart_file(f.path) and not f.meta.get("helm_template")]
    if not charts and not templates:
        return kubernetes_units(others, loader)
    from linter.formats.kubernetes.helm.units import chart_units  # a run without charts never loads the renderers

    return chart_units(charts, templates, loader) + kubernetes_units(others, loader)
