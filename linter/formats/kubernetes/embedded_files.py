"""Configuration files held in ConfigMaps (`data`) and Secrets (`stringData`):
a key named like a file (`nginx.conf`, `config.xml`, `.env`) whose value is a
literal block is handed to the run as a file of its own, laid out at its
lines and columns of the manifest, so the pack of its format lints it and
every finding points at the true line inside the YAML. With it goes the
memory limit of each container in the same file that mounts it, for rules
that compare the config with where it runs (Redis `maxmemory`).

Values in folded (`>`) or quoted multi-line scalars are not linted this way:
their line breaks and escapes are not the file's, so no position inside them
would be exact (the manifest's own rules still see them).
"""

from __future__ import annotations

from linter.core.embedding import Embedded, MemoryBound
from linter.core.model import MappingNode, ParsedFile, ScalarNode
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.quantity import parse_quantity
from linter.formats.kubernetes.selectors import POD_SPEC_PATHS
from linter.formats.kubernetes.value_positions import in_place

_HOLDERS = {"ConfigMap": (("data", "configMap", "name"),), "Secret": (("stringData", "secret", "secretName"),)}


def embedded_files(parsed: ParsedFile) -> list[Embedded]:
    objects = [obj for obj in parsed.meta.get("model", []) if isinstance(obj, K8sObject)]
    found: list[Embedded] = []
    for obj in objects:
        for field, volume_kind, name_key in _HOLDERS.get(obj.kind, ()):
            data = obj.node.get(field)
            if not isinstance(data, MappingNode):
                continue
            for key, value in data.pairs:
                if not isinstance(value, ScalarNode) or not isinstance(value.value, str) or "\n" not in value.value:
                    continue  # one-line values are settings, not files
                laid_out = in_place(value, parsed.source)
                if laid_out is not None:
                    bounds = tuple(_memory_bounds(objects, obj, key.text, volume_kind, name_key))
                    found.append(Embedded(key.text, laid_out, bounds))
    return found


def _memory_bounds(objects: list[K8sObject], holder: K8sObject, key: str, volume_kind: str, name_key: str) -> list[MemoryBound]:
    """Memory limits of the containers, in the same file and namespace, that
    mount a volume of `holder` carrying `key`."""
    bounds = []
    for obj in objects:
        path = POD_SPEC_PATHS.get(obj.kind)
        spec = obj.node.path(*path) if path else None
        if not isinstance(spec, MappingNode) or obj.namespace != holder.namespace:
            continue
        volumes = {v.text("name") for v in spec.sequence("volumes") or () if isinstance(v, MappingNode) and _carries(v, volume_kind, name_key, holder.name, key)}
        for container in spec.sequence("containers") or ():
            if not isinstance(container, MappingNode) or not volumes:
                continue
            mounts = {m.text("name") for m in container.sequence("volumeMounts") or () if isinstance(m, MappingNode)}
            limit = container.path("resources", "limits", "memory")
            amount = parse_quantity(limit.value) if isinstance(limit, ScalarNode) else None
            if mounts & volumes and limit is not None and amount is not None:
                who = f"container '{container.text('name')}' in {obj.kind}/{obj.name}"
                bounds.append(MemoryBound(who, int(amount), limit.span))
    return bounds


def _carries(volume: MappingNode, volume_kind: str, name_key: str, name: str, key: str) -> bool:
    source = volume.mapping(volume_kind)
    if source is None or source.text(name_key) != name:
        return False
    items = source.sequence("items")
    return items is None or any(isinstance(i, MappingNode) and i.text("key") == key for i in items)
