"""Checks of the references between the objects of a deployment
(K8S001-K8S010, see `references.py`). Each finding points at the key that
refers, and says what was looked for and where."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.check import NoParams, PythonCheck, Violation
from linter.core.model import MappingNode, Node, ScalarNode
from linter.core.subject import Subject
from linter.formats.kubernetes.env_expansion import env_variable_undefined
from linter.formats.kubernetes.references import (
    InDeployment,
    PodTemplate,
    integer,
    keys_of,
    names,
    selector_matches,
    sequence_items,
    templated,
)


def _selector_text(selector: MappingNode) -> str:
    return ", ".join(f"{k}={v.text}" for k, v in selector.items() if isinstance(v, ScalarNode))


def _judged_pods(ref: InDeployment, selector: MappingNode) -> list[PodTemplate]:
    """The pod templates a selector that selects none of them is judged
    against: none where an operator may make pods, and none unless some pod
    carries a label key the selector names (a selector of other keys selects
    pods deployed another way: the control plane's, an addon's)."""
    namespace = ref.obj.namespace
    if namespace in ref.index.operated:
        return []
    pods = ref.index.pods_in(namespace)
    match_labels = selector.mapping("matchLabels")
    keys = set((match_labels if match_labels is not None else selector).keys())
    keys |= {e.text("key") for e in sequence_items(selector.sequence("matchExpressions"))}
    return pods if any(keys & set(p.labels) for p in pods) else []


def _selected(ref: InDeployment, selector: MappingNode, *, plain: bool) -> tuple[list[PodTemplate], bool]:
    return ref.index.selected(ref.obj.namespace, selector, plain=plain)


def _service_selector(ref: InDeployment) -> MappingNode | None:
    spec = ref.obj.node.mapping("spec")
    if spec is None or spec.text("type") == "ExternalName":
        return None
    selector = spec.mapping("selector")
    return selector if selector is not None and selector.pairs else None  # no selector: endpoints kept by hand


# --- K8S001 service-selects-no-pods, K8S002 service-target-port-unknown --------------------


def _selecting_none(ref: InDeployment, selector: MappingNode | None, *, plain: bool) -> list[PodTemplate]:
    """The pod templates looked at when `selector` certainly selects none of
    them; empty when it selects some, or cannot be judged."""
    pods = _judged_pods(ref, selector) if selector is not None else []
    if selector is None or not pods:
        return []
    chosen, certain = _selected(ref, selector, plain=plain)
    return pods if not chosen and certain else []


def service_selects_pods(subject: Subject, params: NoParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    selector = _service_selector(ref)
    looked = _selecting_none(ref, selector, plain=True)
    if selector is not None and looked:
        yield Violation(selector.anchor_span, {"selector": _selector_text(selector), "where": ref.index.where,
                                               "looked": names(p.obj for p in looked)})


def _container_ports(pods: list[PodTemplate]) -> tuple[set[str], set[int], bool]:
    """Port names and numbers the pods' containers declare, and whether every
    pod declares at least one (only then is a missing number telling)."""
    port_names: set[str] = set()
    numbers: set[int] = set()
    every = True
    for pod in pods:
        declared = False
        for container in pod.containers:
            for port in sequence_items(container.sequence("ports")):
                declared = True
                if port.text("name"):
                    port_names.add(port.text("name"))
                number = integer(port.get("containerPort"))
                if number is not None:
                    numbers.add(number)
        every = every and declared
    return port_names, numbers, every


def service_target_port(subject: Subject, params: NoParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    selector = _service_selector(ref)
    spec = ref.obj.node.mapping("spec")
    if selector is None or spec is None:
        return
    chosen, certain = _selected(ref, selector, plain=True)
    if not chosen or not certain:
        return
    port_names, numbers, every = _container_ports(chosen)
    for port in sequence_items(spec.sequence("ports")):
        target = port.get("targetPort") or port.get("port")
        if not isinstance(target, ScalarNode) or templated(target):
            continue
        number = integer(target)
        unknown = (number is None and target.text not in port_names) or (number is not None and every and number not in numbers)
        if unknown:
            offered = sorted(port_names) + [str(n) for n in sorted(numbers)]
            yield Violation(target.span, {"port": target.text, "pods": names(p.obj for p in chosen),
                                          "offered": ", ".join(offered) or "none"})


# --- K8S003 ingress-backend-unknown -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backend:
    name: ScalarNode
    number: ScalarNode | None  # the port, by number
    port_name: ScalarNode | None  # the port, by name


def _backend(node: Node | None) -> Backend | None:
    """An Ingress backend (networking.k8s.io/v1 or v1beta1) or a Gateway API backendRef."""
    if not isinstance(node, MappingNode):
        return None
    service = node.mapping("service")
    if service is not None:  # v1: service: {name, port: {number | name}}
        name, port = service.scalar("name"), service.mapping("port")
        by_number = port.scalar("number") if port is not None else None
        by_name = port.scalar("name") if port is not None else None
    elif node.get("serviceName") is not None:  # v1beta1: serviceName, servicePort
        name, legacy = node.scalar("serviceName"), node.scalar("servicePort")
        by_number = legacy if legacy is not None and integer(legacy) is not None else None
        by_name = legacy if legacy is not None and integer(legacy) is None else None
    elif node.get("name") is not None and node.text("kind", "Service") == "Service" and node.text("group") in ("", "core"):
        name, by_number, by_name = node.scalar("name"), node.scalar("port"), None  # HTTPRoute backendRefs
    else:
        return None
    return Backend(name, by_number, by_name) if name is not None else None


def _backends(obj_node: MappingNode) -> Iterator[Backend]:
    spec = obj_node.mapping("spec")
    if spec is None:
        return
    candidates: list[Node | None] = [spec.get("defaultBackend"), spec.get("backend")]
    for rule in sequence_items(spec.sequence("rules")):
        http = rule.mapping("http")
        for path in sequence_items(http.sequence("paths") if http is not None else None):
            candidates.append(path.get("backend"))
        candidates.extend(rule.sequence("backendRefs") or ())  # Gateway API routes
    for candidate in candidates:
        backend = _backend(candidate)
        if backend is not None:
            yield backend


def _service_ports(service: MappingNode) -> tuple[set[int], set[str]]:
    spec = service.mapping("spec")
    ports = list(sequence_items(spec.sequence("ports") if spec is not None else None))
    return {n for p in ports if (n := integer(p.get("port"))) is not None}, {p.text("name") for p in ports if p.text("name")}


def ingress_backend(subject: Subject, params: NoParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    namespace = ref.obj.namespace
    for backend in _backends(ref.obj.node):
        if templated(backend.name):
            continue
        service = ref.index.find("Service", namespace, backend.name.text)
        if service is None:
            if ref.index.defines("Service", namespace):
                yield Violation(backend.name.span, {"reason": f"no Service '{backend.name.text}' in {ref.index.where}"})
            continue
        numbers, port_names = _service_ports(service.node)
        number = integer(backend.number) if backend.number is not None else None
        if number is not None and number not in numbers:
            yield Violation(backend.number.span if backend.number else backend.name.span,
                            {"reason": f"Service '{service.name}' has no port {number} (it has {_listing(numbers, port_names)})"})
        port_name = backend.port_name
        if port_name is not None and not templated(port_name) and port_name.text not in port_names:
            yield Violation(port_name.span,
                            {"reason": f"Service '{service.name}' has no port named '{port_name.text}' (it has {_listing(numbers, port_names)})"})


def _listing(numbers: set[int], port_names: set[str]) -> str:
    return ", ".join([str(n) for n in sorted(numbers)] + sorted(port_names)) or "no ports"


# --- K8S004 configmap-reference-unknown, K8S005 secret-reference-unknown,
# --- K8S006 pvc-reference-unknown --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    name: ScalarNode
    keys: tuple[ScalarNode, ...]  # keys read from the object, when any
    optional: bool


@dataclass(frozen=True, slots=True)
class ReferenceParams:
    kind: str = "ConfigMap"  # ConfigMap, Secret or PersistentVolumeClaim


# Where a pod spec names an object of each kind: (mapping key, name field).
_VOLUME_SOURCES = {"ConfigMap": ("configMap", "name"), "Secret": ("secret", "secretName"),
                   "PersistentVolumeClaim": ("persistentVolumeClaim", "claimName")}
_ENV_SOURCES = {"ConfigMap": ("configMapKeyRef", "configMapRef"), "Secret": ("secretKeyRef", "secretRef")}


def _reference(node: MappingNode | None, name_field: str, key_nodes: list[ScalarNode]) -> Reference | None:
    if node is None:
        return None
    name = node.scalar(name_field)
    if name is None or not name.text or templated(name):
        return None
    optional = node.get("optional")
    return Reference(name, tuple(key_nodes), isinstance(optional, ScalarNode) and optional.value is True)


def _references(pod: PodTemplate, kind: str) -> Iterator[Reference | None]:
    env_key, env_from = _ENV_SOURCES.get(kind, ("", ""))
    for container in pod.containers:
        for env in sequence_items(container.sequence("env")):
            source = env.mapping("valueFrom")
            ref_node = source.mapping(env_key) if source is not None and env_key else None
            key = ref_node.scalar("key") if ref_node is not None else None
            yield _reference(ref_node, "name", [key] if key is not None else [])
        for env in sequence_items(container.sequence("envFrom")):
            yield _reference(env.mapping(env_from) if env_from else None, "name", [])
    volume_key, name_field = _VOLUME_SOURCES[kind]
    for volume in sequence_items(pod.spec.sequence("volumes")):
        sources = [volume.mapping(volume_key)]
        projected = volume.mapping("projected")
        sources += [s.mapping(volume_key) for s in sequence_items(projected.sequence("sources") if projected else None)]
        for source in sources:
            items = source.sequence("items") if source is not None else None
            keys = [k for item in sequence_items(items) if (k := item.scalar("key")) is not None]
            # A projected source names its Secret by `name`, a volume by `secretName`.
            field_name = name_field if source is not None and source.get(name_field) is not None else "name"
            yield _reference(source, field_name, keys)


def object_reference(subject: Subject, params: ReferenceParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    pod = ref.index.pod_of(ref.obj)
    namespace = ref.obj.namespace
    if pod is None or not ref.index.defines(params.kind, namespace):
        return  # the deployment defines none of these: they come from elsewhere
    for reference in _references(pod, params.kind):
        if reference is None or reference.optional:
            continue
        target = ref.index.find(params.kind, namespace, reference.name.text)
        if target is None:
            defined = sorted(ref.index.names.get((params.kind, namespace), ()))
            yield Violation(reference.name.span, {"reason": f"no {params.kind} '{reference.name.text}' in {ref.index.where}",
                                                  "defined": ", ".join(defined[:5])})
            continue
        keys = keys_of(target.node) if target.kind == params.kind else None
        for key in reference.keys:
            if keys is not None and not templated(key) and key.text not in keys:
                reason = f"{params.kind} '{reference.name.text}' has no key '{key.text}'"
                if target.env_files:  # the generator's env file is what would have to set it
                    reason += f": {' or '.join(target.env_files)} does not set {key.text}"
                yield Violation(key.span, {"reason": reason, "defined": ", ".join(sorted(keys)[:5])})


# --- K8S007 scale-target-unknown, K8S008 pdb-selects-no-pods, K8S009 pdb-blocks-eviction ----


def scale_target(subject: Subject, params: NoParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    target_ref = ref.obj.node.path("spec", "scaleTargetRef")
    if not isinstance(target_ref, MappingNode):
        return
    name = target_ref.scalar("name")
    kind = target_ref.text("kind", "Deployment")
    if name is None or templated(name) or is_custom(target_ref.text("apiVersion")):
        return
    if not ref.index.defines(kind, ref.obj.namespace):
        return
    if ref.index.find(kind, ref.obj.namespace, name.text) is None:
        yield Violation(name.span, {"target": f"{kind}/{name.text}", "where": ref.index.where})


def is_custom(api_version: str) -> bool:
    """A custom resource's API group: its workloads are not judged."""
    group = api_version.partition("/")[0] if "/" in api_version else ""
    return group not in ("", "apps", "batch", "extensions", "argoproj.io")


def _pdb_selector(ref: InDeployment) -> MappingNode | None:
    selector = ref.obj.node.path("spec", "selector")
    return selector if isinstance(selector, MappingNode) else None


def pdb_selects_pods(subject: Subject, params: NoParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    selector = _pdb_selector(ref)
    looked = _selecting_none(ref, selector, plain=False)
    if selector is not None and looked:
        yield Violation(selector.anchor_span, {"where": ref.index.where, "looked": names(p.obj for p in looked)})


def pdb_blocks_eviction(subject: Subject, params: NoParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    spec = ref.obj.node.mapping("spec")
    if spec is None:
        return
    unavailable, available = spec.get("maxUnavailable"), spec.get("minAvailable")
    if isinstance(unavailable, ScalarNode) and unavailable.text.strip() in ("0", "0%"):
        yield Violation(unavailable.span, {"reason": "maxUnavailable 0 allows no voluntary eviction"})
        return
    if not isinstance(available, ScalarNode) or templated(available):
        return
    if available.text.strip() == "100%":
        yield Violation(available.span, {"reason": "minAvailable 100% allows no voluntary eviction"})
        return
    minimum = integer(available)
    selector = _pdb_selector(ref)
    if minimum is None or selector is None:
        return
    chosen, certain = _selected(ref, selector, plain=False)
    replicas = [_replicas(p.obj.node) for p in chosen]
    if chosen and certain and all(r is not None for r in replicas) and minimum >= sum(r for r in replicas if r is not None):
        yield Violation(available.span, {"reason": f"minAvailable {minimum} is all of the {sum(r for r in replicas if r)} "
                                                   f"replica(s) of {names(p.obj for p in chosen)}: no pod may be evicted"})


def _replicas(workload: MappingNode) -> int | None:
    spec = workload.mapping("spec")
    if spec is None:
        return None
    node = spec.get("replicas")
    return 1 if node is None else integer(node)


# --- K8S010 workload-without-network-policy ----------------------------------------------------


def network_policy_selects(subject: Subject, params: NoParams) -> Iterator[Violation]:
    ref: InDeployment = subject.data
    pod = ref.index.pod_of(ref.obj)
    namespace = ref.obj.namespace
    if pod is None or not ref.index.defines("NetworkPolicy", namespace):
        return
    policies = ref.index.defined("NetworkPolicy", namespace)
    for policy in policies:
        selector = policy.node.path("spec", "podSelector")
        if not isinstance(selector, MappingNode) or selector_matches(selector, pod.labels) is not False:
            return  # selected, or cannot be told
    kind = ref.obj.node.get("kind")
    yield Violation(kind.span if kind is not None else subject.anchor, {"policies": names(policies), "where": ref.index.where})


REFERENCE_CHECKS = {
    "service-selects-pods": PythonCheck(service_selects_pods, NoParams, takes=(InDeployment,)),
    "service-target-port": PythonCheck(service_target_port, NoParams, takes=(InDeployment,)),
    "ingress-backend": PythonCheck(ingress_backend, NoParams, takes=(InDeployment,)),
    "object-reference": PythonCheck(object_reference, ReferenceParams, takes=(InDeployment,)),
    "scale-target": PythonCheck(scale_target, NoParams, takes=(InDeployment,)),
    "pdb-selects-pods": PythonCheck(pdb_selects_pods, NoParams, takes=(InDeployment,)),
    "pdb-blocks-eviction": PythonCheck(pdb_blocks_eviction, NoParams, takes=(InDeployment,)),
    "network-policy-selects": PythonCheck(network_policy_selects, NoParams, takes=(InDeployment,)),
    "env-variable-undefined": PythonCheck(env_variable_undefined, NoParams, takes=(InDeployment,)),
}

