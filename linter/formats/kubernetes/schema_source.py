"""Where the Kubernetes JSON schemas come from: the optional
`kubernetes-validate` package (`pip install 'deploylint[schemas]'`), which
ships one strict schema set per minor release (v1.25 onwards).

Only this module knows the package's layout; the compiler (`schema.py`) and
the API table's derivation (`derive_apis.py`) read definitions through it.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

_SET = re.compile(r"^v(\d+)\.(\d+)\.\d+-local-strict$")

Version = tuple[int, int]


def parse_version(text: str) -> Version | None:
    """"1.30" (or "v1.30", "1.30.2") as (1, 30); None when it is not one."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def format_version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def _root() -> Path | None:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"
    return root if root.is_dir() else None


def package_version() -> str | None:
    """The installed kubernetes-validate's version (part of the cache key)."""
    root = _root()
    if root is None:
        return None
    version_file = root.parent / "version.py"
    try:
        match = re.search(r"['\"]([^'\"]+)['\"]", version_file.read_text(encoding="utf-8"))
    except OSError:
        return None
    return match.group(1) if match else "unknown"


def schema_sets() -> dict[Version, Path]:
    """Each minor release's strict definitions file, by version; empty when
    kubernetes-validate is not installed."""
    root = _root()
    if root is None:
        return {}
    found: dict[Version, Path] = {}
    for child in root.iterdir():
        match = _SET.match(child.name)
        definitions = child / "_definitions.json"
        if match and definitions.is_file():
            found[(int(match.group(1)), int(match.group(2)))] = definitions
    return found


def definitions(path: Path) -> dict[str, Any]:
    """The `$defs` of one definitions file (name -> JSON Schema)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    defs = data.get("$defs") or data.get("definitions") or {}
    return defs if isinstance(defs, dict) else {}


def object_kinds(defs: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(apiVersion, kind) -> definition name, for every object a cluster
    stores (those with metadata; not lists, options or reviews' plumbing)."""
    kinds: dict[tuple[str, str], str] = {}
    for name, schema in defs.items():
        properties = schema.get("properties") or {}
        if "metadata" not in properties or "ObjectMeta" not in str(properties["metadata"].get("$ref", "")):
            continue
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            group, version, kind = gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")
            api_version = f"{group}/{version}" if group else version
            kinds[(api_version, kind)] = name
    return kinds
