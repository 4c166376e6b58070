"""Where a config held in a ConfigMap or Secret runs (`Format.place_held`).

The held file knows the position of the value it came from; the objects of
every deployment the run knows (its units and the context read from disk)
are searched once for the holder written at that position, so a ConfigMap is
found however its deployment is made: its own file, a sibling in the same
directory, or a Kustomize build that renamed it (a name prefix rewrites the
volumes that mount it too). Inside each deployment that holds it, the
containers that mount it give their memory limits, and the deployment's
Services are what a proxy in it may reach. A base built by several overlays
is placed in each of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from linter.core.embedding import Embedded, HolderIgnore, MemoryBound, NamedService, Network, Placement, ServicePort
from linter.core.model import MappingNode, ScalarNode, Span
from linter.formats.kubernetes.annotations import holder_ignores
from linter.formats.kubernetes.api_subjects import api_table
from linter.formats.kubernetes.embedded_files import container_memory_bound, held_values
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.references import DeploymentIndex, PodTemplate, deployment_index, integer, sequence_items
from linter.formats.kubernetes.selectors import pod_spec_paths

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit

_CACHE = "kubernetes.held-values"
Position = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Holder:
    """A ConfigMap or Secret value holding a file, in one unit."""

    unit: LintUnit
    obj: K8sObject
    key: str
    volume_kind: str
    name_key: str


def place_held(held: Embedded, ctx: RunContext) -> Placement:
    if held.value is None:
        return held.placement
    found = _placement_at((held.value.file, held.value.line, held.value.column), ctx)
    if found is None:
        return held.placement
    # The holder's suppressions as its own file wrote them (an Ingress's, a CHI's), and as its builds make it.
    ignores = {(i.tokens, i.span): i for i in (*held.placement.ignores, *found.ignores)}
    return replace(found, ignores=tuple(ignores.values()))


def place_consumed(path: str, ctx: RunContext) -> Placement:
    """A file on disk whose whole text is a ConfigMap's value (a
    configMapGenerator's `files:` entry) is placed where that ConfigMap is."""
    found = _placement_at((path, 1, 1), ctx)
    return found if found is not None else Placement()


def _placement_at(position: Position, ctx: RunContext) -> Placement | None:
    """The placement of the value written at `position`, in every deployment holding it (None: none does)."""
    holders = _holders(ctx).get(position, [])
    if not holders:
        return None
    bounds: dict[tuple[str, int, str, int, int], MemoryBound] = {}
    networks: dict[tuple[str, str], Network] = {}
    ignores: dict[tuple[tuple[str, ...], Span], HolderIgnore] = {}
    for holder in holders:
        index = deployment_index(holder.unit, ctx, pod_spec_paths(ctx), api_table(ctx))
        for pod in index.pods_in(holder.obj.namespace):
            for bound in _memory_bounds(pod, holder):
                bounds.setdefault((bound.who, bound.limit_bytes, bound.span.file, bound.span.line, bound.span.column), bound)
        networks.setdefault((index.where, holder.obj.namespace), Network(holder.obj.namespace, index.where, tuple(_services(index))))
        for ignore in holder_ignores(holder.obj):
            ignores.setdefault((ignore.tokens, ignore.span), ignore)
    return Placement(tuple(bounds.values()), tuple(networks.values()), tuple(ignores.values()))


def _holders(ctx: RunContext) -> dict[Position, list[Holder]]:
    """Every file-holding value of the run's Kubernetes units, by position (made once per run)."""
    cached: dict[Position, list[Holder]] | None = ctx.cache.get(_CACHE)
    if cached is not None:
        return cached
    found: dict[Position, list[Holder]] = {}
    for unit in ctx.units_of("kubernetes"):
        for obj in unit.model if isinstance(unit.model, list) else ():
            if not isinstance(obj, K8sObject):
                continue
            for key, value, volume_kind, name_key in held_values(obj):
                at = (value.span.file, value.span.line, value.span.column)
                found.setdefault(at, []).append(Holder(unit, obj, key, volume_kind, name_key))
    ctx.cache[_CACHE] = found
    return found


def _memory_bounds(pod: PodTemplate, holder: Holder) -> list[MemoryBound]:
    """The memory limits of the pod's containers that read the held key: those
    that mount it (a `subPath` mount carries only the path it names), and,
    when some of them name its mounted path in their command or args
    (`redis-server /etc/redis/redis.conf`), only those: a sidecar mounting the
    same volume does not run the config."""
    volumes = {v.text("name"): paths for v in sequence_items(pod.spec.sequence("volumes")) if (paths := _carried_paths(v, holder))}
    if not volumes:
        return []
    readers: list[tuple[MappingNode, bool]] = []
    for container in pod.containers:
        mounted = [path for m in sequence_items(container.sequence("volumeMounts")) for path in _mounted_paths(m, volumes)]
        if mounted:
            readers.append((container, any(_names_path(container, path) for path in mounted)))
    running = [c for c, named in readers if named] or [c for c, _ in readers]
    bounds = [container_memory_bound(container, f"in {pod.obj.kind}/{pod.obj.name}") for container in running]
    return [bound for bound in bounds if bound is not None]


def _carried_paths(volume: MappingNode, holder: Holder) -> tuple[str, ...]:
    """Where the held key is inside the volume (`items` may move it; none:
    the volume does not carry it)."""
    source = volume.mapping(holder.volume_kind)
    if source is None or source.text(holder.name_key) != holder.obj.name:
        return ()
    items = source.sequence("items")
    if items is None:
        return (holder.key,)
    return tuple(i.text("path") or holder.key for i in sequence_items(items) if i.text("key") == holder.key)


def _mounted_paths(mount: MappingNode, volumes: dict[str, tuple[str, ...]]) -> Iterator[str]:
    """Where a mount puts the held key in the container: under its mountPath,
    or at it for a `subPath` naming the key's path (a `subPath` of another
    key, or a directory not holding it, mounts something else)."""
    at = mount.text("mountPath").rstrip("/")
    sub = mount.text("subPath").strip("/")
    for path in volumes.get(mount.text("name"), ()):
        if not sub:
            yield f"{at}/{path}"
        elif path == sub:
            yield at
        elif path.startswith(sub + "/"):
            yield f"{at}/{path[len(sub) + 1:]}"


def _names_path(container: MappingNode, path: str) -> bool:
    """Whether the container's command or args name `path` (as a word of a shell line too)."""
    named = re.compile(rf"(?<![\w./-]){re.escape(path)}(?![\w./-])")
    words = (w for field in ("command", "args") for w in container.sequence(field) or ())
    return any(isinstance(w, ScalarNode) and isinstance(w.value, str) and named.search(w.value) for w in words)


def _services(index: DeploymentIndex) -> list[NamedService]:
    found = []
    for kind, namespace in list(index.names):
        if kind != "Service":
            continue
        for obj in index.defined(kind, namespace):
            spec = obj.node.mapping("spec")
            written = sequence_items(spec.sequence("ports") if spec is not None else None)
            ports = tuple(_port(number, p) for p in written if (number := integer(p.get("port"))) is not None)
            found.append(NamedService(obj.name, namespace, ports))
    return found


def _port(number: int, port: MappingNode) -> ServicePort:
    target = port.get("targetPort")
    named = target.text if isinstance(target, ScalarNode) and isinstance(target.value, str) else ""
    return ServicePort(number, port.text("name"), port.text("appProtocol"), named, port.span)
