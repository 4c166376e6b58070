"""Kubernetes object schemas compiled into property trees.

Running `jsonschema` on every document is far too slow for a pre-commit hook,
and its errors point at JSON paths, not at keys. So each release's strict
definitions are compiled once into one `KindTree` per apiVersion/kind: a
flat table of the shapes its objects reach (the types a value may have, its
properties, which are required, whether unknown keys are refused, the shape
of its items or map values, its allowed values), root first. The walk over
the positioned model (`schema_walk.py`) then costs one dictionary lookup per
key.

The trees are kept in the user's cache directory (see
`linter.core.rule_cache.cache_dir`), a directory per schema release and
kubernetes-validate version holding an index and one file per kind, so a run
reads the few kinds it meets (tens of kilobytes) instead of compiling
megabytes; an unreadable or unwritable cache only means compiling.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable
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

FORMAT = 2

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

    def free(self) -> bool:
        """Whether any value fits (nothing to check below it)."""
        return (self.types is None and not self.properties and not self.closed and self.values is None
                and self.items is None and not self.enum)


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,)}
_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def _fitting(shape: Shape) -> frozenset[type]:
    if shape.enum:
        return frozenset({type(None)})
    if shape.types is None:
        return _SCALARS
    return frozenset({type(None), *(t for name in shape.types for t in _PYTHON_TYPES.get(name, ()))})


class KindTree:
    """The shapes one kind's objects can reach, its root at index 0."""

    def __init__(self, shapes: list[Shape]) -> None:
        self.shapes = shapes
        self.free = [shape.free() for shape in shapes]  # by shape id: what the walk may skip
        # By shape id, the Python types of scalar values that need no check
        # at all (they fit and no closed set applies): the walk's fast path.
        self.fitting = [_fitting(shape) for shape in shapes]
        self.mappings = [shape.types is None or "object" in shape.types for shape in shapes]  # takes a mapping as is
        self._homes: dict[str, list[str]] = {}

    def homes(self, name: str) -> list[str]:
        """Every dotted path where `name` is a property, shallowest first
        (`spec.template.spec.containers`; `[]` for list items), to tell a key
        at the wrong level where it belongs; breadth first, each shape once."""
        if name not in self._homes:
            self._homes[name] = self._search(name)
        return self._homes[name]

    def _search(self, name: str) -> list[str]:
        found: list[str] = []
        seen = {0}
        queue: deque[tuple[int, str]] = deque([(0, "")])
        while queue:
            shape_id, path = queue.popleft()
            shape = self.shapes[shape_id]
            if name in shape.properties:
                found.append(f"{path}.{name}".lstrip("."))
            children = [(child, f"{path}.{prop}") for prop, child in shape.properties.items()]
            if shape.items is not None:
                children.append((shape.items, f"{path}[]"))
            for child, child_path in children:
                if child not in seen:
                    seen.add(child)
                    queue.append((child, child_path.lstrip(".")))
        return found


class Shapes:
    """One release's compiled schemas: which kinds have one, and each kind's
    tree, read on first use (a run meets a handful of kinds)."""

    def __init__(self, version: Version, kinds: set[tuple[str, str]], read: Callable[[tuple[str, str]], KindTree]) -> None:
        self.version = version
        self.kinds = kinds
        self._read = read
        self._trees: dict[tuple[str, str], KindTree] = {}

    def tree(self, api_version: str, kind: str) -> KindTree | None:
        pair = (api_version, kind)
        if pair not in self.kinds:
            return None
        if pair not in self._trees:
            self._trees[pair] = self._read(pair)
        return self._trees[pair]


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


def _subtree(shapes: list[Shape], root: int) -> KindTree:
    """The shapes reachable from `root`, renumbered with the root first."""
    order, index = [root], {root: 0}
    for shape_id in order:  # grows while it is walked: breadth first
        shape = shapes[shape_id]
        for child in (*shape.properties.values(), shape.values, shape.items):
            if child is not None and child not in index:
                index[child] = len(order)
                order.append(child)
    renumbered = []
    for shape_id in order:
        shape = shapes[shape_id]
        renumbered.append(Shape(
            shape.types, {prop: index[child] for prop, child in shape.properties.items()}, shape.required, shape.closed,
            index[shape.values] if shape.values is not None else None, index[shape.items] if shape.items is not None else None,
            shape.enum, shape.name,
        ))
    return KindTree(renumbered)


def compile_set(defs: dict[str, Any]) -> dict[tuple[str, str], KindTree]:
    compiler = _Compiler(defs)
    roots = {pair: compiler.definition(name) for pair, name in object_kinds(defs).items()}
    return {pair: _subtree(compiler.shapes, root) for pair, root in roots.items()}


# --- the cache ---------------------------------------------------------------------------


def _dump(tree: KindTree) -> list[Any]:
    return [
        [sorted(s.types) if s.types is not None else None, s.properties, list(s.required), s.closed, s.values, s.items,
         list(s.enum), s.name]
        for s in tree.shapes
    ]


def _load(data: list[Any]) -> KindTree:
    return KindTree([
        Shape(frozenset(types) if types is not None else None, properties, tuple(required), closed, values, items,
              tuple(enum), name)
        for types, properties, required, closed, values, items, enum, name in data
    ])


def _file_name(pair: tuple[str, str]) -> str:
    return f"{pair[0].replace('/', '_')}_{pair[1]}.json"


def _cache_directory(version: Version) -> Path | None:
    directory = cache_dir()
    package = package_version()
    if directory is None or package is None:
        return None
    return directory / f"k8s-schema-{FORMAT}-{package}-{format_version(version)}"


def _write_cache(directory: Path, trees: dict[tuple[str, str], KindTree]) -> None:
    """One file per kind, then the index that makes them valid."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for pair, tree in trees.items():
            _write(directory / _file_name(pair), _dump(tree))
        _write(directory / "index.json", sorted([api, kind] for api, kind in trees))
    except OSError:
        pass


def _write(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


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
    """The compiled schemas for `target`: each kind's tree read from the
    cache when it is first needed, else everything compiled (and cached);
    None when kubernetes-validate is not installed."""
    sets = schema_sets()
    version = nearest_set(target, sorted(sets))
    if version is None:
        return None
    source = sets[version]
    directory = _cache_directory(version)
    compiled: dict[tuple[str, str], KindTree] = {}

    def all_trees() -> dict[tuple[str, str], KindTree]:
        if not compiled:
            compiled.update(compile_set(definitions(source)))
        return compiled

    def read(pair: tuple[str, str]) -> KindTree:
        if directory is not None and not compiled:
            try:
                return _load(json.loads((directory / _file_name(pair)).read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a damaged cache: compile, and rewrite it
        trees = all_trees()
        if directory is not None:
            _write_cache(directory, trees)
        return trees[pair]

    if directory is not None:
        try:
            index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
            return Shapes(version, {(api, kind) for api, kind in index}, read)
        except (OSError, ValueError, TypeError):
            pass
    trees = all_trees()
    if directory is not None:
        _write_cache(directory, trees)
    return Shapes(version, set(trees), lambda pair: trees[pair])
