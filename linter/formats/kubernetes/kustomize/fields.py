"""Where kustomize's transformers write, as data (its built-in field specs,
for the kinds teams use): a path is a tuple of keys, `[]` for every item of
a list. `create` says whether a missing field is added or left alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from linter.core.model import MappingNode, Node, SequenceNode, Span
from linter.formats.kubernetes.kustomize.edit import with_value

WORKLOADS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    path: tuple[str, ...]
    kinds: tuple[str, ...] = ()  # empty: every kind
    create: bool = True

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


def _spec(path: str, kinds: tuple[str, ...] = (), create: bool = True) -> FieldSpec:
    return FieldSpec(tuple(path.split("/")), kinds, create)


TEMPLATE_LABELS = (
    _spec("spec/template/metadata/labels", (*WORKLOADS, "ReplicationController", "Job")),
    _spec("spec/jobTemplate/spec/template/metadata/labels", ("CronJob",)),
)

SELECTOR_LABELS = (
    _spec("spec/selector", ("Service", "ReplicationController")),
    _spec("spec/selector/matchLabels", WORKLOADS),
    _spec("spec/selector/matchLabels", ("Job", "PodDisruptionBudget"), create=False),
    _spec("spec/jobTemplate/spec/selector/matchLabels", ("CronJob",), create=False),
    _spec("spec/podSelector/matchLabels", ("NetworkPolicy",), create=False),
)

COMMON_LABELS = (
    _spec("metadata/labels"),
    *SELECTOR_LABELS,
    *TEMPLATE_LABELS,
    _spec("spec/jobTemplate/metadata/labels", ("CronJob",)),
    _spec("spec/volumeClaimTemplates/[]/metadata/labels", ("StatefulSet",)),
)

COMMON_ANNOTATIONS = (
    _spec("metadata/annotations"),
    _spec("spec/template/metadata/annotations", (*WORKLOADS, "ReplicationController", "Job")),
    _spec("spec/jobTemplate/metadata/annotations", ("CronJob",)),
    _spec("spec/jobTemplate/spec/template/metadata/annotations", ("CronJob",)),
)

# Name references: (the kind referred to, the referring kinds, the path of the name).
POD = "<pod>"  # a path relative to every pod spec
_CONTAINERS = ("containers", "initContainers", "ephemeralContainers")


@dataclass(frozen=True, slots=True)
class NameReference:
    target: str
    path: tuple[str, ...]
    kinds: tuple[str, ...] = (POD,)
    only_if: tuple[str, str] | None = None  # (sibling key, value) the referring item must have


def _ref(target: str, path: str, kinds: tuple[str, ...] = (POD,), only_if: tuple[str, str] | None = None) -> NameReference:
    return NameReference(target, tuple(path.split("/")), kinds, only_if)


NAME_REFERENCES = (
    _ref("ConfigMap", "volumes/[]/configMap/name"),
    _ref("ConfigMap", "volumes/[]/projected/sources/[]/configMap/name"),
    *(_ref("ConfigMap", f"{c}/[]/env/[]/valueFrom/configMapKeyRef/name") for c in _CONTAINERS),
    *(_ref("ConfigMap", f"{c}/[]/envFrom/[]/configMapRef/name") for c in _CONTAINERS),
    _ref("Secret", "volumes/[]/secret/secretName"),
    _ref("Secret", "volumes/[]/projected/sources/[]/secret/name"),
    *(_ref("Secret", f"{c}/[]/env/[]/valueFrom/secretKeyRef/name") for c in _CONTAINERS),
    *(_ref("Secret", f"{c}/[]/envFrom/[]/secretRef/name") for c in _CONTAINERS),
    _ref("Secret", "imagePullSecrets/[]/name"),
    _ref("Secret", "spec/tls/[]/secretName", ("Ingress",)),
    _ref("ServiceAccount", "serviceAccountName"),
    _ref("ServiceAccount", "subjects/[]/name", ("RoleBinding", "ClusterRoleBinding"), only_if=("kind", "ServiceAccount")),
    _ref("PersistentVolumeClaim", "volumes/[]/persistentVolumeClaim/claimName"),
    _ref("Service", "spec/rules/[]/http/paths/[]/backend/service/name", ("Ingress",)),
    _ref("Service", "spec/defaultBackend/service/name", ("Ingress",)),
    _ref("Service", "spec/serviceName", ("StatefulSet",)),
    _ref("Role", "roleRef/name", ("RoleBinding",), only_if=("kind", "Role")),
    _ref("ClusterRole", "roleRef/name", ("RoleBinding", "ClusterRoleBinding"), only_if=("kind", "ClusterRole")),
    _ref("PriorityClass", "priorityClassName"),
    *(_ref(kind, "spec/scaleTargetRef/name", ("HorizontalPodAutoscaler",), only_if=("kind", kind)) for kind in (*WORKLOADS, "ReplicationController")),
)


Change = Callable[[Node, MappingNode], Node]  # (the node at the path, its parent mapping) -> new node


def edit_each(node: Node, path: tuple[str, ...], change: Change, at: Span, create: bool, parent: MappingNode | None = None) -> Node:
    """`node` with `change` applied at every node `path` reaches (`[]`: each
    list item). With `create`, missing mappings on the way are created at
    `at` (the kustomization field that asked), and the last step is called
    with an empty mapping; lists are never created."""
    if not path:
        assert parent is not None
        return change(node, parent)
    head, rest = path[0], path[1:]
    if head == "[]":
        if not isinstance(node, SequenceNode):
            return node
        items = [edit_each(item, rest, change, at, create, parent) for item in node.items]
        if all(a is b for a, b in zip(items, node.items)):
            return node
        return SequenceNode(items, node.span, node.tag)
    if not isinstance(node, MappingNode):
        return node
    child = node.get(head)
    if child is None:
        if not create or (rest and rest[0] == "[]"):
            return node
        child = MappingNode([], at)
    new = edit_each(child, rest, change, at, create, node)
    if new is child and head in node:
        return node
    return with_value(node, head, new, at)
