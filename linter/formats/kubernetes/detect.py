"""Recognising Kubernetes manifests: YAML or JSON holding `apiVersion` and `kind`."""

from __future__ import annotations

import re
from pathlib import Path

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_API = re.compile(r'^\s*(?:-\s+)?"?apiVersion"?\s*:', re.M)
_KIND = re.compile(r'^\s*(?:-\s+)?"?kind"?\s*:', re.M)
_JSON_API = re.compile(r'"apiVersion"\s*:')
_JSON_KIND = re.compile(r'"kind"\s*:')


def is_manifest(path: Path, head: str) -> bool:
    name = path.name.lower()
    if not name.endswith(MANIFEST_SUFFIXES):
        return False
    if name.endswith(".json") and _JSON_API.search(head) and _JSON_KIND.search(head):
        return True  # compact JSON keeps every key on one line
    return bool(_API.search(head) and _KIND.search(head))


def in_helm_templates(path: Path, root: Path) -> bool:
    """Files under a chart's templates/ are Go templates, not manifests."""
    if "templates" not in path.parts:
        return False
    for parent in path.parents:
        if (parent / "Chart.yaml").is_file():
            return True
        if parent == root or parent == parent.parent:
            break
    return False
