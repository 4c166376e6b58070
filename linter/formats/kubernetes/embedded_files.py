"""Configuration files held in ConfigMaps (`data`) and Secrets (`stringData`):
a key named like a file (`nginx.conf`, `config.xml`, `.env`) whose value is a
literal block is handed to the run as a file of its own, laid out at its
lines and columns of the manifest, so the pack of its format lints it and
every finding points at the true line inside the YAML. Where it runs (the
containers that mount it, the Services beside it) is found later, in its
holder's deployment: `placement.py`.

Values in folded (`>`) or quoted multi-line scalars are not linted this way:
their line breaks and escapes are not the file's, so no position inside them
would be exact (the manifest's own rules still see them).
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.core.embedding import Embedded
from linter.core.model import MappingNode, ParsedFile, ScalarNode
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.value_positions import in_place

# The kinds that hold files, the field holding them, and how a pod's volume names the holder.
HOLDERS = {"ConfigMap": (("data", "configMap", "name"),), "Secret": (("stringData", "secret", "secretName"),)}


def held_values(obj: K8sObject) -> Iterator[tuple[str, ScalarNode, str, str]]:
    """The values of `obj` that hold a file: (key, value, volume kind, volume name key)."""
    for field, volume_kind, name_key in HOLDERS.get(obj.kind, ()):
        data = obj.node.get(field)
        if not isinstance(data, MappingNode):
            continue
        for key, value in data.pairs:
            # One-line values are settings, not files.
            if isinstance(value, ScalarNode) and isinstance(value.value, str) and "\n" in value.value:
                yield key.text, value, volume_kind, name_key


def embedded_files(parsed: ParsedFile) -> list[Embedded]:
    found: list[Embedded] = []
    for obj in parsed.meta.get("model", []):
        if not isinstance(obj, K8sObject):
            continue
        for key, value, _, _ in held_values(obj):
            laid_out = in_place(value, parsed.source)
            if laid_out is not None:
                found.append(Embedded(key, laid_out, value=value.span, group=f"{parsed.path}:{obj.node.span.line}:{obj.node.span.column}"))
    return found
