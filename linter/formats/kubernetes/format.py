"""The Kubernetes format: manifests in YAML or JSON."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.format import ContextNeed, Format
from linter.formats.kubernetes.detect import MANIFEST_SUFFIXES, in_helm_templates, is_manifest
from linter.formats.kubernetes.helm.charts import is_chart_file
from linter.formats.kubernetes.kustomize.files import is_kustomization

if TYPE_CHECKING:
    from linter.core.check import PythonCheck
    from linter.core.embedding import Embedded
    from linter.core.fix import Fixer
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, ParseProblem, SourceFile
    from linter.core.subject import Selector
    from linter.core.suppress import Directive
    from linter.core.units import LintUnit


class Kubernetes(Format):
    name = "kubernetes"
    title = "Kubernetes"
    example_file = "manifest.yaml"
    code_fence = "yaml"
    data_suppression = 'the annotation `deploylint.dev/ignore: "{rule}: reason"` on the object'
    # K8S302: is the workload the target of an autoscaler anywhere in the run?
    context = ContextNeed(selectors=("unscaled-workloads",))

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

    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.formats.kubernetes.sources import source_units

        return source_units(files, loader)

    def selectors(self) -> Mapping[str, Selector]:
        from linter.formats.kubernetes.selectors import SELECTORS

        return SELECTORS

    def checks(self) -> Mapping[str, PythonCheck]:
        from linter.formats.kubernetes.checks import CHECKS

        return CHECKS

    def fixers(self) -> Mapping[str, Fixer]:
        from linter.formats.kubernetes.fixes import FIXERS

        return FIXERS

    def suppressions(self, parsed: ParsedFile) -> list[Directive]:
        from linter.formats.kubernetes.annotations import annotation_directives

        return annotation_directives(parsed)

    def context_units(self, source: SourceFile, loader: Loader) -> list[LintUnit]:
        from linter.formats.kubernetes.context import autoscaler_units

        return autoscaler_units(source, loader)

    def embedded(self, parsed: ParsedFile) -> list[Embedded]:
        from linter.formats.kubernetes.embedded_files import embedded_files

        return embedded_files(parsed)

    def render(self, path: Path, loader: Loader) -> tuple[str, list[ParseProblem]] | None:
        from linter.formats.kubernetes.helm.render import chart_target, render_chart
        from linter.formats.kubernetes.kustomize.render import build_target, render_build

        chart = chart_target(path)
        if chart is not None:
            return render_chart(chart, loader)
        target = build_target(path)
        return render_build(target, loader) if target is not None else None
