"""The child process that renders a chart with `helm-python-sdk`:
`python -m linter.formats.kubernetes.helm.sdk_worker CHART [VALUES...]`
prints `{"templates": {source: text}}`, or `{"error": message}` and exits 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from linter.formats.kubernetes.helm.rendered import (
    NAMESPACE,
    RELEASE_NAME,
    RenderedTemplate,
    RenderFailure,
    RenderResult,
    parse_failure,
)


def merged_values(paths: list[Path]) -> dict[str, Any]:
    """Values files overlaid in order, maps merged key by key, as `helm -f` does."""
    merged: dict[str, Any] = {}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path.name}: values must be a mapping")
        _overlay(merged, data)
    return merged


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value


def decode_output(stdout: bytes) -> RenderResult:
    try:
        data = json.loads(stdout)
    except ValueError:
        return RenderFailure("the helm-python-sdk renderer printed no result")
    if "error" in data:
        return parse_failure(str(data["error"]))
    return [RenderedTemplate(str(source), str(text)) for source, text in sorted(data.get("templates", {}).items())]


def main(argv: list[str]) -> int:
    import helm_python

    chart, *values = argv
    try:
        user = merged_values([Path(v) for v in values])
        with helm_python.Chart.load(chart) as loaded:
            templates = loaded.render(user, name=RELEASE_NAME, namespace=NAMESPACE, is_install=True)
    except (helm_python.HelmError, ValueError, OSError, yaml.YAMLError) as exc:
        print(json.dumps({"error": str(exc)}))
        return 1
    print(json.dumps({"templates": templates}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
