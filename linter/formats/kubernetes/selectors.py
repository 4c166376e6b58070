"""Kubernetes selectors: objects, pod specs and containers of every workload."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linter.core.model import MappingNode
from linter.core.subject import Selector, Subject
from linter.formats.kubernetes.api_subjects import ApiUse, SchemaReport, api_objects, api_table, schema_objects
from linter.formats.kubernetes.object_subject import object_context, object_scope, object_subject
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.references import InDeployment, deployment_index

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit

# Where each built-in workload keeps its pod spec. Users add custom resources
# (OpenKruise CloneSet, ...) with the config's `pod_templates`.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    # OpenShift's DeploymentConfig and Argo Rollouts' Rollout keep a
    # Deployment's pod template (a Rollout with `workloadRef` has none here).
    "DeploymentConfig": ("spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),
}

# Pods of these kinds, and pods whose restartPolicy is one of these, run to
# completion: their containers are tasks, not servers.
RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})
RUN_TO_COMPLETION_POLICIES = frozenset({"Never", "OnFailure"})


@dataclass(frozen=True, slots=True)
class PodSpec:
    """A `pod-specs` subject's `data`: the workload and its pod spec (the
    subject's node)."""

    obj: K8sObject
    spec: MappingNode
    # The other objects of its lint unit, or of its deployment for
    # `deployed-pod-specs` (its ServiceAccount may be one).
    neighbours: tuple[K8sObject, ...] = ()


@dataclass(frozen=True, slots=True)
class ContainerOwner:
    """A container subject's `data`: its object, and the pod spec whose
    securityContext the container inherits."""

    obj: K8sObject
    pod_spec: MappingNode


def _objects(unit: LintUnit) -> list[K8sObject]:
    return unit.model if isinstance(unit.model, list) else []


def pod_spec_paths(ctx: RunContext) -> dict[str, tuple[str, ...]]:
    custom = ctx.options.get("pod_templates") or {}
    table = dict(POD_SPEC_PATHS)
    for kind, path in custom.items():
        table[kind] = tuple(path.split(".")) + ("spec",)
    return table


def objects(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every object; option `kinds` restricts to some kinds."""
    kinds = options.get("kinds")
    for obj in _objects(unit):
        if kinds and obj.kind not in kinds:
            continue
        yield object_subject(obj, obj)


def pod_specs(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """The pod spec of every workload (Pod, Deployment, ..., CronJob, custom)."""
    return _pod_specs(unit, options, ctx, tuple(_objects(unit)))


def deployed_pod_specs(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """`pod-specs`, each knowing every object of its deployment (the
    ServiceAccount it runs as may be in a sibling file or the build)."""
    everything = tuple(obj for u in ctx.together(unit) for obj in _objects(u))
    return _pod_specs(unit, options, ctx, everything)


def _pod_specs(unit: LintUnit, options: dict[str, Any], ctx: RunContext, neighbours: tuple[K8sObject, ...]) -> Iterator[Subject]:
    table = pod_spec_paths(ctx)
    skip = set(options.get("skip_kinds", ()))
    for obj in _objects(unit):
        path = table.get(obj.kind)
        if path is None or obj.kind in skip:
            continue
        spec = obj.node.path(*path)
        if isinstance(spec, MappingNode):
            yield Subject(spec, object_context(obj), obj.ref, data=PodSpec(obj, spec, neighbours), scope=object_scope(obj))


def runs_to_completion(obj: K8sObject, pod: MappingNode) -> bool:
    """A Job's pod, or any pod whose restartPolicy lets its containers finish."""
    return obj.kind in RUN_TO_COMPLETION or pod.text("restartPolicy") in RUN_TO_COMPLETION_POLICIES


def is_native_sidecar(container: MappingNode) -> bool:
    """An init container with `restartPolicy: Always` runs beside the main
    containers for the pod's whole life (Kubernetes 1.29+)."""
    return container.text("restartPolicy") == "Always"


_INIT_LISTS = {
    "include": ("initContainers", "containers"),
    "exclude": ("containers",),
    "only": ("initContainers",),
    "sidecars": ("initContainers", "containers"),
}


def _selected(field_name: str, container: MappingNode, init: str, finite_pod: bool) -> bool:
    if field_name == "initContainers" and init == "sidecars":
        return is_native_sidecar(container)
    return not (finite_pod and field_name == "containers")


def containers(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every container of every pod spec.

    Options: `init: include | exclude | only | sidecars` (default include;
    `sidecars` keeps only the init containers that run for the pod's life;
    ephemeral containers are never selected), `skip_kinds: [Job, CronJob]`,
    `skip_run_to_completion: true` (no main containers of pods that run to
    completion; their native sidecars are still selected).
    """
    init = options.get("init", "include")
    lists = _INIT_LISTS[init]
    skip_finite = bool(options.get("skip_run_to_completion"))
    for pod in pod_specs(unit, options, ctx):
        spec: PodSpec = pod.data
        finite_pod = skip_finite and runs_to_completion(spec.obj, spec.spec)
        for field_name in lists:
            items = spec.spec.sequence(field_name)
            if items is None:
                continue
            for index, container in enumerate(items):
                if not isinstance(container, MappingNode) or not _selected(field_name, container, init, finite_pod):
                    continue
                name = container.text("name") or f"#{index}"
                context = dict(pod.context, name=name, container_type=field_name[:-1])
                scope = dict(pod.scope, container=name)
                owner = ContainerOwner(spec.obj, spec.spec)
                yield Subject(container, context, f"{pod.logical}/{field_name}/{name}", data=owner, scope=scope)


# Autoscaler kinds and the target kind their scaleTargetRef defaults to (KEDA's
# ScaledObject may omit it).
AUTOSCALERS = {"HorizontalPodAutoscaler": "Deployment", "ScaledObject": "Deployment"}


def _autoscaled(unit: LintUnit, ctx: RunContext) -> dict[tuple[str, str], set[str]]:
    """(kind, name) -> namespaces of every workload an autoscaler deployed
    with `unit` targets. Computed once per deployment (each of its units
    asks); indexed so each lookup is constant time."""
    key = "kubernetes.autoscaled:" + (unit.deployment.key if unit.deployment is not None else "unit:" + unit.path)
    cached: dict[tuple[str, str], set[str]] | None = ctx.cache.get(key)
    if cached is not None:
        return cached
    targets: dict[tuple[str, str], set[str]] = {}
    for other in ctx.together(unit):
        for obj in _objects(other):
            default_kind = AUTOSCALERS.get(obj.kind)
            ref = obj.node.path("spec", "scaleTargetRef")
            if default_kind is None or not isinstance(ref, MappingNode):
                continue
            targets.setdefault((ref.text("kind") or default_kind, ref.text("name")), set()).add(obj.namespace)
    ctx.cache[key] = targets
    return targets


def _is_autoscaled(obj: K8sObject, targets: dict[tuple[str, str], set[str]]) -> bool:
    # An autoscaler scales a workload of its own namespace. A manifest without
    # a namespace goes wherever it is applied, so it is known to share one only
    # with another namespace-less manifest of its deployment; never with a
    # named namespace.
    return obj.namespace in targets.get((obj.kind, obj.name), ())


def unscaled_workloads(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Workloads (option `kinds`, default Deployment and StatefulSet) that no
    HorizontalPodAutoscaler or KEDA ScaledObject of their deployment scales."""
    kinds = options.get("kinds") or ("Deployment", "StatefulSet")
    targets = _autoscaled(unit, ctx)
    for subject in objects(unit, {"kinds": kinds}, ctx):
        if not _is_autoscaled(subject.data, targets):
            yield subject


def deployment_objects(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every object (option `kinds`), with the index of its deployment (the
    reference checks: does the Service an Ingress names exist?)."""
    kinds = options.get("kinds")
    chosen = [o for o in _objects(unit) if not kinds or o.kind in kinds]
    if not chosen:
        return
    index = deployment_index(unit, ctx, pod_spec_paths(ctx), api_table(ctx))
    for obj in chosen:
        yield object_subject(obj, InDeployment(obj, index))


SELECTORS = {
    "objects": Selector(objects, yields=(K8sObject,)),
    "pod-specs": Selector(pod_specs, yields=(PodSpec,)),
    "deployed-pod-specs": Selector(deployed_pod_specs, yields=(PodSpec,)),
    "containers": Selector(containers, yields=(ContainerOwner,)),
    "unscaled-workloads": Selector(unscaled_workloads, yields=(K8sObject,)),
    "api-objects": Selector(api_objects, yields=(ApiUse,)),
    "schema-objects": Selector(schema_objects, yields=(SchemaReport,)),
    "deployment-objects": Selector(deployment_objects, yields=(InDeployment,)),
}
