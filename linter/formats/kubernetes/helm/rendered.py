"""What a render gives: the rendered templates, or where it failed."""

from __future__ import annotations

import re
from dataclasses import dataclass

RELEASE_NAME = "release-name"  # `helm template`'s default
NAMESPACE = "default"

# Where Helm names a template position: `chart/templates/x.yaml:12:3` (an
# execution error) or `parse error at (chart/templates/x.yaml:5)`.
_POSITION = re.compile(r"(?P<source>[^\s:()\"<>]+/templates/[^\s:()\"<>]+):(?P<line>\d+)(?::(?P<column>\d+))?\)?:?")


@dataclass(frozen=True, slots=True)
class RenderedTemplate:
    source: str  # as Helm names it: `<chart>/templates/x.yaml` (`<chart>/charts/<dep>/templates/...` for a dependency)
    text: str


@dataclass(frozen=True, slots=True)
class RenderFailure:
    """A render that gave no output: where Helm says it failed, when it says."""

    message: str
    source: str | None = None
    line: int = 1
    column: int = 1
    limit: bool = False  # stopped by the run's time or size limit (a DL005)


RenderResult = list[RenderedTemplate] | RenderFailure


def parse_failure(text: str) -> RenderFailure:
    """Helm's error text as a failure at the template position it names."""
    text = re.sub(r"^\s*Error:\s*", "", text.strip())
    found = _POSITION.search(text)
    if found is None:
        return RenderFailure(_short(text) or "the renderer failed without a message")
    detail = _short(text[found.end():]) or _short(text)
    column = int(found["column"]) if found["column"] else 1
    return RenderFailure(detail, found["source"], int(found["line"]), column)


def _short(text: str) -> str:
    # One line, bounded: Helm's messages quote template code, never values.
    collapsed = " ".join(text.replace("executing \"", "in \"").split())
    return collapsed[:300]
