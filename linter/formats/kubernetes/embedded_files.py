"""Configuration files held in ConfigMaps (`data`) and Secrets (`stringData`):
a key named like a file (`nginx.conf`, `config.xml`, `.env`) whose value is a
literal block is handed to the run as a file of its own, laid out at its
lines and columns of the manifest, so the pack of its format lints it and
every finding points at the true line inside the YAML.

Values in folded (`>`) or quoted multi-line scalars are not linted this way:
their line breaks and escapes are not the file's, so no position inside them
would be exact (the manifest's own rules still see them).
"""

from __future__ import annotations

from linter.core.model import MappingNode, ParsedFile, ScalarNode, SourceFile
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.value_positions import in_place

_HOLDERS = {"ConfigMap": ("data",), "Secret": ("stringData",)}


def embedded_files(parsed: ParsedFile) -> list[tuple[str, SourceFile]]:
    found: list[tuple[str, SourceFile]] = []
    for obj in parsed.meta.get("model", []):
        if not isinstance(obj, K8sObject):
            continue
        for field in _HOLDERS.get(obj.kind, ()):
            data = obj.node.get(field)
            if not isinstance(data, MappingNode):
                continue
            for key, value in data.pairs:
                if not isinstance(value, ScalarNode) or not isinstance(value.value, str) or "\n" not in value.value:
                    continue  # one-line values are settings, not files
                laid_out = in_place(value, parsed.source)
                if laid_out is not None:
                    found.append((key.text, laid_out))
    return found
