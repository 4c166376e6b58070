"""The Kubernetes format: manifests in YAML or JSON."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import ContextNeed, Format
from linter.formats.kubernetes.detect import MANIFEST_SUFFIXES, in_helm_templates, is_manifest
from linter.formats.kubernetes.helm.charts import chart_directory, is_chart_file
from linter.formats.kubernetes.kustomize.files import is_kustomization

if TYPE_CHECKING:
    from linter.core.embedding import Embedded, Placement
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, ParseProblem, SourceFile
    from linter.core.run_types import RunContext
    from linter.core.suppress import Directive
    from linter.core.units import LintUnit


class Kubernetes(Format):
    name = "kubernetes"
    package = __package__ or ""
    title = "Kubernetes"
    example_file = "manifest.yaml"
    code_fence = "yaml"
    data_suppression = 'the annotation `deploylint.dev/ignore: "{rule}: reason"` on the object'
    # Rules that relate a unit's objects to the others of its deployment
    # (K8S302: does an autoscaler scale the workload? K8S10xx: does the
    # Service this Ingress names exist?).
    context = ContextNeed(selectors=("unscaled-workloads", "deployment-objects", "deployed-pod-specs"))

    shard_key_by_directory = True

    def shard_key(self, relpath: str, abspath: str) -> str:
        # A directory of plain manifests is deployed together: linted in one
        # worker and one shard, its files need no context read twice. A
        # chart's files (Chart.yaml, values, templates/, vendored charts/)
        # are rendered together: they are one group, keyed by the top chart.
        directory = posixpath.dirname(relpath)
        return "manifests:" + (chart_directory(directory, Path(abspath).parent) or directory)

    def claims_by_name(self, path: Path) -> bool:
        return is_kustomization(path) or is_chart_file(path)

    def wants_content(self, path: Path) -> bool:
        return path.name.lower().endswith(MANIFEST_SUFFIXES)

    def detect(self, path: Path, head: str, root: Path) -> bool:
        # A chart's template is claimed too (it is linted as its chart renders it).
        return is_manifest(path, head)

    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        from linter.formats.kubernetes.parser import parse

        if in_helm_templates(Path(source.abspath).absolute(), loader.workspace.root):
            from linter.formats.kubernetes.helm.units import template_file

            return template_file(source)
        return parse(source, loader)

    def environment(self) -> str:
        # The Helm renderers a chart's findings come from, and the schemas
        # K8S903-K8S906 read. The first `helm` on PATH is looked up here
        # without shutil (kept off the start-up path).
        import importlib.util
        import os

        from linter.formats.kubernetes.schema_source import package_version

        helm = "none"
        for directory in os.get_exec_path():
            candidate = os.path.join(directory, "helm")
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                helm = f"{candidate}@{os.stat(candidate).st_mtime_ns}"
                break
        return f"sdk={importlib.util.find_spec('helm_python') is not None} helm={helm} schemas={package_version()}"

    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.formats.kubernetes.sources import source_units

        return source_units(files, loader)

    def suppressions(self, parsed: ParsedFile) -> list[Directive]:
        from linter.formats.kubernetes.annotations import annotation_directives

        return annotation_directives(parsed)

    def context_units(self, source: SourceFile, loader: Loader) -> list[LintUnit]:
        from linter.formats.kubernetes.context import context_units

        return context_units(source, loader)

    def embedded(self, parsed: ParsedFile) -> list[Embedded]:
        from linter.formats.kubernetes.embedded_files import embedded_files

        return embedded_files(parsed)

    def held_in_unit(self, unit: LintUnit, loader: Loader) -> list[Embedded]:
        from linter.formats.kubernetes.embedded_files import rendered_held_files

        return rendered_held_files(unit, loader)

    def place_held(self, held: Embedded, ctx: RunContext) -> Placement:
        from linter.formats.kubernetes.placement import place_held

        return place_held(held, ctx)

    def consumer_units(self, paths: frozenset[Path], units: list[LintUnit], loader: Loader) -> list[LintUnit]:
        from linter.formats.kubernetes.kustomize.units import consumer_units

        return consumer_units(paths, units, loader)

    def place_consumed(self, path: str, ctx: RunContext) -> Placement:
        from linter.formats.kubernetes.placement import place_consumed

        return place_consumed(path, ctx)

    def render(self, path: Path, loader: Loader) -> tuple[str, list[ParseProblem]] | None:
        from linter.formats.kubernetes.helm.render import chart_target, render_chart
        from linter.formats.kubernetes.kustomize.render import build_target, render_build

        chart = chart_target(path)
        if chart is not None:
            return render_chart(chart, loader)
        target = build_target(path)
        return render_build(target, loader) if target is not None else None
