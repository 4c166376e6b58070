"""Kubernetes lint units for charts: one per render (the chart's values.yaml,
then each other values set), reporting on the chart's files. A finding two
renders share is made once (`reports_on`), so a values file in `ci/` adds
only what it changes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, ParsedFile, ParseProblem
from linter.core.units import LintUnit
from linter.formats.kubernetes.helm.build import ChartRenderer
from linter.formats.kubernetes.helm.charts import is_vendored
from linter.formats.kubernetes.parser import K8sObject, objects_of

if TYPE_CHECKING:
    from linter.core.loader import Loader


def chart_units(charts: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    if not charts:
        return []
    renderer = ChartRenderer.for_run(loader)
    units: list[LintUnit] = []
    for parsed in charts:
        if is_vendored(Path(parsed.source.abspath)):
            units.append(LintUnit("kubernetes", parsed.path, [parsed], []))  # rendered with the chart that vendors it
            continue
        build = renderer.build(Path(parsed.source.abspath))
        _report(parsed, build.problems)
        if not build.renders:
            units.append(LintUnit("kubernetes", parsed.path, [parsed], []))
        for render in build.renders:
            objects: list[K8sObject] = []
            for document in render.documents:
                if isinstance(document, MappingNode):
                    objects_of(document, objects)
            units.append(LintUnit("kubernetes", parsed.path, [parsed], objects, {"chart": parsed.path, "values": render.values.label},
                                  reports_on=frozenset(render.files)))
    return units


def _report(parsed: ParsedFile, problems: list[ParseProblem]) -> None:
    for problem in problems:
        problem.logical = problem.logical or problem.message
        if not any(p.rule_id == problem.rule_id and p.span == problem.span for p in parsed.problems):
            parsed.problems.append(problem)
