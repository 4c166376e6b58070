"""Recognising Kubernetes manifests: YAML or JSON holding `apiVersion` and `kind`."""

from __future__ import annotations

import re
from pathlib import Path

from linter.core.discover import SNIFF_BYTES

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_API = re.compile(r'^\s*(?:-\s+)?"?apiVersion"?\s*:', re.M)
_KIND = re.compile(r'^\s*(?:-\s+)?"?kind"?\s*:', re.M)
_JSON_API = re.compile(r'"apiVersion"\s*:')
_JSON_KIND = re.compile(r'"kind"\s*:')


# A line of YAML that says nothing about the document: blank, a comment, a
# document marker or a directive.
_PREAMBLE_LINE = re.compile(r"[ \t]*(?:#.*)?|---[ \t]*(?:#.*)?|%.*")
# How far past the sniffed head a file is read, line by line, before giving
# up: through leading commentary (licence headers, generated-file banners), or
# to the `kind:` of an object whose first fields are long (a `kind: List`
# whose first ConfigMap holds a dashboard: keys are often sorted, and `data`
# comes before `kind`).
MAX_SCAN_BYTES = 4 << 20


def is_manifest(path: Path, head: str) -> bool:
    name = path.name.lower()
    if not name.endswith(MANIFEST_SUFFIXES):
        return False
    api, kind = (_JSON_API, _JSON_KIND) if name.endswith(".json") else (_API, _KIND)
    if api.search(head) and kind.search(head):
        return True  # compact JSON keeps every key on one line
    if len(head.encode("utf-8", "replace")) < SNIFF_BYTES:
        return False  # the whole file was seen
    if _only_preamble(head):
        content = _head_after_preamble(path)
        return bool(content and api.search(content) and kind.search(content))
    return bool(api.search(head)) and _found_later(path, kind)


def _only_preamble(head: str) -> bool:
    lines = head.split("\n")[:-1]  # the last line may be cut short
    return all(_PREAMBLE_LINE.fullmatch(line.rstrip("\r")) for line in lines)


def _head_after_preamble(path: Path) -> str:
    """The first SNIFF_BYTES of the file after its leading comment lines."""
    skipped = 0
    try:
        with open(path, "rb") as fh:
            while skipped <= MAX_SCAN_BYTES:
                raw = fh.readline(SNIFF_BYTES)
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r\n")
                if not _PREAMBLE_LINE.fullmatch(line):
                    return line + "\n" + fh.read(SNIFF_BYTES).decode("utf-8", "replace")
                skipped += len(raw)
    except OSError:
        pass
    return ""


def _found_later(path: Path, pattern: re.Pattern[str]) -> bool:
    """Whether a line of the file (within MAX_SCAN_BYTES) matches `pattern`."""
    read = 0
    try:
        with open(path, "rb") as fh:
            while read <= MAX_SCAN_BYTES:
                raw = fh.readline(SNIFF_BYTES)
                if not raw:
                    break
                read += len(raw)
                if pattern.search(raw.decode("utf-8", "replace")):
                    return True
    except OSError:
        pass
    return False


def in_helm_templates(path: Path, root: Path) -> bool:
    """Files under a chart's templates/ are Go templates, not manifests."""
    return helm_chart_of(path, root) is not None


def helm_chart_of(path: Path, root: Path) -> Path | None:
    """The Chart.yaml of the chart whose templates/ holds `path` (within `root`)."""
    if "templates" not in path.parts:
        return None
    for parent in path.parents:
        if parent.name == "templates" and (parent.parent / "Chart.yaml").is_file():
            return parent.parent / "Chart.yaml"
        if parent == root or parent == parent.parent:
            break
    return None
