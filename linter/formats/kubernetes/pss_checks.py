"""Pod Security Standards checks (K8S408-K8S417): the baseline and
restricted controls the K8S4xx rules do not already cover. Pod-level and
container-level securityContext fields are resolved as the kubelet does
(`security_context.py`); a pod-level value several containers inherit is one
finding, at the pod's field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span
from linter.core.subject import Subject
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.security_context import Resolved, effective, pod_containers, resolved
from linter.formats.kubernetes.selectors import PodSpec


def _pod(subject: Subject) -> MappingNode | None:
    return subject.data.spec if isinstance(subject.data, PodSpec) else None


def _span(node: Node) -> Span:
    return node.span if isinstance(node, ScalarNode) else node.anchor_span


def _text(node: Node | None) -> str:
    return node.text.strip() if isinstance(node, ScalarNode) else ""


def _where(found: Resolved) -> str:
    if found.inherited:
        return f"the pod's securityContext (inherited by container '{found.container}')"
    return f"container '{found.container}'"


def _finding(found: Resolved, logical: str, value: str | None = None) -> Violation:
    shown = _text(found.node) if value is None else value
    return Violation(_span(found.node), {"where": _where(found), "value": shown}, logical=f"{logical}/{found.container}")


# --- K8S408 host-port ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostPortParams:
    allowed_ports: tuple[int, ...] = ()


def host_port(subject: Subject, params: HostPortParams) -> Iterator[Violation]:
    """Every non-zero `ports[].hostPort` (baseline: none, or a known list)."""
    pod = _pod(subject)
    for container in pod_containers(pod) if pod is not None else ():
        for port in container.node.sequence("ports") or ():
            node = port.get("hostPort") if isinstance(port, MappingNode) else None
            value = node.value if isinstance(node, ScalarNode) else None
            if node is None or value in (0, None) or value in params.allowed_ports:
                continue
            found = Resolved(node, container.name, inherited=False)
            yield _finding(found, f"hostPort/{_text(node)}")


# --- K8S409 seccomp-unconfined, K8S410 seccomp-profile-missing ----------------------------------


def seccomp_unconfined(subject: Subject, params: object) -> Iterator[Violation]:
    """`seccompProfile.type: Unconfined`, the pod's or a container's (baseline)."""
    pod = _pod(subject)
    for found in resolved(pod, "seccompProfile", "type") if pod is not None else ():
        if _text(found.node) == "Unconfined":
            yield _finding(found, "seccompProfile")


def seccomp_profile_missing(subject: Subject, params: object) -> Iterator[Violation]:
    """A container with no seccompProfile of its own or from the pod
    (restricted requires RuntimeDefault or Localhost; Unconfined is K8S409's)."""
    pod = _pod(subject)
    for container in pod_containers(pod) if pod is not None else ():
        if effective(container.node, pod, "seccompProfile", "type") is None:
            context = container.node.get("securityContext")
            where = context.anchor_span if context is not None else container.node.anchor_span
            yield Violation(where, {"where": f"container '{container.name}'", "value": "unset"}, logical=f"seccompProfile/{container.name}")


# --- K8S411 proc-mount ----------------------------------------------------------------------------


def proc_mount(subject: Subject, params: object) -> Iterator[Violation]:
    """`procMount` other than Default unmasks /proc (baseline)."""
    pod = _pod(subject)
    for container in pod_containers(pod) if pod is not None else ():
        node = container.node.path("securityContext", "procMount")
        if node is not None and _text(node) != "Default":
            yield _finding(Resolved(node, container.name, inherited=False), "procMount")


# --- K8S412 windows-host-process -----------------------------------------------------------------


def windows_host_process(subject: Subject, params: object) -> Iterator[Violation]:
    pod = _pod(subject)
    for found in resolved(pod, "windowsOptions", "hostProcess") if pod is not None else ():
        if isinstance(found.node, ScalarNode) and found.node.value is True:
            yield _finding(found, "hostProcess")


# --- K8S413 unsafe-sysctls ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SysctlParams:
    # The baseline profile's safe set (Kubernetes 1.29+); every other sysctl
    # is node-wide or unnamespaced enough to affect other pods.
    allowed: tuple[str, ...] = (
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    )


def unsafe_sysctls(subject: Subject, params: SysctlParams) -> Iterator[Violation]:
    pod = _pod(subject)
    sysctls = pod.path("securityContext", "sysctls") if pod is not None else None
    for item in sysctls if isinstance(sysctls, SequenceNode) else ():
        name = item.scalar("name") if isinstance(item, MappingNode) else None
        # Sysctl names may use '/' for '.' (net/ipv4/tcp_syncookies).
        if name is not None and name.text.strip().replace("/", ".") not in params.allowed:
            yield Violation(name.span, {"value": name.text.strip()}, logical=f"sysctls/{name.text.strip()}")


# --- K8S414 apparmor-unconfined -------------------------------------------------------------------


APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _template_metadata(obj: K8sObject, spec: MappingNode) -> MappingNode | None:
    """The metadata beside a pod spec (the pod template's, or a Pod's own)."""
    stack: list[Node] = [obj.node]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            if node.get("spec") is spec:
                return node.mapping("metadata")
            stack.extend(value for _, value in node.pairs if isinstance(value, MappingNode))
    return None


def _apparmor_allowed(value: str) -> bool:
    return value == "runtime/default" or value.startswith("localhost/")


def apparmor_unconfined(subject: Subject, params: object) -> Iterator[Violation]:
    """`appArmorProfile.type: Unconfined` (pod or container), or a legacy
    AppArmor annotation naming a profile other than runtime/default or
    localhost/* (baseline)."""
    data = subject.data
    if not isinstance(data, PodSpec):
        return
    for found in resolved(data.spec, "appArmorProfile", "type"):
        if _text(found.node) == "Unconfined":
            yield _finding(found, "appArmorProfile")
    metadata = _template_metadata(data.obj, data.spec)
    annotations = metadata.mapping("annotations") if metadata is not None else None
    for key, value in annotations.pairs if annotations is not None else ():
        if key.text.startswith(APPARMOR_ANNOTATION) and isinstance(value, ScalarNode) and not _apparmor_allowed(_text(value)):
            container = key.text.removeprefix(APPARMOR_ANNOTATION)
            yield _finding(Resolved(value, container, inherited=False), "apparmor-annotation")


# --- K8S415 selinux-options -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeLinuxParams:
    allowed_types: tuple[str, ...] = ("container_t", "container_init_t", "container_kvm_t", "container_engine_t")


def selinux_options(subject: Subject, params: SeLinuxParams) -> Iterator[Violation]:
    """A seLinuxOptions type outside the allowed set, or any user or role
    (baseline), pod-level or container-level."""
    pod = _pod(subject)
    if pod is None:
        return
    for found in resolved(pod, "seLinuxOptions", "type"):
        value = _text(found.node)
        if value and value not in params.allowed_types:
            yield _finding(found, "seLinuxOptions.type", f"type {value}")
    for field_name in ("user", "role"):
        for found in resolved(pod, "seLinuxOptions", field_name):
            if _text(found.node):
                yield _finding(found, f"seLinuxOptions.{field_name}", f"{field_name} {_text(found.node)}")


# --- K8S416 restricted-volume-types ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VolumeTypeParams:
    allowed: tuple[str, ...] = (
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    )


def restricted_volume_types(subject: Subject, params: VolumeTypeParams) -> Iterator[Violation]:
    """A volume whose source the restricted profile does not allow, at its
    source key (hostPath is K8S407's)."""
    pod = _pod(subject)
    for volume in (pod.sequence("volumes") or ()) if pod is not None else ():
        if not isinstance(volume, MappingNode):
            continue
        for key, _ in volume.pairs:
            if key.text not in ("name", "hostPath") and key.text not in params.allowed:
                name = volume.text("name") or "?"
                yield Violation(key.span, {"volume": name, "value": key.text}, logical=f"volumes/{name}")


# --- K8S417 namespace-pod-security ----------------------------------------------------------------


ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"


def namespace_pod_security(subject: Subject, params: object) -> Iterator[Violation]:
    """A Namespace without a Pod Security admission `enforce` level, or
    enforcing `privileged` (no restriction at all)."""
    namespace = subject.node
    if not isinstance(namespace, MappingNode):
        return
    metadata = namespace.mapping("metadata")
    labels = metadata.mapping("labels") if metadata is not None else None
    level = labels.get(ENFORCE_LABEL) if labels is not None else None
    if level is None:
        where = labels or metadata or namespace
        yield Violation(where.anchor_span, {"reason": f"sets no {ENFORCE_LABEL} label"})
    elif _text(level) == "privileged":
        yield Violation(_span(level), {"reason": f"enforces the privileged level ({ENFORCE_LABEL}: privileged)"})
