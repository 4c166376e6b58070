"""Kubernetes object schemas compiled into property trees.

Running `jsonschema` on every document is far too slow for a pre-commit hook,
and its errors point at JSON paths, not at keys. So each release's strict
definitions are compiled once into `Shapes`: a flat table of shapes (the
types a value may have, its properties, which are required, whether unknown
keys are refused, the shape of its items or map values, its allowed values),
and the root shape of each apiVersion/kind. The walk over the positioned
model (`schema_walk.py`) then costs one dictionary lookup per key.

A compiled table is kept in the user's cache directory (see
`linter.core.rule_cache.cache_dir`), one JSON file per schema release and
kubernetes-validate version, so a run reads a few hundred kilobytes instead of
compiling megabytes; an unreadable or unwritable cache only means compiling.
"""

from __future__ import annotations

import json
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.core.rule_cache import cache_dir
from linter.formats.kubernetes.schema_source import (
    Version,
    definitions,
    format_version,
    object_kinds,
    package_version,
    schema_sets,
)

FORMAT = 1

# The schemas carry no enums for fields (only for apiVersion and kind); these
# are the closed sets of values the API server accepts, by definition and
# property, from the API reference. A value outside them is refused on apply.
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("io.k8s.api.core.v1.Container", "imagePullPolicy"): ("Always", "IfNotPresent", "Never"),
    ("io.k8s.api.core.v1.EphemeralContainer", "imagePullPolicy"): ("Always", "IfNotPresent", "Never"),
    ("io.k8s.api.core.v1.Container", "terminationMessagePolicy"): ("File", "FallbackToLogsOnError"),
    ("io.k8s.api.core.v1.PodSpec", "restartPolicy"): ("Always", "OnFailure", "Never"),
    ("io.k8s.api.core.v1.PodSpec", "dnsPolicy"): ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"),
    ("io.k8s.api.core.v1.PodSpec", "preemptionPolicy"): ("PreemptLowerPriority", "Never"),
    ("io.k8s.api.core.v1.ContainerPort", "protocol"): ("TCP", "UDP", "SCTP"),
    ("io.k8s.api.core.v1.ServicePort", "protocol"): ("TCP", "UDP", "SCTP"),
    ("io.k8s.api.core.v1.ServiceSpec", "type"): ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"),
    ("io.k8s.api.core.v1.ServiceSpec", "externalTrafficPolicy"): ("Cluster", "Local"),
    ("io.k8s.api.core.v1.ServiceSpec", "internalTrafficPolicy"): ("Cluster", "Local"),
    ("io.k8s.api.core.v1.ServiceSpec", "sessionAffinity"): ("ClientIP", "None"),
    ("io.k8s.api.core.v1.SeccompProfile", "type"): ("RuntimeDefault", "Localhost", "Unconfined"),
    ("io.k8s.api.core.v1.AppArmorProfile", "type"): ("RuntimeDefault", "Localhost", "Unconfined"),
    ("io.k8s.api.core.v1.Toleration", "operator"): ("Exists", "Equal"),
    ("io.k8s.api.core.v1.Toleration", "effect"): ("NoSchedule", "PreferNoSchedule", "NoExecute"),
    ("io.k8s.api.core.v1.PersistentVolumeClaimSpec", "volumeMode"): ("Block", "Filesystem"),
    ("io.k8s.api.apps.v1.DeploymentStrategy", "type"): ("Recreate", "RollingUpdate"),
    ("io.k8s.api.apps.v1.StatefulSetSpec", "podManagementPolicy"): ("OrderedReady", "Parallel"),
    ("io.k8s.api.apps.v1.StatefulSetUpdateStrategy", "type"): ("OnDelete", "RollingUpdate"),
    ("io.k8s.api.apps.v1.DaemonSetUpdateStrategy", "type"): ("OnDelete", "RollingUpdate"),
    ("io.k8s.api.batch.v1.CronJobSpec", "concurrencyPolicy"): ("Allow", "Forbid", "Replace"),
    ("io.k8s.api.batch.v1.JobSpec", "completionMode"): ("NonIndexed", "Indexed"),
    ("io.k8s.api.networking.v1.IngressPath", "pathType"): ("Exact", "Prefix", "ImplementationSpecific"),
    ("io.k8s.api.policy.v1.PodDisruptionBudgetSpec", "unhealthyPodEvictionPolicy"): ("IfHealthyBudget", "AlwaysAllow"),
}


ANY, STRING = 1, 2
_STRING = frozenset({"string"})


@dataclass(slots=True)
class Shape:
    types: frozenset[str] | None = None  # JSON types a value may have ("null" aside); None: any
    properties: dict[str, int] = field(default_factory=dict)  # property -> shape id
    required: tuple[str, ...] = ()
    closed: bool = False  # unknown keys are refused (the strict schemas' additionalProperties: false)
    values: int | None = None  # the shape of a map's values
    items: int | None = None  # the shape of an array's items
    enum: tuple[str, ...] = ()
    name: str = ""  # the definition's short name (Container, PodSpec), for messages

    def leaf(self) -> int:
        """ANY when any value fits, STRING when any string does, else 0."""
        if self.properties or self.closed or self.values is not None or self.items is not None or self.enum:
            return 0
        if self.types is None:
            return ANY
        return STRING if self.types == _STRING else 0


class Shapes:
    """One release's compiled schemas: shapes by id and each kind's root."""

    def __init__(self, version: Version, shapes: list[Shape], roots: dict[tuple[str, str], int]) -> None:
        self.version = version
        self.shapes = shapes
        self.roots = roots
        self.leaves = [shape.leaf() for shape in shapes]  # what the walk may skip, by shape id
        self._homes: dict[tuple[int, str], str | None] = {}

    def root(self, api_version: str, kind: str) -> int | None:
        return self.roots.get((api_version, kind))

    def home(self, root: int, name: str) -> str | None:
        """The shallowest dotted path under `root` where `name` is a property
        (`spec.template.spec.containers`), to tell a key at the wrong level
        where it belongs; breadth first, each shape visited once."""
        key = (root, name)
        if key not in self._homes:
            self._homes[key] = self._search(root, name)
        return self._homes[key]

    def _search(self, root: int, name: str) -> str | None:
        seen = {root}
        queue: deque[tuple[int, str]] = deque([(root, "")])
        while queue:
            shape_id, path = queue.popleft()
            shape = self.shapes[shape_id]
            if name in shape.properties:
                return f"{path}.{name}".lstrip(".")
            children = [(child, f"{path}.{prop}") for prop, child in shape.properties.items()]
            if shape.items is not None:
                children.append((shape.items, f"{path}[]"))
            for child, child_path in children:
                if child not in seen:
                    seen.add(child)
                    queue.append((child, child_path))
        return None


# --- compiling ---------------------------------------------------------------------------


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    if "oneOf" in schema or "anyOf" in schema:
        union: set[str] = set()
        for option in schema.get("oneOf") or schema.get("anyOf") or ():
            types = _types(option) if isinstance(option, dict) else None
            if types is None:
                return None
            union |= types
        return frozenset(union)
    declared = schema.get("type")
    if declared is None:
        return None
    names = {declared} if isinstance(declared, str) else set(declared)
    return frozenset(names - {"null"}) or None


class _Compiler:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.shapes: list[Shape] = []
        self.by_name: dict[str, int] = {}

    def definition(self, name: str) -> int:
        if name in self.by_name:
            return self.by_name[name]
        index = self._new()
        self.by_name[name] = index  # before filling it: definitions are recursive
        self._fill(index, self.defs.get(name) or {}, name)
        return index

    def _new(self) -> int:
        self.shapes.append(Shape())
        return len(self.shapes) - 1

    def schema(self, schema: dict[str, Any], owner: str, prop: str) -> int:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.definition(ref.rpartition("/")[2])
        index = self._new()
        self._fill(index, schema, "")
        enum = ENUMS.get((owner, prop))
        if enum:
            self.shapes[index].enum = enum
        return index

    def _fill(self, index: int, schema: dict[str, Any], name: str) -> None:
        shape = self.shapes[index]
        shape.name = name.rpartition(".")[2]
        shape.types = _types(schema)
        properties = schema.get("properties") or {}
        shape.properties = {prop: self.schema(sub, name, prop) for prop, sub in properties.items() if isinstance(sub, dict)}
        shape.required = tuple(schema.get("required") or ())
        additional = schema.get("additionalProperties")
        shape.closed = additional is False and not schema.get("x-kubernetes-preserve-unknown-fields")
        if isinstance(additional, dict):
            shape.values = self.schema(additional, name, "")
        items = schema.get("items")
        if isinstance(items, dict):
            shape.items = self.schema(items, name, "")


def compile_set(defs: dict[str, Any], version: Version) -> Shapes:
    compiler = _Compiler(defs)
    roots = {pair: compiler.definition(name) for pair, name in object_kinds(defs).items()}
    return Shapes(version, compiler.shapes, roots)


# --- the cache ---------------------------------------------------------------------------


def _dump(shapes: Shapes) -> dict[str, Any]:
    return {
        "version": format_version(shapes.version),
        "roots": [[api, kind, index] for (api, kind), index in shapes.roots.items()],
        "shapes": [
            [sorted(s.types) if s.types is not None else None, s.properties, list(s.required), s.closed, s.values, s.items,
             list(s.enum), s.name]
            for s in shapes.shapes
        ],
    }


def _load(data: dict[str, Any], version: Version) -> Shapes:
    shapes = [
        Shape(frozenset(types) if types is not None else None, properties, tuple(required), closed, values, items,
              tuple(enum), name)
        for types, properties, required, closed, values, items, enum, name in data["shapes"]
    ]
    roots = {(api, kind): index for api, kind, index in data["roots"]}
    return Shapes(version, shapes, roots)


def _cache_file(version: Version) -> Path | None:
    directory = cache_dir()
    package = package_version()
    if directory is None or package is None:
        return None
    return directory / f"k8s-schema-{FORMAT}-{package}-{format_version(version)}.json"


def nearest_set(target: Version, available: list[Version]) -> Version | None:
    """The schema release to validate against for a target release: itself,
    else the nearest one the package ships (older targets use the oldest)."""
    if not available:
        return None
    if target in available:
        return target
    older = [v for v in available if v <= target]
    return max(older) if older else min(available)


def load_shapes(target: Version) -> Shapes | None:
    """The compiled schemas for `target` (from the cache, else compiled and
    cached); None when kubernetes-validate is not installed."""
    sets = schema_sets()
    version = nearest_set(target, sorted(sets))
    if version is None:
        return None
    cached = _cache_file(version)
    if cached is not None:
        try:
            return _load(json.loads(cached.read_text(encoding="utf-8")), version)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    shapes = compile_set(definitions(sets[version]), version)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(_dump(shapes), separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, cached)
        except OSError:
            pass
    return shapes
