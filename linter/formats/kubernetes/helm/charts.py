"""Where charts are, and the values sets each is rendered with: the chart's
`values.yaml` alone, then each `ci/*-values.yaml` (chart-testing's
convention) and each values file the config lists, each over `values.yaml`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHART_FILE = "Chart.yaml"
DEFAULT_VALUES = "values.yaml"
_SKIPPED = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox"})


@dataclass(frozen=True, slots=True)
class ValuesSet:
    """The values files of one render, lowest precedence first (`values.yaml` first)."""

    files: tuple[Path, ...]

    @property
    def label(self) -> str:
        """The values file that makes this render differ (the default one alone)."""
        return self.files[-1].name if self.files else DEFAULT_VALUES


def is_chart_file(path: Path | str) -> bool:
    return Path(path).name == CHART_FILE


def is_vendored(chart_file: Path) -> bool:
    """A dependency under another chart's `charts/`: rendered as part of it."""
    charts = chart_file.parent.parent
    return charts.name == "charts" and (charts.parent / CHART_FILE).is_file()


def chart_directory(shown: str, directory: Path) -> str | None:
    """The display path of the top chart a file of the directory `directory`
    (shown as `shown`) belongs to: the nearest ancestor holding a Chart.yaml,
    lifted past `charts/` while it is vendored; None outside every chart.
    Only the ancestors `shown` names are looked at (never above the root)."""
    parts = shown.split("/") if shown else []
    found: int | None = None
    for depth in range(len(parts), -1, -1):
        if (directory / CHART_FILE).is_file():
            found = depth
            if not (depth >= 2 and is_vendored(directory / CHART_FILE)):
                break
        directory = directory.parent
    return None if found is None else "/".join(parts[:found])


def chart_files_under(root: Path) -> list[Path]:
    """Every top-level chart's Chart.yaml under `root`, sorted; symlinked
    directories are not followed."""
    found: list[Path] = []
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED)
        if CHART_FILE in filenames:
            path = Path(current) / CHART_FILE
            if not is_vendored(path):
                found.append(path)
    return sorted(found)


def values_sets(chart: Path, listed: list[Path]) -> list[ValuesSet]:
    """One render per values file, as chart-testing does. `listed` (from the
    config) applies to the chart holding it, or to every chart when it lies
    outside all charts."""
    base = chart / DEFAULT_VALUES
    defaults = (base,) if base.is_file() else ()
    extra = sorted((chart / "ci").glob("*-values.yaml")) if (chart / "ci").is_dir() else []
    for path in listed:
        in_a_chart = any((parent / CHART_FILE).is_file() for parent in path.parents)
        if path.is_file() and (chart in path.parents or not in_a_chart) and path not in extra:
            extra.append(path)
    return [ValuesSet(defaults), *(ValuesSet((*defaults, path)) for path in extra)]
