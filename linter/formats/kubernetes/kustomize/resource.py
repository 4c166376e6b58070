"""An object in a Kustomize build: its current tree and what it was."""

from __future__ import annotations

from dataclasses import dataclass, replace

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode

# Kinds kustomize never puts in a namespace (the built-in cluster-scoped ones).
CLUSTER_SCOPED = frozenset({
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
    "StorageClass", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "APIService", "ClusterIssuer", "CSIDriver", "CSINode", "IngressClass", "Node", "RuntimeClass",
    "PodSecurityPolicy", "VolumeAttachment", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ComponentStatus", "CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration",
})


@dataclass(frozen=True, slots=True)
class Generated:
    """How a generator made a ConfigMap or Secret: its name gets a content
    hash at the end of the build unless disabled; `behavior` says how an
    overlay's generator of the same name combines with it."""

    hashed: bool
    behavior: str = "create"
    env_files: tuple[str, ...] = ()  # display paths of the env files (`envs:`) its data came from


@dataclass(frozen=True, slots=True)
class Resource:
    node: MappingNode
    names: tuple[str, ...]  # every name it had, first to current: references to an old name follow the renames
    namespaces: tuple[str, ...] = ("",)
    generated: Generated | None = None

    @staticmethod
    def of(node: MappingNode) -> Resource:
        node = _without_empty_metadata(node)
        name = _metadata_text(node, "name")
        return Resource(node, (name,), (_metadata_text(node, "namespace"),))

    @property
    def kind(self) -> str:
        return self.node.text("kind")

    @property
    def api_version(self) -> str:
        return self.node.text("apiVersion")

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    @property
    def name(self) -> str:
        return _metadata_text(self.node, "name")

    @property
    def namespace(self) -> str:
        return _metadata_text(self.node, "namespace")

    @property
    def namespaced(self) -> bool:
        return self.kind not in CLUSTER_SCOPED

    def with_node(self, node: MappingNode) -> Resource:
        """The resource after an edit, remembering a changed name or namespace."""
        name, namespace = _metadata_text(node, "name"), _metadata_text(node, "namespace")
        names = self.names if name == self.names[-1] else (*self.names, name)
        namespaces = self.namespaces if namespace == self.namespaces[-1] else (*self.namespaces, namespace)
        return replace(self, node=node, names=names, namespaces=namespaces)

    def identity(self) -> tuple[str, str, str, str]:
        return (self.group, self.kind, self.namespace, self.name)


def _without_empty_metadata(node: MappingNode) -> MappingNode:
    """kustomize drops `labels:` and `annotations:` that are null or empty."""
    metadata = node.mapping("metadata")
    if metadata is None:
        return node
    empty = [k.text for k, v in metadata.pairs if k.text in ("labels", "annotations") and _is_empty(v)]
    if not empty:
        return node
    kept = MappingNode([(k, v) for k, v in metadata.pairs if k.text not in empty], metadata.span, metadata.tag)
    return MappingNode([(k, kept if k.text == "metadata" else v) for k, v in node.pairs], node.span, node.tag)


def _is_empty(node: Node) -> bool:
    return (isinstance(node, ScalarNode) and node.value is None) or (isinstance(node, MappingNode) and not node.pairs)


def _metadata_text(node: MappingNode, key: str) -> str:
    metadata = node.mapping("metadata")
    return metadata.text(key) if metadata is not None else ""


class NotBuilt(Exception):
    """A kustomization cannot be built as written: `problem` (a DL007) says
    where and why, and the build stops there."""

    def __init__(self, problem: ParseProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem
