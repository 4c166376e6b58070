"""Rendering one chart for linting: one render per values set, each rendered
object a new positioned tree whose spans point at the template line or the
values key that wrote it (see provenance.py).

What stops a render is a problem on the chart's files: DL009 when no renderer
is installed (at Chart.yaml line 1), DL001 at the template position Helm
names, DL001 on a values file that is not a mapping, DL005 when a render
overruns the run's time or size limits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, Node, ParseProblem, Span
from linter.core.workspace import ReadFailure
from linter.formats.common.yaml_tree import YamlLimits, parse_yaml_documents
from linter.formats.kubernetes.helm.charts import ValuesSet, values_sets
from linter.formats.kubernetes.helm.provenance import Provenance, ValuesLookup
from linter.formats.kubernetes.helm.rendered import RenderedTemplate, RenderFailure
from linter.formats.kubernetes.helm.renderers import Renderer, choose_renderer
from linter.formats.kubernetes.helm.template_lines import template_lines

if TYPE_CHECKING:
    from linter.core.loader import Loader

NOT_RENDERED = "chart not rendered: install deploylint[helm] or helm (this chart's objects are not linted)"
_RENDERED_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(slots=True)
class Render:
    """One render of a chart: its documents, positioned where they were written."""

    values: ValuesSet
    documents: list[Node] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # display paths its nodes point into


@dataclass(slots=True)
class ChartBuild:
    chart_file: str  # display path of Chart.yaml
    renders: list[Render] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)


@dataclass
class ChartRenderer:
    loader: Loader
    renderer: Renderer | None

    @staticmethod
    def for_run(loader: Loader) -> ChartRenderer:
        choice = str(loader.workspace.options.get("helm_renderer") or "auto")
        return ChartRenderer(loader, choose_renderer(choice))

    @property
    def _limits(self) -> YamlLimits:
        limits = self.loader.workspace.limits
        return YamlLimits(limits.max_yaml_alias_nodes, limits.max_depth)

    def build(self, chart_file: Path) -> ChartBuild:
        workspace = self.loader.workspace
        result = ChartBuild(workspace.display_path(chart_file))
        at_chart = Span.start(result.chart_file)
        if self._library(chart_file):
            return result  # a library chart renders nothing: its templates are linted where charts use them
        if self.renderer is None:
            result.problems.append(ParseProblem("DL009", NOT_RENDERED, at_chart, logical=NOT_RENDERED))
            return result
        chart = chart_file.parent
        escape = _link_out_of_root(chart, self.loader)
        if escape is not None:
            message = f"chart not rendered: '{escape}' links outside the scanned root (Helm would read it)"
            result.problems.append(ParseProblem("DL009", message, at_chart, logical=message))
            return result
        workspace.read_by_tool(chart)  # Helm reads every file of the chart (helpers, values) itself
        listed = [Path(p) for p in workspace.options.get("helm_values", [])]
        for values in values_sets(chart, listed):
            render = self._render(chart, values, result, at_chart)
            if render is not None:
                result.renders.append(render)
        return result

    def _library(self, chart_file: Path) -> bool:
        parsed = self.loader.load(chart_file, "kubernetes")
        root = parsed.documents[0] if not isinstance(parsed, ParseProblem) and parsed.documents else None
        return isinstance(root, MappingNode) and root.text("type") == "library"

    def _render(self, chart: Path, values: ValuesSet, result: ChartBuild, at_chart: Span) -> Render | None:
        assert self.renderer is not None
        roots: list[tuple[str, MappingNode]] = []
        for path in values.files:
            root = self._values_root(path, result)
            if root is None:
                return None
            roots.append(root)
        limits = self.loader.workspace.limits
        extra = [p for p in values.files if p != chart / "values.yaml"]
        output = self.renderer.render(chart, extra, seconds=limits.max_seconds_per_file, max_bytes=limits.max_file_bytes)
        if isinstance(output, RenderFailure):
            result.problems.append(self._failure(output, chart, values, at_chart))
            return None
        render = Render(values, files={result.chart_file, *(display for display, _ in roots)})
        for rendered in output:
            self._place(rendered, chart, roots, render, result)
        return render

    def _values_root(self, path: Path, result: ChartBuild) -> tuple[str, MappingNode] | None:
        workspace = self.loader.workspace
        display = workspace.display_path(path)
        try:
            source = workspace.read(path)
        except ReadFailure as failure:
            result.problems.append(failure.problem)
            return None
        documents, problems = parse_yaml_documents(source.text, display, self._limits)
        if problems:
            result.problems.extend(problems)
            return None
        root = documents[0] if documents else MappingNode([], Span.start(display))
        if not isinstance(root, MappingNode):
            result.problems.append(ParseProblem("DL001", "Helm values must be a mapping of keys: not rendered", root.span.first_line()))
            return None
        return display, root

    def _failure(self, failure: RenderFailure, chart: Path, values: ValuesSet, at_chart: Span) -> ParseProblem:
        message = f"chart render failed with {values.label}: {failure.message}"
        if failure.limit:
            return ParseProblem("DL005", f"{failure.message} (with {values.label})", at_chart, logical=failure.message)
        if failure.source is not None:
            path = self._template_path(chart, failure.source)
            if path is not None and path.is_file():
                span = Span.point(self.loader.workspace.display_path(path), failure.line, failure.column)
                return ParseProblem("DL001", message, span, logical=failure.message)
        return ParseProblem("DL001", message, at_chart, logical=failure.message)

    def _place(self, rendered: RenderedTemplate, chart: Path, roots: list[tuple[str, MappingNode]], render: Render,
               result: ChartBuild) -> None:
        if not rendered.source.endswith(_RENDERED_SUFFIXES) or not rendered.text.strip():
            return
        workspace = self.loader.workspace
        path = self._template_path(chart, rendered.source)
        own = path is not None and chart / "templates" in path.parents
        template_text = ""
        display = result.chart_file
        if path is not None and path.is_file() and workspace.confined(path) is not None:
            try:
                source = workspace.read(path)
            except ReadFailure:
                pass
            else:
                template_text, display = source.text, source.path
        documents, problems = parse_yaml_documents(rendered.text, display, self._limits)
        provenance = Provenance(display, template_lines(template_text), _lookup(roots) if own else None)
        for problem in problems:
            problem.message = f"rendered template is not valid YAML ({render.values.label}): {problem.message}"
            problem.span = provenance.point(rendered.text, problem.span.line, problem.span.column)
            result.problems.append(problem)
        provenance.remap(rendered.text, documents)
        render.documents.extend(documents)
        render.files.add(display)

    @staticmethod
    def _template_path(chart: Path, source: str) -> Path | None:
        """`<chart>/templates/x.yaml` as a file of the chart directory."""
        _, _, inside = source.partition("/")
        if not inside or ".." in Path(inside).parts:
            return None
        return chart / inside


def _link_out_of_root(chart: Path, loader: Loader) -> str | None:
    """The first file or directory of the chart that is a symlink resolving
    outside the scanned root: Helm follows links, deploylint reads nothing
    outside the root."""
    for current, dirnames, filenames in os.walk(chart, followlinks=False):
        for name in sorted([*dirnames, *filenames]):
            path = Path(current) / name
            if path.is_symlink() and loader.workspace.confined(path) is None:
                return path.relative_to(chart).as_posix()
    return None


def _lookup(roots: list[tuple[str, MappingNode]]) -> ValuesLookup:
    def lookup(path: tuple[str, ...]) -> Node | None:
        """The node at `path` in the last values file that sets it."""
        for _, root in reversed(roots):
            node: Node | None = root
            for step in path:
                node = node.get(step) if isinstance(node, MappingNode) else None
            if node is not None:
                return node
        return None

    return lookup
