"""How the kubelet resolves a securityContext: a container's own field
overrides the pod's. Shared by every check that reads one, so the pod-level
and container-level settings count the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.model import MappingNode, Node

# Every list of containers a pod spec holds; the Pod Security Standards judge
# all of them, ephemeral (debug) containers included.
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def effective(container: MappingNode, pod: MappingNode | None, *path: str) -> Node | None:
    """A securityContext field as the kubelet applies it: container over pod."""
    own = container.path("securityContext", *path)
    if own is not None:
        return own
    return pod.path("securityContext", *path) if pod is not None else None


@dataclass(frozen=True, slots=True)
class PodContainer:
    name: str
    node: MappingNode


def pod_containers(pod: MappingNode) -> Iterator[PodContainer]:
    """Every container of a pod spec, in document order of its lists."""
    for field_name in CONTAINER_LISTS:
        for index, item in enumerate(pod.sequence(field_name) or ()):
            if isinstance(item, MappingNode):
                yield PodContainer(item.text("name") or f"#{index}", item)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A field's effective node for one container, and whether it came from
    the pod (so a pod-level value many containers inherit is reported once)."""

    node: Node
    container: str
    inherited: bool


def resolved(pod: MappingNode, *path: str) -> Iterator[Resolved]:
    """The effective value of `securityContext.<path>` of every container that
    has one: a container's own value each time, the pod's value once (at the
    first container inheriting it)."""
    pod_value = pod.path("securityContext", *path)
    pod_reported = False
    for container in pod_containers(pod):
        own = container.node.path("securityContext", *path)
        if own is not None:
            yield Resolved(own, container.name, inherited=False)
        elif pod_value is not None and not pod_reported:
            pod_reported = True
            yield Resolved(pod_value, container.name, inherited=True)
