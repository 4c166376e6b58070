"""References between the objects of one deployment (K8S001-K8S010).

A Service selects pods, an Ingress names a Service and a port, a container
reads a ConfigMap key: each names another object that must be deployed with
it. The objects of the unit's deployment (`linter.core.units.Deployment`:
a build, a chart's render, or a directory of manifests read whole from disk)
are indexed once, and every reference is looked up there. A reference is
judged only where the deployment could define its target: a Secret reference
when some Secret of that namespace is defined there (the others may come from
a secret manager), a Service selector when some pod template is there. What
is templated (`{{ ... }}`, `${VAR}`) is never judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode
from linter.formats.kubernetes.apis import ApiTable, group_of
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.templating import is_templated

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import Deployment, LintUnit

# Custom resources that make no pods: certificates, sealed and synced secrets,
# monitoring targets and rules, routes. Any other custom resource may (an
# operator's Prometheus or database cluster).
INERT_GROUPS = frozenset({"cert-manager.io", "bitnami.com", "external-secrets.io", "traefik.io", "traefik.containo.us"})
INERT_KINDS = frozenset({"ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe", "ScrapeConfig", "AlertmanagerConfig"})

# Objects that make a Secret of a name exist once applied (sealed or synced secrets).
SECRET_MAKERS: dict[str, tuple[str, ...]] = {
    "SealedSecret": ("spec", "template", "metadata", "name"),
    "ExternalSecret": ("spec", "target", "name"),
}


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """A workload's pod template: the labels Services and policies select, and its spec."""

    obj: K8sObject
    labels: dict[str, str]
    spec: MappingNode

    @property
    def containers(self) -> Iterator[MappingNode]:
        for field_name in ("containers", "initContainers"):
            for container in self.spec.sequence(field_name) or ():
                if isinstance(container, MappingNode):
                    yield container


@dataclass(slots=True)
class DeploymentIndex:
    """The objects of one deployment, by kind, namespace and name, and its pod
    templates by namespace and label: every lookup is a dictionary's, so a
    deployment of thousands of objects costs what its objects cost."""

    where: str  # the deployment, as messages name it
    named: dict[tuple[str, str, str], K8sObject] = field(default_factory=dict)
    names: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (kind, namespace) -> names
    pods: dict[str, list[PodTemplate]] = field(default_factory=dict)  # namespace -> pod templates
    pod_by_object: dict[int, PodTemplate] = field(default_factory=dict)
    by_label: dict[tuple[str, str, str], list[PodTemplate]] = field(default_factory=dict)  # (namespace, key, value)
    # Namespaces holding custom resources that may make pods of their own (an
    # operator's Prometheus or Alertmanager): what selects pods there cannot be judged.
    operated: set[str] = field(default_factory=set)
    selections: dict[int, tuple[list[PodTemplate], bool]] = field(default_factory=dict)  # by selector node

    def add(self, obj: K8sObject, kind: str | None = None, name: str | None = None) -> None:
        kind, name = kind or obj.kind, name or obj.name
        if (kind, obj.namespace, name) not in self.named:
            self.names.setdefault((kind, obj.namespace), []).append(name)
        self.named[(kind, obj.namespace, name)] = obj

    def add_pod(self, pod: PodTemplate) -> None:
        self.pods.setdefault(pod.obj.namespace, []).append(pod)
        self.pod_by_object[id(pod.obj)] = pod
        for key, value in pod.labels.items():
            self.by_label.setdefault((pod.obj.namespace, key, value), []).append(pod)

    def find(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        return self.named.get((kind, namespace, name))

    def defines(self, kind: str, namespace: str) -> bool:
        return (kind, namespace) in self.names

    def defined(self, kind: str, namespace: str) -> list[K8sObject]:
        return [self.named[(kind, namespace, name)] for name in self.names.get((kind, namespace), ())]

    def pods_in(self, namespace: str) -> list[PodTemplate]:
        return self.pods.get(namespace, [])

    def pod_of(self, obj: K8sObject) -> PodTemplate | None:
        return self.pod_by_object.get(id(obj))

    def selected(self, namespace: str, selector: MappingNode, *, plain: bool) -> tuple[list[PodTemplate], bool]:
        """The pod templates of `namespace` that `selector` selects (plain: a
        Service's `key: value` map; else a label selector), and whether every
        verdict was certain (a templated label is not). Made once per selector."""
        made = self.selections.get(id(selector))
        if made is None:
            made = self.selections[id(selector)] = self._select(namespace, selector, plain)
        return made

    def _select(self, namespace: str, selector: MappingNode, plain: bool) -> tuple[list[PodTemplate], bool]:
        pairs = selector if plain else selector.mapping("matchLabels")
        candidates = self.pods_in(namespace)
        # A literal pair narrows the candidates to the pods carrying it; the
        # others are certainly not selected.
        for key, value in pairs.items() if pairs is not None else ():
            if isinstance(value, ScalarNode) and not templated(value) and not is_templated(key):
                candidates = self.by_label.get((namespace, key, value.text), [])
                break
        chosen: list[PodTemplate] = []
        certain = True
        for pod in candidates:
            verdict = map_selects(selector, pod.labels) if plain else selector_matches(selector, pod.labels)
            certain = certain and verdict is not None
            if verdict:
                chosen.append(pod)
        return chosen, certain


@dataclass(frozen=True, slots=True)
class InDeployment:
    """A `deployment-objects` subject's data: an object and its deployment."""

    obj: K8sObject
    index: DeploymentIndex


def describe(deployment: Deployment | None, path: str) -> str:
    if deployment is None:
        return path
    kind, _, rest = deployment.key.partition(":")
    if kind == "dir":
        # The finding's file says which: a path here would vary with the scan root.
        return "the manifests of its directory"
    if kind == "build":
        return f"the build of {rest}"
    return f"the render of {rest.rsplit(':', 1)[0]}"


def deployment_index(unit: LintUnit, ctx: RunContext, pod_paths: dict[str, tuple[str, ...]], apis: ApiTable) -> DeploymentIndex:
    """The index of `unit`'s deployment, made once per deployment."""
    key = "kubernetes.references:" + (unit.deployment.key if unit.deployment is not None else "unit:" + unit.path)
    cached: DeploymentIndex | None = ctx.cache.get(key)
    if cached is not None:
        return cached
    index = DeploymentIndex(describe(unit.deployment, unit.path))
    for other in ctx.together(unit):
        for obj in other.model if isinstance(other.model, list) else ():
            _index(obj, index, pod_paths, apis)
    ctx.cache[key] = index
    return index


def _index(obj: K8sObject, index: DeploymentIndex, pod_paths: dict[str, tuple[str, ...]], apis: ApiTable) -> None:
    index.add(obj)
    made = SECRET_MAKERS.get(obj.kind)
    if made is not None:
        target = obj.node.path(*made)
        index.add(obj, "Secret", target.text if isinstance(target, ScalarNode) and target.text else obj.name)
    path = pod_paths.get(obj.kind)
    if path is None:
        if not apis.knows(obj.api_version, obj.kind) and group_of(obj.api_version) not in INERT_GROUPS and obj.kind not in INERT_KINDS:
            index.operated.add(obj.namespace)
        return
    spec = obj.node.path(*path)
    template = obj.node.path(*path[:-1]) if len(path) > 1 else obj.node
    if isinstance(spec, MappingNode) and isinstance(template, MappingNode):
        labels = template.path("metadata", "labels")
        index.add_pod(PodTemplate(obj, _string_map(labels), spec))


def _string_map(node: Node | None) -> dict[str, str]:
    if not isinstance(node, MappingNode):
        return {}
    return {k: v.text for k, v in node.items() if isinstance(v, ScalarNode)}


# --- label selectors -------------------------------------------------------------------------


def templated(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and is_templated(node.text)


def selector_matches(selector: MappingNode, labels: dict[str, str]) -> bool | None:
    """Whether a label selector (`matchLabels` and `matchExpressions`) selects
    `labels`; None when it cannot be told (templated, unknown operator)."""
    match_labels = selector.mapping("matchLabels")
    verdict = map_selects(match_labels, labels) if match_labels is not None else True
    if verdict is not True:
        return verdict
    for expression in selector.sequence("matchExpressions") or ():
        if not isinstance(expression, MappingNode):
            return None
        verdict = _expression_matches(expression, labels)
        if verdict is not True:
            return verdict
    return True


def map_selects(selector: MappingNode, labels: dict[str, str]) -> bool | None:
    """A plain `key: value` selector (a Service's, `matchLabels`)."""
    for key, value in selector.items():
        if not isinstance(value, ScalarNode) or templated(value) or is_templated(key):
            return None
        if labels.get(key) != value.text:
            return False
    return True


def _expression_matches(expression: MappingNode, labels: dict[str, str]) -> bool | None:
    key, operator = expression.text("key"), expression.text("operator")
    values = [v.text for v in expression.sequence("values") or () if isinstance(v, ScalarNode)]
    if is_templated(key) or any(is_templated(v) for v in values):
        return None
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return None


def keys_of(target: MappingNode) -> set[str] | None:
    """The keys a ConfigMap or Secret defines; None if it has no key mapping to tell."""
    found: set[str] | None = None
    for field_name in ("data", "stringData", "binaryData"):
        data = target.get(field_name)
        if isinstance(data, MappingNode):
            found = (found or set()) | set(data.keys())
    return found


def names(objects: Iterable[K8sObject], limit: int = 3) -> str:
    shown = list(dict.fromkeys(f"{o.kind}/{o.name}" for o in objects))
    return ", ".join(shown[:limit]) + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


def integer(node: Node | None) -> int | None:
    if isinstance(node, ScalarNode) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return None


def sequence_items(node: SequenceNode | None) -> Iterator[MappingNode]:
    for item in node or ():
        if isinstance(item, MappingNode):
            yield item
