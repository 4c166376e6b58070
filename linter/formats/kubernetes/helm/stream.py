"""`helm template`'s output: a YAML stream whose documents each start with
`# Source: <chart>/templates/<file>`; split back into rendered templates."""

from __future__ import annotations

import re

from linter.formats.kubernetes.helm.rendered import RenderedTemplate

_SOURCE = re.compile(r"^# Source: (?P<source>\S.*?)\s*$")


def split_stream(text: str) -> list[RenderedTemplate]:
    """One entry per document, in output order; text before any `# Source:`
    (none in Helm's output) is dropped."""
    found: list[RenderedTemplate] = []
    source: str | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), "---"]:
        if line.rstrip() == "---" or line.startswith("--- "):
            if source is not None:
                found.append(RenderedTemplate(source, "\n".join(lines) + "\n"))
            source, lines = None, []
            continue
        header = _SOURCE.match(line) if source is None else None
        if header is not None:
            source = header["source"]
            continue
        lines.append(line)
    return found
