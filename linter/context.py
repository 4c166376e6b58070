"""Cross-file context for files linted elsewhere (another worker or shard).

Some rules look beyond their own unit through `RunContext.units` (K8S302: is a
Deployment the target of an HorizontalPodAutoscaler anywhere in the scanned
set?). When the files are split between worker processes or CI shards, a
worker still needs those objects from the files it does not lint. Shipping
whole parsed trees between processes costs more than parsing them, so each
worker rebuilds just the context it needs: it reads the other files, keeps
only the documents that mention a context kind, and parses those. Positions
stay exact (the other documents are blanked line for line, not removed).

A selector that reads other units must be listed in CONTEXT with the object
kinds it reads there; tests/test_parallel.py checks that parallel and sharded
runs equal serial ones. When no enabled rule uses such a selector, nothing is
read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from .model import ParsedFile, SourceFile
from .selectors.kubernetes import AUTOSCALERS
from .units import LintUnit
from .workspace import ReadFailure

if TYPE_CHECKING:
    from .discover import Candidate
    from .rules import Rule
    from .workspace import Workspace


@dataclass(frozen=True)
class ContextNeed:
    selectors: tuple[str, ...]  # selectors that look at other units of the format
    kinds: tuple[str, ...]  # the object kinds they read there


CONTEXT: dict[str, ContextNeed] = {
    # K8S302: is the workload the target of an autoscaler anywhere in the run?
    "kubernetes": ContextNeed(selectors=("unscaled-workloads",), kinds=tuple(AUTOSCALERS)),
}

_DOCUMENT_START = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$", re.MULTILINE)


def _kind_pattern(kinds: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(k) for k in kinds)
    return re.compile(rf"""["']?kind["']?\s*:\s*["']?(?:{names})\b""")


_PATTERNS = {fmt: _kind_pattern(need.kinds) for fmt, need in CONTEXT.items()}


def needed_formats(rules: list[Rule]) -> set[str]:
    """Formats whose other-unit context some enabled rule reads."""
    return {fmt for fmt, need in CONTEXT.items()
            if any(r.target.format == fmt and r.target.select in need.selectors for r in rules)}


def keep_documents(text: str, pattern: re.Pattern[str]) -> str | None:
    """`text` with every YAML document that does not match `pattern` blanked
    (separators and newlines kept, so lines and columns are unchanged); None
    if no document matches."""
    if pattern.search(text) is None:
        return None
    starts = [0] + [m.start() for m in _DOCUMENT_START.finditer(text) if m.start() > 0] + [len(text)]
    pieces: list[str] = []
    for begin, end in pairwise(starts):
        chunk = text[begin:end]
        if pattern.search(chunk):
            pieces.append(chunk)
            continue
        first, newline, rest = chunk.partition("\n")
        keep = first if _DOCUMENT_START.fullmatch(first) else ""
        pieces.append(keep + newline + "\n" * rest.count("\n"))
    return "".join(pieces)


def outside_context(candidates: list[Candidate], workspace: Workspace, rules: list[Rule]) -> list[LintUnit]:
    """Units holding only the context objects of files linted elsewhere."""
    from .parsers import encoding_sniffer, parse_source

    formats = needed_formats(rules)
    units: list[LintUnit] = []
    for candidate in candidates:
        if candidate.format not in formats:
            continue
        pattern = _PATTERNS[candidate.format]
        try:
            source = workspace.read(Path(candidate.abspath), candidate.relpath, encoding_sniffer(candidate.format))
        except ReadFailure:
            continue
        if not any(kind in source.text for kind in CONTEXT[candidate.format].kinds):
            continue  # a plain substring test first: most files mention no context kind
        masked = keep_documents(source.text, pattern)
        if masked is None:
            continue
        parsed = parse_source(SourceFile(source.path, source.abspath, masked), candidate.format, workspace)
        if parsed.problems and masked != source.text:  # the split went wrong somewhere: parse it all
            parsed = parse_source(source, candidate.format, workspace)
        kinds = CONTEXT[candidate.format].kinds
        model = [obj for obj in parsed.meta.get("model", []) if getattr(obj, "kind", None) in kinds]
        if model:
            units.append(LintUnit(parsed.format, parsed.path, [ParsedFile(parsed.source, parsed.format)], model))
    return units
