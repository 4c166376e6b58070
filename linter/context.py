"""Cross-file context for files linted elsewhere (another worker or shard).

Some rules look beyond their own unit through `RunContext.units` (K8S302: is a
Deployment the target of an HorizontalPodAutoscaler anywhere in the scanned
set?). When the files are split between worker processes or CI shards, a
worker still needs those objects from the files it does not lint. Shipping
whole parsed trees between processes costs more than parsing them, so each
worker rebuilds just the context it needs: it reads the other files, keeps
only the documents that mention a context kind, and parses those. Positions
stay exact (the other documents are blanked line for line, not removed).

A rule that reads other units must list the kinds it reads in CONTEXT_KINDS;
tests/test_parallel.py checks that parallel and sharded runs equal serial ones.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .model import ParsedFile, SourceFile
from .units import LintUnit
from .workspace import ReadFailure

if TYPE_CHECKING:
    from .discover import Candidate
    from .workspace import Workspace

# format -> object kinds that rules look up in other units.
CONTEXT_KINDS: dict[str, tuple[str, ...]] = {
    "kubernetes": ("HorizontalPodAutoscaler",),
}

_DOCUMENT_START = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$", re.M)


def _kind_pattern(kinds: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(k) for k in kinds)
    return re.compile(rf"""["']?kind["']?\s*:\s*["']?(?:{names})\b""")


_PATTERNS = {fmt: _kind_pattern(kinds) for fmt, kinds in CONTEXT_KINDS.items()}


def keep_documents(text: str, pattern: re.Pattern[str]) -> str | None:
    """`text` with every YAML document that does not match `pattern` blanked
    (separators and newlines kept, so lines and columns are unchanged); None
    if no document matches."""
    if pattern.search(text) is None:
        return None
    starts = [0] + [m.start() for m in _DOCUMENT_START.finditer(text) if m.start() > 0] + [len(text)]
    pieces: list[str] = []
    for begin, end in zip(starts, starts[1:]):
        chunk = text[begin:end]
        if pattern.search(chunk):
            pieces.append(chunk)
            continue
        first, newline, rest = chunk.partition("\n")
        keep = first if _DOCUMENT_START.fullmatch(first) else ""
        pieces.append(keep + newline + "\n" * rest.count("\n"))
    return "".join(pieces)


def outside_context(candidates: list["Candidate"], workspace: "Workspace") -> list[LintUnit]:
    """Units holding only the context objects of files linted elsewhere."""
    from .parsers import parse_source

    units: list[LintUnit] = []
    for candidate in candidates:
        pattern = _PATTERNS.get(candidate.format or "")
        if pattern is None:
            continue
        try:
            source = workspace.read(Path(candidate.abspath), candidate.relpath)
        except ReadFailure:
            continue
        masked = keep_documents(source.text, pattern)
        if masked is None:
            continue
        parsed = parse_source(SourceFile(source.path, source.abspath, masked), candidate.format or "", workspace)
        if parsed.problems and masked != source.text:  # the split went wrong somewhere: parse it all
            parsed = parse_source(source, candidate.format or "", workspace)
        kinds = CONTEXT_KINDS[candidate.format or ""]
        model = [obj for obj in parsed.meta.get("model", []) if getattr(obj, "kind", None) in kinds]
        if model:
            units.append(LintUnit(parsed.format, parsed.path, [ParsedFile(parsed.source, parsed.format)], model))
    return units
