"""Kustomize's built-in transformers on positioned trees: namespace, name
prefix and suffix (with the references they rename), labels, annotations,
images and replicas. A value a transformer writes is placed at the
kustomization line that asked for it; everything else keeps its source."""

from __future__ import annotations

from collections.abc import Iterable

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span
from linter.formats.kubernetes.kustomize.edit import merge_pairs, to, update_path
from linter.formats.kubernetes.kustomize.fields import (
    COMMON_ANNOTATIONS,
    COMMON_LABELS,
    NAME_REFERENCES,
    POD,
    Change,
    FieldSpec,
    NameReference,
    edit_each,
)
from linter.formats.kubernetes.kustomize.resource import Resource
from linter.formats.kubernetes.selectors import POD_SPEC_PATHS


def set_namespace(resources: list[Resource], namespace: ScalarNode) -> list[Resource]:
    """Every namespaced object into `namespace`, and the ServiceAccount
    subjects of role bindings that were in the default namespace with them."""
    out = []
    for resource in resources:
        node = resource.node
        if resource.namespaced:
            node = update_path(node, ("metadata", "namespace"), to(namespace), namespace.span)
        if resource.kind in ("RoleBinding", "ClusterRoleBinding"):
            node = _subjects_into(node, namespace)
        out.append(resource.with_node(node))
    return out


def _subjects_into(binding: MappingNode, namespace: ScalarNode) -> MappingNode:
    def change(subject: Node, parent: MappingNode) -> Node:
        if not isinstance(subject, MappingNode) or subject.text("kind") != "ServiceAccount":
            return subject
        if subject.text("namespace") not in ("", "default"):
            return subject
        return update_path(subject, ("namespace",), to(namespace), namespace.span)

    new = edit_each(binding, ("subjects", "[]"), lambda item, parent: change(item, parent), namespace.span, create=False)
    assert isinstance(new, MappingNode)
    return new


def add_affixes(resources: list[Resource], prefix: ScalarNode | None, suffix: ScalarNode | None) -> list[Resource]:
    """namePrefix / nameSuffix on every object but Namespaces and CRDs (whose
    names are not free)."""
    out = []
    for resource in resources:
        if resource.kind in ("Namespace", "CustomResourceDefinition"):
            out.append(resource)
            continue
        name = (prefix.text if prefix else "") + resource.name + (suffix.text if suffix else "")
        at = (prefix or suffix).span  # type: ignore[union-attr]
        metadata = resource.node.mapping("metadata")
        old = metadata.get("name") if metadata else None
        where = old.span if old is not None else at
        out.append(resource.with_node(update_path(resource.node, ("metadata", "name"), to(ScalarNode(name, where)), at)))
    return out


def add_labels(resources: list[Resource], labels: MappingNode, specs: Iterable[FieldSpec] = COMMON_LABELS) -> list[Resource]:
    return _add_pairs(resources, labels, tuple(specs))


def add_annotations(resources: list[Resource], annotations: MappingNode) -> list[Resource]:
    return _add_pairs(resources, annotations, COMMON_ANNOTATIONS)


def _add_pairs(resources: list[Resource], values: MappingNode, specs: tuple[FieldSpec, ...]) -> list[Resource]:
    additions = [(k, v) for k, v in values.pairs]
    if not additions:
        return resources
    out = []
    for resource in resources:
        node: Node = resource.node
        for spec in specs:
            if spec.applies_to(resource.kind):
                node = edit_each(node, spec.path, lambda current, _: _merged(current, additions, values.span), values.span, spec.create)
        assert isinstance(node, MappingNode)
        out.append(resource.with_node(node))
    return out


def _merged(current: Node, additions: list[tuple[ScalarNode, Node]], at: Span) -> Node:
    if not isinstance(current, MappingNode):
        return current
    return merge_pairs(current, additions, at)


# --- images -------------------------------------------------------------------


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest


def set_images(resources: list[Resource], images: SequenceNode) -> list[Resource]:
    entries = [e for e in images.items if isinstance(e, MappingNode) and e.text("name")]
    if not entries:
        return resources
    out = []
    for resource in resources:
        node: Node = resource.node
        for spec_path in _pod_spec_paths(resource.kind):
            for field in ("containers", "initContainers"):
                node = edit_each(node, (*spec_path, field, "[]", "image"), lambda image, _: _new_image(image, entries), images.span, create=False)
        assert isinstance(node, MappingNode)
        out.append(resource.with_node(node))
    return out


def _new_image(image: Node, entries: list[MappingNode]) -> Node:
    if not isinstance(image, ScalarNode):
        return image
    name, tag, digest = split_image(image.text)
    for entry in entries:
        if entry.text("name") != name:
            continue
        changed: list[ScalarNode] = []
        new_name = entry.scalar("newName")
        if new_name is not None:
            name = new_name.text
            changed.append(new_name)
        new_tag, new_digest = entry.scalar("newTag"), entry.scalar("digest")
        if new_tag is not None:
            tag, digest = new_tag.text, ""
            changed.append(new_tag)
        if new_digest is not None:
            tag, digest = "", new_digest.text
            changed.append(new_digest)
        if not changed:
            return image
        text = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
        # The finding about a tag belongs where the tag is set; a new name alone points at newName.
        return ScalarNode(text, changed[-1].span)
    return image


def _pod_spec_paths(kind: str) -> list[tuple[str, ...]]:
    path = POD_SPEC_PATHS.get(kind)
    return [path] if path is not None else []


# --- replicas -----------------------------------------------------------------

_SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")


def set_replicas(resources: list[Resource], replicas: SequenceNode) -> list[Resource]:
    counts = {e.text("name"): e.get("count") for e in replicas.items if isinstance(e, MappingNode)}
    out = []
    for resource in resources:
        count = next((counts[n] for n in reversed(resource.names) if n in counts), None)
        if count is None or resource.kind not in _SCALABLE or not isinstance(count, ScalarNode):
            out.append(resource)
            continue
        out.append(resource.with_node(update_path(resource.node, ("spec", "replicas"), to(count), count.span)))
    return out


# --- name references ----------------------------------------------------------


def fix_references(resources: list[Resource]) -> list[Resource]:
    """References to an object's earlier name (before a prefix, suffix or
    hash) renamed to its current one, as kustomize's name-reference
    transformer does; the reference keeps its own position."""
    renamed: dict[str, list[Resource]] = {}
    for resource in resources:
        if len(resource.names) > 1:
            renamed.setdefault(resource.kind, []).append(resource)
    if not renamed:
        return resources
    out = []
    for resource in resources:
        node: Node = resource.node
        for ref in NAME_REFERENCES:
            candidates = renamed.get(ref.target)
            if candidates:
                rename = _renamer(ref, candidates, resource)
                for path in _reference_paths(ref, resource.kind):
                    node = edit_each(node, path, rename, node.span, create=False)
        assert isinstance(node, MappingNode)
        out.append(resource if node is resource.node else resource.with_node(node))
    return out


def _reference_paths(ref: NameReference, kind: str) -> list[tuple[str, ...]]:
    if ref.kinds == (POD,):
        return [(*spec, *ref.path) for spec in _pod_spec_paths(kind)]
    return [ref.path] if kind in ref.kinds else []


def _renamer(ref: NameReference, candidates: list[Resource], referrer: Resource) -> Change:
    """The change that renames a reference to one of `candidates`' earlier names."""

    def renamed(value: Node, parent: MappingNode) -> Node:
        if not isinstance(value, ScalarNode):
            return value
        if ref.only_if is not None and parent.text(ref.only_if[0]) != ref.only_if[1]:
            return value
        for target in candidates:
            if value.text in target.names[:-1] and _same_namespace(target, referrer):
                return ScalarNode(target.name, value.span)
        return value

    return renamed


def _same_namespace(target: Resource, referrer: Resource) -> bool:
    if not target.namespaced:
        return True
    return bool(set(target.namespaces) & set(referrer.namespaces)) or not target.namespace or not referrer.namespace
