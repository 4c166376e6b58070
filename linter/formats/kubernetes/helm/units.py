"""Kubernetes lint units for charts: one per render (the chart's values.yaml,
then each other values set), reporting on the chart's files. A finding two
renders share is made once (`reports_on`), so a values file in `ci/` adds
only what it changes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, ParsedFile, ParseProblem, SourceFile
from linter.core.units import LintUnit
from linter.formats.kubernetes.deployments import render_deployment
from linter.formats.kubernetes.detect import helm_chart_of
from linter.formats.kubernetes.helm.build import ChartRenderer
from linter.formats.kubernetes.helm.charts import CHART_FILE, is_vendored
from linter.formats.kubernetes.parser import K8sObject, objects_of

if TYPE_CHECKING:
    from linter.core.loader import Loader


def template_file(source: SourceFile) -> ParsedFile:
    """A chart's template as a linted file: not parsed (it is a Go template);
    its chart's renders are linted in its place."""
    parsed = ParsedFile(source, "kubernetes", [], [])
    parsed.meta["model"] = []
    parsed.meta["helm_template"] = True
    return parsed


def chart_units(charts: list[ParsedFile], templates: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    """The units of the charts linted, and of the charts whose templates are
    (a template passed alone, as pre-commit does, is judged in its chart's
    renders, reporting on the linted templates only)."""
    root = loader.workspace.root
    linted: dict[Path, ParsedFile | None] = {Path(p.source.abspath).absolute(): p for p in charts}
    by_chart: dict[Path, list[ParsedFile]] = {}
    for template in templates:
        chart = _top_chart(helm_chart_of(Path(template.source.abspath).absolute(), root))
        if chart is not None:
            by_chart.setdefault(chart, []).append(template)
            linted.setdefault(chart, None)
    renderer = ChartRenderer.for_run(loader)
    units: list[LintUnit] = []
    for chart_file in sorted(linted):
        parsed = linted[chart_file] or _load(chart_file, loader)
        own = by_chart.get(chart_file, [])
        if parsed is None:
            units.extend(LintUnit("kubernetes", t.path, [t], []) for t in own)
            continue
        units.extend(_units_of(parsed, own, linted[chart_file] is not None, renderer))
    return units


def _units_of(parsed: ParsedFile, templates: list[ParsedFile], whole: bool, renderer: ChartRenderer) -> list[LintUnit]:
    if is_vendored(Path(parsed.source.abspath)):
        return [LintUnit("kubernetes", parsed.path, [parsed], [])]  # rendered with the chart that vendors it
    build = renderer.build(Path(parsed.source.abspath))
    _report(parsed, build.problems)
    files = [parsed, *templates]
    if not build.renders:
        return [LintUnit("kubernetes", parsed.path, files, [])]
    units = []
    for render in build.renders:
        objects: list[K8sObject] = []
        for document in render.documents:
            if isinstance(document, MappingNode):
                objects_of(document, objects)
        reports_on = render.files if whole else {t.path for t in templates} & render.files
        units.append(LintUnit("kubernetes", parsed.path, files, objects, {"chart": parsed.path, "values": render.values.label},
                              reports_on=frozenset(reports_on), deployment=render_deployment(parsed.path, render.values.label)))
    return units


def _top_chart(chart_file: Path | None) -> Path | None:
    while chart_file is not None and is_vendored(chart_file):
        chart_file = chart_file.parent.parent.parent / CHART_FILE
    return chart_file


def _load(chart_file: Path, loader: Loader) -> ParsedFile | None:
    loaded = loader.load(chart_file, "kubernetes")
    return loaded if isinstance(loaded, ParsedFile) else None


def _report(parsed: ParsedFile, problems: list[ParseProblem]) -> None:
    for problem in problems:
        problem.logical = problem.logical or problem.message
        if not any(p.rule_id == problem.rule_id and p.span == problem.span for p in parsed.problems):
            parsed.problems.append(problem)
