"""Kubernetes manifests (YAML or JSON, multi-document, `kind: List`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, ParsedFile, SequenceNode, SourceFile
from linter.formats.common.yaml_tree import parse_yaml_documents, yaml_limits

if TYPE_CHECKING:
    from linter.core.loader import Loader


@dataclass(slots=True)
class K8sObject:
    """One Kubernetes object, wherever it came from (a document or a List item)."""

    node: MappingNode
    kind: str
    name: str
    namespace: str
    api_version: str
    source: SourceFile | None = None  # the file's text, to map positions inside values
    # A ConfigMap or Secret a Kustomize generator made from env files: their
    # display paths, where a key a pod reads and the data lacks would be set.
    env_files: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """kind/namespace/name: the object's identity in fingerprints."""
        return f"{self.kind}/{self.namespace or '-'}/{self.name or '-'}"

    @property
    def annotations(self) -> MappingNode | None:
        node = self.node.path("metadata", "annotations")
        return node if isinstance(node, MappingNode) else None


def objects_of(node: MappingNode, out: list[K8sObject], source: SourceFile | None = None) -> None:
    """The objects a mapping holds (itself, or the items of a `kind: *List`),
    appended to `out`; `source` is the file they were all written in, when
    there is one (a built object's values come from several)."""
    kind = node.text("kind")
    items = node.sequence("items")
    if kind.endswith("List") and items is not None:
        for item in items:
            if isinstance(item, MappingNode):
                objects_of(item, out, source)
        return
    if not kind or "apiVersion" not in node:
        return
    metadata = node.mapping("metadata")
    out.append(
        K8sObject(
            node=node,
            kind=kind,
            name=metadata.text("name") if metadata else "",
            namespace=metadata.text("namespace") if metadata else "",
            api_version=node.text("apiVersion"),
            source=source,
        )
    )


def parse(source: SourceFile, loader: Loader) -> ParsedFile:
    limits = yaml_limits(loader.workspace.limits)
    documents, problems = parse_yaml_documents(source.text, source.path, limits)
    if problems and "{{" in source.text and any(p.rule_id == "DL001" for p in problems):
        for p in problems:
            if p.rule_id == "DL001":
                p.message += " (this looks like a Helm/Go template: lint the rendered output of `helm template`)"
    objects: list[K8sObject] = []
    for doc in documents:
        if isinstance(doc, MappingNode):
            objects_of(doc, objects, source)
        elif isinstance(doc, SequenceNode):  # a bare JSON/YAML array of objects
            for item in doc:
                if isinstance(item, MappingNode):
                    objects_of(item, objects, source)
    parsed = ParsedFile(source, "kubernetes", documents, problems)
    parsed.meta["model"] = objects
    return parsed
