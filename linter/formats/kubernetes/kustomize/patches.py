"""A kustomization's patches: which objects each targets, and applying them
(strategic merge or JSON 6902, inline or from a file)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode, SequenceNode, Span
from linter.core.regex_guard import GuardedPattern, RegexTimeout
from linter.formats.kubernetes.kustomize.errors import PatchError
from linter.formats.kubernetes.kustomize.jsonpatch import apply_json6902, parse_operations
from linter.formats.kubernetes.kustomize.merge import strategic_merge
from linter.formats.kubernetes.kustomize.resource import NotBuilt, Resource


@dataclass(slots=True)
class Patch:
    field: str  # the kustomization field that listed it
    entry: Node  # its entry there (target, position)
    documents: list[Node]

    @property
    def target(self) -> MappingNode | None:
        return self.entry.mapping("target") if isinstance(self.entry, MappingNode) else None

    @property
    def is_json6902(self) -> bool:
        return self.field == "patchesJson6902" or any(isinstance(d, SequenceNode) for d in self.documents)


def patches_of(field: str, node: Node) -> Iterator[tuple[Node, ScalarNode | None, ScalarNode | None]]:
    """(entry, inline patch text, patch file path) of each entry of a patch field."""
    if not isinstance(node, SequenceNode):
        return
    for entry in node.items:
        if isinstance(entry, ScalarNode):  # patchesStrategicMerge: a path, or the patch itself
            if "\n" in entry.text or entry.text.lstrip().startswith(("{", "apiVersion", "kind")):
                yield entry, entry, None
            else:
                yield entry, None, entry
        elif isinstance(entry, MappingNode):
            inline, path = entry.scalar("patch"), entry.scalar("path")
            if inline is not None or path is not None:
                yield entry, inline, path
            else:
                raise NotBuilt(ParseProblem("DL007", f"a `{field}` entry has neither `path` nor `patch`: not built", entry.span))


def apply_patch(resources: list[Resource], patch: Patch) -> list[Resource]:
    if patch.is_json6902:
        return _apply_json6902(resources, patch)
    for document in patch.documents:
        if isinstance(document, MappingNode):
            resources = _apply_strategic(resources, patch, document)
    return resources


def _apply_strategic(resources: list[Resource], patch: Patch, document: MappingNode) -> list[Resource]:
    target = patch.target
    matched = [i for i, r in enumerate(resources) if (_selects(target, r) if target is not None else _names_same_object(document, r))]
    if not matched:
        raise NotBuilt(ParseProblem("DL007", f"patch {_describe(target, document)} matches no object of the build: not built", _where(patch, document)))
    out: list[Resource | None] = list(resources)
    for index in matched:
        resource = resources[index]
        try:
            merged = strategic_merge(resource.node, document, resource.kind)
        except PatchError as error:
            raise NotBuilt(ParseProblem("DL007", f"patch cannot apply: {error.message}", error.span)) from None
        out[index] = None if merged is None else resource.with_node(merged)
    return [r for r in out if r is not None]


def _apply_json6902(resources: list[Resource], patch: Patch) -> list[Resource]:
    target = patch.target
    where = _where(patch, None)
    if target is None:
        raise NotBuilt(ParseProblem("DL007", "a JSON 6902 patch needs a `target`: not built", where))
    operations = []
    for document in patch.documents:
        if not isinstance(document, SequenceNode):
            raise NotBuilt(ParseProblem("DL007", "a JSON 6902 patch is a list of operations: not built", document.span))
        parsed, errors = parse_operations(document)
        if errors:
            raise NotBuilt(ParseProblem("DL007", f"JSON 6902 patch: {errors[0].message}", errors[0].span))
        operations.extend(parsed)
    matched = [i for i, r in enumerate(resources) if _selects(target, r)]
    if not matched:
        raise NotBuilt(ParseProblem("DL007", f"patch {_describe(target, None)} matches no object of the build: not built", where))
    out = list(resources)
    for index in matched:
        try:
            out[index] = resources[index].with_node(apply_json6902(resources[index].node, operations))
        except PatchError as error:
            raise NotBuilt(ParseProblem("DL007", f"JSON 6902 patch: {error.message}", error.span)) from None
    return out


def _where(patch: Patch, document: MappingNode | None) -> Span:
    """Where a finding about a patch points: its entry in the kustomization."""
    return patch.entry.span.first_line()


def _names_same_object(patch: MappingNode, resource: Resource) -> bool:
    metadata = patch.mapping("metadata")
    name = metadata.text("name") if metadata else ""
    namespace = metadata.text("namespace") if metadata else ""
    if patch.text("kind") != resource.kind or name not in resource.names:
        return False
    return not namespace or namespace in resource.namespaces


def _describe(target: MappingNode | None, document: MappingNode | None) -> str:
    if target is not None:
        wanted = ", ".join(f"{k.text}={v.text}" for k, v in target.pairs if isinstance(v, ScalarNode))
        return f"for target {{{wanted}}}"
    metadata = document.mapping("metadata") if document is not None else None
    return f"for {document.text('kind') if document else '?'} '{metadata.text('name') if metadata else ''}'"


def _selects(target: MappingNode, resource: Resource) -> bool:
    """kustomize's patch target: exact group/version/kind, anchored regular
    expressions for name and namespace, and label/annotation selectors."""
    for key, actual in (("group", resource.group), ("version", resource.version), ("kind", resource.kind)):
        wanted = target.scalar(key)
        if wanted is not None and wanted.text and wanted.text != actual:
            return False
    name = target.scalar("name")
    if name is not None and name.text and not any(_full_match(name, n) for n in resource.names):
        return False
    namespace = target.scalar("namespace")
    if namespace is not None and namespace.text and not any(_full_match(namespace, n) for n in resource.namespaces):
        return False
    for key, field in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        selector = target.scalar(key)
        if selector is not None and selector.text and not _selector_matches(selector.text, resource, field):
            return False
    return True


def _full_match(pattern: ScalarNode, text: str) -> bool:
    try:
        return GuardedPattern(f"^(?:{pattern.text})$").search(text)
    except RegexTimeout:
        raise NotBuilt(ParseProblem("DL007", "patch target pattern timed out (catastrophic backtracking): not built", pattern.span)) from None
    except Exception:  # an invalid pattern
        raise NotBuilt(ParseProblem("DL007", "patch target is not a valid regular expression: not built", pattern.span)) from None


def _selector_matches(selector: str, resource: Resource, field: str) -> bool:
    metadata = resource.node.mapping("metadata")
    values = metadata.mapping(field) if metadata is not None else None
    have = {k.text: v.text for k, v in values.pairs if isinstance(v, ScalarNode)} if values is not None else {}
    for requirement in (r.strip() for r in selector.split(",") if r.strip()):
        if "!=" in requirement:
            key, value = (s.strip() for s in requirement.split("!=", 1))
            if have.get(key) == value:
                return False
        elif "=" in requirement:
            key, value = (s.strip() for s in requirement.replace("==", "=").split("=", 1))
            if have.get(key) != value:
                return False
        elif requirement.startswith("!"):
            if requirement[1:].strip() in have:
                return False
        elif requirement not in have:
            return False
    return True
