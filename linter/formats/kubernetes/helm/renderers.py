"""Renderers: what turns a chart and its values files into rendered
templates. Two are known: the `helm-python-sdk` package (the `deploylint[helm]`
extra, Helm's Go SDK in a shared library, no binary) and a `helm` binary on
PATH (`helm template`). Both run in a child process, so the run's time and
size limits bound them (the SDK's render cannot be interrupted in-process).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from linter.formats.kubernetes.helm.bounded import Outcome, run_bounded
from linter.formats.kubernetes.helm.rendered import NAMESPACE, RELEASE_NAME, RenderFailure, RenderResult, parse_failure

RENDERER_CHOICES = ("auto", "sdk", "binary")


class Renderer(Protocol):
    @property
    def name(self) -> str: ...

    def render(self, chart: Path, values: list[Path], *, seconds: float, max_bytes: int) -> RenderResult:
        """Render `chart` with its own values.yaml overlaid by `values`, in order."""
        ...


@dataclass(frozen=True, slots=True)
class SdkRenderer:
    name: str = "helm-python-sdk"

    def render(self, chart: Path, values: list[Path], *, seconds: float, max_bytes: int) -> RenderResult:
        argv = [sys.executable, "-m", "linter.formats.kubernetes.helm.sdk_worker", str(chart), *map(str, values)]
        outcome = run_bounded(argv, seconds=seconds, max_bytes=max_bytes)
        failed = _failure(outcome, seconds, max_bytes)
        if failed is not None and failed.limit:
            return failed
        from linter.formats.kubernetes.helm.sdk_worker import decode_output

        # The worker prints Helm's error as its result; a crash prints none.
        return decode_output(outcome.stdout) if outcome.stdout.strip() or failed is None else failed


@dataclass(frozen=True, slots=True)
class BinaryRenderer:
    executable: str
    name: str = "helm"

    def render(self, chart: Path, values: list[Path], *, seconds: float, max_bytes: int) -> RenderResult:
        argv = [self.executable, "template", RELEASE_NAME, str(chart), "--namespace", NAMESPACE]
        for path in values:
            argv += ["--values", str(path)]
        outcome = run_bounded(argv, seconds=seconds, max_bytes=max_bytes)
        failed = _failure(outcome, seconds, max_bytes)
        if failed is not None:
            return failed
        from linter.formats.kubernetes.helm.stream import split_stream

        return split_stream(outcome.stdout.decode("utf-8", "replace"))


def choose_renderer(choice: str = "auto") -> Renderer | None:
    """The renderer the config asks for (`auto`: the SDK when installed, else a
    `helm` on PATH), or None when there is none."""
    if choice in ("auto", "sdk") and importlib.util.find_spec("helm_python") is not None:
        return SdkRenderer()
    if choice in ("auto", "binary"):
        executable = shutil.which("helm", path=os.environ.get("PATH"))
        if executable is not None:
            return BinaryRenderer(executable)
    return None


def _failure(outcome: Outcome, seconds: float, max_bytes: int) -> RenderFailure | None:
    if outcome.timed_out:
        return RenderFailure(f"chart render took over {seconds:g} s (limits.max_seconds_per_file): stopped", limit=True)
    if outcome.too_large:
        return RenderFailure(f"chart render printed over {max_bytes} bytes (limits.max_file_bytes): stopped", limit=True)
    if outcome.returncode != 0:
        return parse_failure(outcome.stderr)
    return None
