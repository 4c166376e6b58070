"""Where a rule's JSON Schema may point: inside itself (`#...`) or at one of the
project's own schemas (`schemas/*.json`, by `$id`). Anything else (`http(s)://`,
`file://`, a relative file) would make evaluation fetch a URL or read a file a
pull request chose, so it is refused when rules load, and the validator's
registry retrieves nothing even if a reference slips past.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from linter.core.resources import schemas_dir

_REF_KEYWORDS = ("$ref", "$dynamicRef")
# Keywords whose values are data, not subschemas: a "$ref" in them is never resolved.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})


@functools.cache
def project_schemas() -> dict[str, Any]:
    """The project's schemas by `$id`."""
    found: dict[str, Any] = {}
    for path in sorted(schemas_dir().glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(schema, dict) and isinstance(schema.get("$id"), str):
            found[schema["$id"]] = schema
    return found


def refused_refs(schema: Any) -> list[tuple[list[str | int], str]]:
    """(path to the keyword, reason) for every reference outside the schema and the project's schemas."""
    found: list[tuple[list[str | int], str]] = []
    _walk(schema, [], found)
    return found


def _walk(node: Any, path: list[str | int], found: list[tuple[list[str | int], str]]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _walk(item, [*path, index], found)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _REF_KEYWORDS and isinstance(value, str):
            reason = _refusal(value)
            if reason:
                found.append(([*path, key], reason))
        elif key not in _DATA_KEYWORDS or _is_schema_map(path):
            _walk(value, [*path, key], found)


def _is_schema_map(path: list[str | int]) -> bool:
    """True inside `properties` (and the like), where "const" or "enum" is a property name."""
    return bool(path) and path[-1] in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def _refusal(ref: str) -> str:
    if ref.startswith("#"):
        return ""
    if ref.partition("#")[0] in project_schemas():
        return ""
    scheme = ref.partition(":")[0].lower() if ":" in ref else ""
    if scheme in ("http", "https"):
        kind = "a remote reference"
    elif scheme == "file":
        kind = "a file reference"
    else:
        kind = "a reference outside this rule file"
    return (
        f"{kind} is not resolved: a rule's schema may refer only to itself ('#/$defs/name') "
        "or to deploylint's own schemas"
    )


@functools.cache
def offline_registry() -> Any:
    """A `referencing` registry holding the project's schemas that refuses to retrieve anything else."""
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    def retrieve(uri: str) -> Any:
        raise NoSuchResource(uri)

    resources = [(uri, Resource.from_contents(schema)) for uri, schema in project_schemas().items()]
    registry: Any = Registry(retrieve=retrieve)  # type: ignore[call-arg]  # attrs field mypy cannot see
    return registry.with_resources(resources)
