"""`deploylint render CHART_DIR`: each render of a chart (its values.yaml,
then each other values set) as a YAML stream, every document under a
`# Source:` comment naming its template; Secret values redacted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from linter.core.model import MappingNode
from linter.formats.kubernetes.helm.build import ChartRenderer
from linter.formats.kubernetes.helm.charts import CHART_FILE
from linter.formats.kubernetes.redact import redacted

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParseProblem


def chart_target(path: Path) -> Path | None:
    """The Chart.yaml `render PATH` renders (PATH: the chart directory, or the file)."""
    candidate = path / CHART_FILE if path.is_dir() else path
    return candidate if candidate.name == CHART_FILE and candidate.is_file() else None


def render_chart(chart_file: Path, loader: Loader) -> tuple[str, list[ParseProblem]]:
    build = ChartRenderer.for_run(loader).build(chart_file.absolute())
    out: list[str] = []
    for render in build.renders:
        out.append(f"# Values: {', '.join(loader.workspace.display_path(p) for p in render.values.files) or '(none)'}\n")
        for document in render.documents:
            if not isinstance(document, MappingNode):
                continue
            data = redacted(document.to_python())
            text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)
            out.append(f"---\n# Source: {document.span.file}\n{text}")
    return "".join(out), list(build.problems)
