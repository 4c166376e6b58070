"""Strategic merge patch on positioned trees, as kustomize applies it.

Mappings merge key by key; a `null` deletes a key; scalars replace; lists are
replaced unless the Kubernetes API gives them a patch strategy: lists of
objects with an `x-kubernetes-patch-merge-key` merge item by item on that key,
and a few primitive lists (`metadata.finalizers`) merge as sets. Like
kustomize, lists of kinds outside the built-in API (custom resources) are
always replaced, for want of a schema.

Merged lists come out in kustomize's order (checked against `kubectl
kustomize`): the patch's items first, in the patch's order (merged with their
base item where the key matches), then the base items the patch did not name.

Directives: `$patch: delete` on a list item deletes it, on a mapping deletes
that key, on the object itself makes `strategic_merge` return None (the
builder drops the object). `$patch: replace` on a mapping, or as a list item
of its own, replaces the base's value with the patch's. `$patch: merge` is the
default. `$retainKeys`, `$setElementOrder/<field>` and
`$deleteFromPrimitiveList/<field>` are accepted and dropped: kustomize does not
apply them either.

Positions: a merged mapping or list keeps the base's node, span and key node;
a key, scalar or wholesale-replaced list the patch sets is the patch's node.
No input node is mutated; unchanged subtrees are the input's own objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode

from .errors import PatchError
from .tree import items_replaced

Path = tuple[str, ...]  # field names from the object's root; list items add nothing


@dataclass(frozen=True, slots=True)
class ListStrategy:
    """How the list at `field` merges: by `merge_key` (a list of objects), or
    as a set of scalars when `merge_key` is None. `parent` is the field that
    holds it when the name alone is ambiguous (`ports`), `kinds` the kinds it
    applies to when only some have it."""

    field: str
    merge_key: str | None
    parent: frozenset[str] | None = None
    kinds: frozenset[str] | None = None


_CONTAINERS = frozenset({"containers", "initContainers", "ephemeralContainers"})
_POD_SPEC = frozenset({"spec"})  # a PodSpec is always some object's `spec`

# From the API's `patchStrategy:"merge"` / `patchMergeKey` (Go types), as
# kustomize's OpenAPI schema gives them. A list not in this table is replaced.
LIST_STRATEGIES: tuple[ListStrategy, ...] = (
    ListStrategy("containers", "name", _POD_SPEC),
    ListStrategy("initContainers", "name", _POD_SPEC),
    ListStrategy("ephemeralContainers", "name", _POD_SPEC),
    ListStrategy("volumes", "name", _POD_SPEC),
    ListStrategy("imagePullSecrets", "name", _POD_SPEC),
    ListStrategy("hostAliases", "ip", _POD_SPEC),
    ListStrategy("topologySpreadConstraints", "topologyKey", _POD_SPEC),
    ListStrategy("resourceClaims", "name", _POD_SPEC),
    ListStrategy("schedulingGates", "name", _POD_SPEC),
    ListStrategy("env", "name", _CONTAINERS),
    ListStrategy("ports", "containerPort", _CONTAINERS),
    ListStrategy("volumeMounts", "mountPath", _CONTAINERS),
    ListStrategy("volumeDevices", "devicePath", _CONTAINERS),
    ListStrategy("ports", "port", _POD_SPEC, frozenset({"Service"})),
    ListStrategy("secrets", "name", None, frozenset({"ServiceAccount"})),
    ListStrategy("ownerReferences", "uid", frozenset({"metadata"})),
    ListStrategy("finalizers", None, frozenset({"metadata"})),
)

# The kinds whose schema kustomize knows, hence whose lists can merge.
BUILTIN_KINDS = frozenset(
    {
        "Pod", "PodTemplate", "ReplicationController", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet",
        "Job", "CronJob", "Service", "ServiceAccount", "ConfigMap", "Secret", "Namespace", "Endpoints",
        "PersistentVolume", "PersistentVolumeClaim", "LimitRange", "ResourceQuota", "Ingress", "IngressClass",
        "NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Role", "ClusterRole", "RoleBinding",
        "ClusterRoleBinding", "StorageClass", "PriorityClass", "CustomResourceDefinition",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "EndpointSlice",
    }
)  # fmt: skip

# Identify the target; a patch naming them does not change them.
_IDENTIFIERS: dict[Path, frozenset[str]] = {(): frozenset({"apiVersion", "kind"}), ("metadata",): frozenset({"name"})}

_PATCH = "$patch"


class _Deleted:
    """What merging returns for a value the patch deletes."""


_DELETED = _Deleted()


def strategic_merge(base: MappingNode, patch: MappingNode, kind: str) -> MappingNode | None:
    """`base` with the strategic merge patch `patch` applied, for an object of
    `kind`. None when the patch deletes the object (`$patch: delete` at its
    root). Raises PatchError for a patch that cannot apply (a list item
    without its merge key)."""
    merged = _Merger(kind).mappings(base, patch, ())
    return None if isinstance(merged, _Deleted) else merged


def list_strategy(path: Path, kind: str) -> ListStrategy | None:
    """The strategy of the list at `path` in an object of `kind`; None: replace."""
    if kind not in BUILTIN_KINDS or not path:
        return None
    parent = path[-2] if len(path) > 1 else None
    for strategy in LIST_STRATEGIES:
        if strategy.field != path[-1]:
            continue
        if strategy.parent is not None and parent not in strategy.parent:
            continue
        if strategy.kinds is not None and kind not in strategy.kinds:
            continue
        return strategy
    return None


def _directive(node: Node) -> str | None:
    if isinstance(node, MappingNode):
        value = node.scalar(_PATCH)
        if value is not None:
            return value.text
    return None


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value is None


def _is_replace_marker(node: Node) -> bool:
    """A list item `- $patch: replace`: the rest of the patch's list replaces the base's."""
    return isinstance(node, MappingNode) and _directive(node) == "replace" and len(node.keys()) == 1


@dataclass(frozen=True, slots=True)
class _Merger:
    kind: str

    def mappings(self, base: MappingNode, patch: MappingNode, path: Path) -> MappingNode | _Deleted:
        """Both sides have a mapping here: merge key by key into the base's."""
        directive = _directive(patch)
        if directive == "delete":
            return _DELETED
        if directive == "replace":
            replaced = self.added(patch, path)
            assert isinstance(replaced, MappingNode)  # only `$patch: delete` deletes, handled above
            return replaced
        identifiers = _IDENTIFIERS.get(path, frozenset())
        pairs = list(base.pairs)
        for key, value in patch.pairs:
            name = key.text
            if name.startswith("$") or name in identifiers:
                continue
            index = _last_index(pairs, name)
            old = pairs[index][1] if index is not None else None
            merges = old is not None and self._merges(old, value, path + (name,))
            new: Node | _Deleted
            if _is_null(value):
                new = _DELETED
            elif old is not None and merges:
                new = self.values(old, value, path + (name,))
            else:
                new = self.added(value, path + (name,))
            if isinstance(new, _Deleted):
                pairs = [(k, v) for k, v in pairs if k.text != name]
            elif index is None:
                pairs.append((key, new))  # the patch's value (or a cleaned copy): the patch's key
            elif new is not old:
                # A merge of both sides keeps the base's key node; a value the patch sets, the patch's.
                pairs[index] = (pairs[index][0] if merges else key, new)
        if len(pairs) == len(base.pairs) and all(a[1] is b[1] and a[0] is b[0] for a, b in zip(pairs, base.pairs)):
            return base
        return MappingNode(pairs, base.span, base.tag)

    def _merges(self, old: Node, patch: Node, path: Path) -> bool:
        """Whether the patch merges into the base's value here (rather than replacing it)."""
        if isinstance(old, MappingNode) and isinstance(patch, MappingNode):
            return _directive(patch) != "replace"
        if isinstance(old, SequenceNode) and isinstance(patch, SequenceNode):
            return list_strategy(path, self.kind) is not None and not any(_is_replace_marker(i) for i in patch.items)
        return False

    def values(self, old: Node, patch: Node, path: Path) -> Node | _Deleted:
        if isinstance(old, MappingNode) and isinstance(patch, MappingNode):
            return self.mappings(old, patch, path)
        assert isinstance(old, SequenceNode) and isinstance(patch, SequenceNode)
        strategy = list_strategy(path, self.kind)
        assert strategy is not None
        if strategy.merge_key is None:
            return self._scalar_set(old, patch)
        return self._keyed_list(old, patch, strategy.merge_key, path)

    def _scalar_set(self, old: SequenceNode, patch: SequenceNode) -> SequenceNode:
        named = {_identity(item) for item in patch.items}
        items: list[Node] = []
        seen: set[object] = set()
        for item in patch.items:
            if _identity(item) not in seen:
                seen.add(_identity(item))
                items.append(item)
        items.extend(item for item in old.items if _identity(item) not in named)
        return items_replaced(old, items)

    def _keyed_list(self, old: SequenceNode, patch: SequenceNode, merge_key: str, path: Path) -> SequenceNode:
        by_key: dict[object, MappingNode] = {}
        for item in old.items:
            if isinstance(item, MappingNode) and merge_key in item:
                by_key.setdefault(_identity(item.get(merge_key)), item)
        named: set[object] = set()
        items: list[Node] = []
        for item in patch.items:
            value = item.get(merge_key) if isinstance(item, MappingNode) else None
            if value is None or _is_null(value):
                raise PatchError(f"a '{path[-1]}' item has no merge key '{merge_key}'", item.span)
            identity = _identity(value)
            named.add(identity)
            base_item = by_key.get(identity)
            merged = self.added(item, path) if base_item is None else self.values(base_item, item, path)
            if not isinstance(merged, _Deleted):
                items.append(merged)
        items.extend(
            item
            for item in old.items
            if not (isinstance(item, MappingNode) and merge_key in item and _identity(item.get(merge_key)) in named)
        )
        return items_replaced(old, items)

    def added(self, patch: Node, path: Path) -> Node | _Deleted:
        """A value only the patch has, as the result holds it: without nulls,
        directives and deleted items; the patch's own node when it has none."""
        if isinstance(patch, MappingNode):
            if _directive(patch) == "delete":
                return _DELETED
            pairs: list[tuple[ScalarNode, Node]] = []
            for key, value in patch.pairs:
                if key.text.startswith("$") or _is_null(value):
                    continue
                new = self.added(value, path + (key.text,))
                if not isinstance(new, _Deleted):
                    pairs.append((key, new))
            if len(pairs) == len(patch.pairs):
                return patch
            return MappingNode(pairs, patch.span, patch.tag)
        if isinstance(patch, SequenceNode):
            items: list[Node] = []
            for item in patch.items:
                if _is_replace_marker(item):
                    continue
                new = self.added(item, path)
                if not isinstance(new, _Deleted):
                    items.append(new)
            return items_replaced(patch, items)
        return patch


def _last_index(pairs: list[tuple[ScalarNode, Node]], name: str) -> int | None:
    for index in range(len(pairs) - 1, -1, -1):
        if pairs[index][0].text == name:
            return index
    return None


def _identity(node: Node | None) -> object:
    """What two list items or merge-key values are compared by."""
    if isinstance(node, ScalarNode):
        return (type(node.value).__name__, node.value) if node.value is not None else None
    return repr(node.to_python()) if node is not None else None
