"""The cross-file context of the Kubernetes rules: autoscalers in files that
another worker or CI shard lints (K8S302 asks whether any autoscaler of the
run targets a workload).

Shipping whole parsed trees between processes costs more than parsing them,
so a worker reads the other files, keeps only the documents that mention an
autoscaler kind, and parses those. Positions stay exact: the other documents
are blanked line for line, not removed.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

from linter.core.model import ParsedFile, SourceFile
from linter.core.units import LintUnit
from linter.formats.kubernetes.selectors import AUTOSCALERS

if TYPE_CHECKING:
    from linter.core.loader import Loader

_DOCUMENT_START = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$", re.MULTILINE)
_AUTOSCALER_KIND = re.compile(rf"""["']?kind["']?\s*:\s*["']?(?:{"|".join(re.escape(k) for k in AUTOSCALERS)})\b""")


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


def autoscaler_units(source: SourceFile, loader: Loader) -> list[LintUnit]:
    """A unit holding only the autoscalers of `source` (none: an empty list)."""
    if not any(kind in source.text for kind in AUTOSCALERS):
        return []  # a plain substring test first: most files mention no autoscaler
    masked = keep_documents(source.text, _AUTOSCALER_KIND)
    if masked is None:
        return []
    parsed = loader.parse(SourceFile(source.path, source.abspath, masked), "kubernetes")
    if parsed.problems and masked != source.text:  # the split went wrong somewhere: parse it all
        parsed = loader.parse(source, "kubernetes")
    model = [obj for obj in parsed.meta.get("model", []) if getattr(obj, "kind", None) in AUTOSCALERS]
    if not model:
        return []
    return [LintUnit(parsed.format, parsed.path, [ParsedFile(parsed.source, parsed.format)], model)]
