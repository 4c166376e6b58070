"""Python checks for the Kubernetes pack: the logic a JSON Schema cannot say
(quantity arithmetic, inheritance between pod and container security contexts,
image reference parsing, host-name coverage, cross-field comparisons)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.check import PythonCheck, Violation
from linter.core.findings import Severity
from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode
from linter.core.subject import Subject
from linter.formats.kubernetes.api_checks import API_CHECKS
from linter.formats.kubernetes.hygiene_checks import (
    LabelParams,
    PullPolicyParams,
    automount_service_account_token,
    default_namespace,
    default_service_account,
    duplicate_env,
    image_pull_policy_mutable,
    recommended_labels,
)
from linter.formats.kubernetes.imageref import parse_image
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.provider_tls import PROVIDER_CERTIFICATE_ANNOTATIONS, provider_tls
from linter.formats.kubernetes.pss_checks import (
    HostPortParams,
    SeLinuxParams,
    SysctlParams,
    VolumeTypeParams,
    apparmor_unconfined,
    host_port,
    namespace_pod_security,
    proc_mount,
    restricted_volume_types,
    seccomp_profile_missing,
    seccomp_unconfined,
    selinux_options,
    unsafe_sysctls,
    windows_host_process,
)
from linter.formats.kubernetes.quantity import parse_quantity
from linter.formats.kubernetes.rbac_checks import (
    AdminBindingParams,
    rbac_admin_binding,
    rbac_escalation_verbs,
    rbac_pod_exec,
    rbac_secret_read,
    rbac_wildcard,
    rbac_write_access_control,
)
from linter.formats.kubernetes.reference_checks import REFERENCE_CHECKS
from linter.formats.kubernetes.references import InDeployment, integer
from linter.formats.kubernetes.secret_checks import SECRET_CHECKS
from linter.formats.kubernetes.security_context import effective
from linter.formats.kubernetes.selectors import ContainerOwner, PodSpec
from linter.formats.kubernetes.templating import is_templated

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _pod_spec(subject: Subject) -> MappingNode | None:
    """The pod spec a container subject belongs to (containers selector data)."""
    return subject.data.pod_spec if isinstance(subject.data, ContainerOwner) else None


# --- K8S101 container-cpu-request, K8S102 container-memory-request ---------------------------


@dataclass(frozen=True, slots=True)
class RequestParams:
    resource: str = "cpu"
    # The API server copies a limit into a missing request of the same
    # resource, so such a container is scheduled by its limit.
    limit_counts_as_request: bool = True


def container_request(subject: Subject, params: RequestParams) -> Iterator[Violation]:
    """The shallowest missing piece of `resources.requests.<resource>`, unless
    a limit for that resource stands in for it (and the policy accepts that)."""
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    resources = container.get("resources")
    if resources is None:
        yield Violation(container.anchor_span)
        return
    if not isinstance(resources, MappingNode):
        yield Violation(resources.anchor_span, logical="resources")
        return
    limits = resources.mapping("limits")
    if params.limit_counts_as_request and limits is not None and limits.get(params.resource) is not None:
        return
    requests = resources.get("requests")
    if not isinstance(requests, MappingNode):
        yield Violation((requests or resources).anchor_span, logical="resources")
    elif requests.get(params.resource) is None:
        yield Violation(requests.anchor_span, logical="resources.requests")


# --- K8S105 request-exceeds-limit -------------------------------------------------------------


def request_exceeds_limit(subject: Subject, params: object) -> Iterator[Violation]:
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    requests = container.path("resources", "requests")
    limits = container.path("resources", "limits")
    if not isinstance(requests, MappingNode) or not isinstance(limits, MappingNode):
        return
    for resource, request_node in requests.items():
        limit_node = limits.scalar(resource)
        if not isinstance(request_node, ScalarNode) or limit_node is None:
            continue
        request, limit = parse_quantity(request_node.value), parse_quantity(limit_node.value)
        if request is not None and limit is not None and request > limit:
            yield Violation(
                request_node.span,
                {"resource": resource, "request": request_node.text, "limit": limit_node.text},
                logical=resource,
            )


# --- K8S203 probe-port-unknown, K8S204 probes-identical ----------------------------------------


def _probe_ports(probe: MappingNode) -> Iterator[ScalarNode]:
    for handler in ("httpGet", "tcpSocket", "grpc"):
        port = probe.path(handler, "port")
        if isinstance(port, ScalarNode):
            yield port


def probe_port_unknown(subject: Subject, params: object) -> Iterator[Violation]:
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    ports = container.sequence("ports")
    names = {p.text("name") for p in ports or () if isinstance(p, MappingNode) and p.text("name")}
    for probe_name in PROBES:
        probe = container.mapping(probe_name)
        if probe is None:
            continue
        for port in _probe_ports(probe):
            if isinstance(port.value, str) and not port.value.isdigit() and port.value not in names and not is_templated(port.value):
                known = ", ".join(sorted(names)) or "none"
                yield Violation(port.span, {"probe": probe_name, "port": port.value, "known": known}, logical=probe_name)


def probes_identical(subject: Subject, params: object) -> Iterator[Violation]:
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    liveness, readiness = container.mapping("livenessProbe"), container.mapping("readinessProbe")
    if liveness is not None and readiness is not None and liveness.to_python() == readiness.to_python():
        yield Violation(liveness.anchor_span)


# --- K8S301 hpa-min-replicas, K8S302 single-replica ------------------------------------------


@dataclass(frozen=True, slots=True)
class MinReplicasParams:
    min_replicas: int = 3


def hpa_min_replicas(subject: Subject, params: MinReplicasParams) -> Iterator[Violation]:
    hpa = subject.node
    spec = hpa.mapping("spec") if isinstance(hpa, MappingNode) else None
    if spec is None:
        return
    min_node, max_node = spec.get("minReplicas"), spec.get("maxReplicas")
    minimum, maximum = integer(min_node), integer(max_node)
    if min_node is None:
        if params.min_replicas > 1:
            yield Violation(spec.anchor_span, {"reason": f"minReplicas is not set (defaults to 1, below {params.min_replicas})"})
        return
    if minimum is None:
        return
    if minimum < params.min_replicas:
        yield Violation(min_node.span, {"reason": f"minReplicas {minimum} is below {params.min_replicas}"})
    elif maximum is not None and minimum > maximum:
        yield Violation(min_node.span, {"reason": f"minReplicas {minimum} is above maxReplicas {maximum}"})


@dataclass(frozen=True, slots=True)
class SingleReplicaParams:
    min_replicas: int = 2


def single_replica(subject: Subject, params: SingleReplicaParams) -> Iterator[Violation]:
    workload = subject.node
    if not isinstance(workload, MappingNode):
        return
    spec = workload.mapping("spec")
    replicas_node = spec.get("replicas") if spec is not None else None
    if replicas_node is None:
        where = spec.anchor_span if spec is not None else workload.anchor_span
        yield Violation(where, {"replicas": "unset (1)"})
        return
    replicas = integer(replicas_node)
    # 0 is a deliberate scale-down, not a single point of failure.
    if replicas is not None and 0 < replicas < params.min_replicas:
        yield Violation(replicas_node.span, {"replicas": str(replicas)})


# --- K8S401 run-as-non-root -------------------------------------------------------------------


def run_as_non_root(subject: Subject, params: object) -> Iterator[Violation]:
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    pod = _pod_spec(subject)
    non_root = effective(container, pod, "runAsNonRoot")
    user = effective(container, pod, "runAsUser")
    uid = integer(user)
    if user is not None and uid == 0:
        yield Violation(user.span, {"reason": "runAsUser is 0"})
    elif isinstance(non_root, ScalarNode) and non_root.value is False:
        yield Violation(non_root.span, {"reason": "runAsNonRoot is false"})
    elif not (isinstance(non_root, ScalarNode) and non_root.value is True) and not (uid is not None and uid > 0):
        context = container.get("securityContext")
        where = context if context is not None else container
        yield Violation(where.anchor_span, {"reason": "neither runAsNonRoot: true nor a non-zero runAsUser is set"})


# --- K8S406 dangerous-capabilities ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CapabilityParams:
    forbidden_add: tuple[str, ...] = (
        "ALL",
        "SYS_ADMIN",
        "NET_ADMIN",
        "SYS_PTRACE",
        "SYS_MODULE",
        "DAC_READ_SEARCH",
        "SYS_RAWIO",
        "SYS_BOOT",
        "SYS_TIME",
        "MAC_ADMIN",
        "MAC_OVERRIDE",
        "BPF",
        "PERFMON",
        "NET_RAW",
    )
    required_drop: tuple[str, ...] = ("NET_RAW",)


def _capability(node: Node) -> str:
    text = node.text if isinstance(node, ScalarNode) else ""
    return text.strip().upper().removeprefix("CAP_")


def dangerous_capabilities(subject: Subject, params: CapabilityParams) -> Iterator[Violation]:
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    capabilities = container.path("securityContext", "capabilities")
    capabilities = capabilities if isinstance(capabilities, MappingNode) else None
    added = capabilities.sequence("add") if capabilities is not None else None
    forbidden = {c.upper() for c in params.forbidden_add}
    for item in added or ():
        name = _capability(item)
        if name in forbidden:
            yield Violation(item.span, {"reason": f"adds capability {name}"}, logical=f"add/{name}")
    dropped_node = capabilities.sequence("drop") if capabilities is not None else None
    dropped = {_capability(item) for item in dropped_node or ()}
    if "ALL" in dropped:
        return
    missing = [c for c in params.required_drop if c.upper() not in dropped]
    if missing:
        where: Node = dropped_node or capabilities or container.get("securityContext") or container
        yield Violation(where.anchor_span, {"reason": f"does not drop {', '.join(missing)} (drop ALL)"}, logical="drop")


# --- K8S407 host-path-volume ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostPathParams:
    runtime_sockets: tuple[str, ...] = (
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/var/run/cri-dockerd.sock",
        "/var/run/containerd/containerd.sock",
        "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/run/crio/crio.sock",
    )


def _exposes(host_path: str, socket: str) -> bool:
    """True when mounting `host_path` makes `socket` reachable (it or a parent dir)."""
    directory = "/" + host_path.strip("/")
    return socket == directory or socket.startswith(directory.rstrip("/") + "/")


def host_path_volume(subject: Subject, params: HostPathParams) -> Iterator[Violation]:
    pod = subject.node
    volumes = pod.sequence("volumes") if isinstance(pod, MappingNode) else None
    for volume in volumes or ():
        host_path = volume.get("hostPath") if isinstance(volume, MappingNode) else None
        if host_path is None or not isinstance(volume, MappingNode):
            continue
        path_node = host_path.get("path") if isinstance(host_path, MappingNode) else None
        path = path_node.text if isinstance(path_node, ScalarNode) else ""
        target = path_node if path_node is not None else host_path
        span = target.span if isinstance(target, ScalarNode) else target.anchor_span
        name = volume.text("name") or "?"
        if path and any(_exposes(path, s) for s in params.runtime_sockets):
            yield Violation(
                span,
                {"volume": name, "path": path, "reason": "exposes the container runtime socket (node takeover)"},
                logical=name,
                severity=Severity.ERROR,
                security_severity=9.0,
            )
        else:
            yield Violation(span, {"volume": name, "path": path or "?", "reason": "mounts a directory of the node"}, logical=name)


# --- K8S501 image-mutable-tag -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageTagParams:
    mutable_tags: tuple[str, ...] = ("latest",)


def image_mutable_tag(subject: Subject, params: ImageTagParams) -> Iterator[Violation]:
    container = subject.node
    image = container.scalar("image") if isinstance(container, MappingNode) else None
    if image is None or not image.text.strip() or is_templated(image.text):
        return
    ref = parse_image(image.text)
    if ref.pinned_by_digest:
        return
    if ref.tag is None:
        yield Violation(image.span, {"image": image.text, "reason": "has no tag (pulls latest)"})
    elif ref.tag in params.mutable_tags:
        yield Violation(image.span, {"image": image.text, "reason": f"uses the mutable tag '{ref.tag}'"})


# --- K8S601 ingress-tls, K8S602 ingress-tls-hosts, K8S603 ingress-cert-issuer -----------------


@dataclass(frozen=True, slots=True)
class ProviderTlsParams:
    # Annotations naming a certificate that the load balancer or controller
    # serves itself: TLS is terminated there, whatever `spec.tls` says.
    provider_certificate_annotations: tuple[str, ...] = PROVIDER_CERTIFICATE_ANNOTATIONS


def ingress_tls(subject: Subject, params: ProviderTlsParams) -> Iterator[Violation]:
    ingress = subject.node
    if not isinstance(ingress, MappingNode) or provider_tls(ingress, params.provider_certificate_annotations):
        return
    spec = ingress.get("spec")
    if not isinstance(spec, MappingNode):
        yield Violation(ingress.anchor_span if spec is None else spec.anchor_span, logical="" if spec is None else "spec")
        return
    tls = spec.get("tls")
    if tls is None:
        yield Violation(spec.anchor_span, logical="spec")
    elif not isinstance(tls, SequenceNode) or not tls.items:
        yield Violation(tls.anchor_span if isinstance(tls, MappingNode) else tls.span, logical="spec.tls")


def _covers(pattern: str, host: str) -> bool:
    """A TLS host covers a rule host exactly or as a one-label wildcard."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern == host:
        return True
    if pattern.startswith("*."):
        first, dot, rest = host.partition(".")
        return bool(dot) and first != "*" and bool(first) and rest == pattern[2:]
    return False


def _tls_entries(ingress: MappingNode) -> list[MappingNode]:
    tls = ingress.path("spec", "tls")
    return [t for t in tls if isinstance(t, MappingNode)] if isinstance(tls, SequenceNode) else []


def ingress_tls_hosts(subject: Subject, params: ProviderTlsParams) -> Iterator[Violation]:
    ingress = subject.node
    if not isinstance(ingress, MappingNode) or provider_tls(ingress, params.provider_certificate_annotations):
        return  # the provider's certificate serves every host
    entries = _tls_entries(ingress)
    if not entries:
        return  # no TLS at all is K8S601's finding
    tls_hosts = [h.text for t in entries for h in t.sequence("hosts") or () if isinstance(h, ScalarNode)]
    rules = ingress.path("spec", "rules")
    for rule in rules if isinstance(rules, SequenceNode) else ():
        host = rule.scalar("host") if isinstance(rule, MappingNode) else None
        if host is not None and host.text and not any(_covers(p, host.text) for p in tls_hosts):
            yield Violation(host.span, {"host": host.text}, logical=host.text)


@dataclass(frozen=True, slots=True)
class CertIssuerParams(ProviderTlsParams):
    issuer_annotations: tuple[str, ...] = ("cert-manager.io/cluster-issuer", "cert-manager.io/issuer", "kubernetes.io/tls-acme")


def ingress_cert_issuer(subject: Subject, params: CertIssuerParams) -> Iterator[Violation]:
    """Every TLS entry needs a secretName: it holds a certificate someone
    provides, or names where cert-manager stores the one it issues (ingress-shim
    skips entries without it, so an issuer annotation alone is not enough),
    unless the provider serves a certificate of its own."""
    ingress = subject.node
    if not isinstance(ingress, MappingNode) or provider_tls(ingress, params.provider_certificate_annotations):
        return
    annotations = ingress.path("metadata", "annotations")
    named = annotations if isinstance(annotations, MappingNode) else MappingNode([], ingress.span)
    issuer = next((a for a in params.issuer_annotations if named.text(a).strip()), None)
    if issuer is not None:
        reason = f"cert-manager ({issuer}) only issues certificates for TLS entries that name a secretName"
    else:
        reason = "it names no secretName and the Ingress names no cert-manager issuer"
    for index, entry in enumerate(_tls_entries(ingress)):
        if not entry.text("secretName").strip():
            yield Violation(entry.anchor_span, {"reason": reason}, logical=str(index))


CHECKS = {
    "container-request": PythonCheck(container_request, RequestParams, takes=(ContainerOwner,)),
    "request-exceeds-limit": PythonCheck(request_exceeds_limit, takes=(ContainerOwner,)),
    "probe-port-unknown": PythonCheck(probe_port_unknown, takes=(ContainerOwner,)),
    "probes-identical": PythonCheck(probes_identical, takes=(ContainerOwner,)),
    "hpa-min-replicas": PythonCheck(hpa_min_replicas, MinReplicasParams, takes=(K8sObject,)),
    "single-replica": PythonCheck(single_replica, SingleReplicaParams, takes=(K8sObject,)),
    "run-as-non-root": PythonCheck(run_as_non_root, takes=(ContainerOwner,)),
    "dangerous-capabilities": PythonCheck(dangerous_capabilities, CapabilityParams, takes=(ContainerOwner,)),
    "host-path-volume": PythonCheck(host_path_volume, HostPathParams, takes=(PodSpec,)),
    "image-mutable-tag": PythonCheck(image_mutable_tag, ImageTagParams, takes=(ContainerOwner,)),
    "ingress-tls": PythonCheck(ingress_tls, ProviderTlsParams, takes=(K8sObject,)),
    "ingress-tls-hosts": PythonCheck(ingress_tls_hosts, ProviderTlsParams, takes=(K8sObject,)),
    "ingress-cert-issuer": PythonCheck(ingress_cert_issuer, CertIssuerParams, takes=(K8sObject,)),
    "rbac-wildcard": PythonCheck(rbac_wildcard, takes=(K8sObject,)),
    "rbac-admin-binding": PythonCheck(rbac_admin_binding, AdminBindingParams, takes=(InDeployment,)),
    "rbac-secret-read": PythonCheck(rbac_secret_read, takes=(K8sObject,)),
    "rbac-pod-exec": PythonCheck(rbac_pod_exec, takes=(K8sObject,)),
    "rbac-escalation-verbs": PythonCheck(rbac_escalation_verbs, takes=(K8sObject,)),
    "rbac-write-access-control": PythonCheck(rbac_write_access_control, takes=(K8sObject,)),
    "host-port": PythonCheck(host_port, HostPortParams, takes=(PodSpec,)),
    "seccomp-unconfined": PythonCheck(seccomp_unconfined, takes=(PodSpec,)),
    "seccomp-profile-missing": PythonCheck(seccomp_profile_missing, takes=(PodSpec,)),
    "proc-mount": PythonCheck(proc_mount, takes=(PodSpec,)),
    "windows-host-process": PythonCheck(windows_host_process, takes=(PodSpec,)),
    "unsafe-sysctls": PythonCheck(unsafe_sysctls, SysctlParams, takes=(PodSpec,)),
    "apparmor-unconfined": PythonCheck(apparmor_unconfined, takes=(PodSpec,)),
    "selinux-options": PythonCheck(selinux_options, SeLinuxParams, takes=(PodSpec,)),
    "restricted-volume-types": PythonCheck(restricted_volume_types, VolumeTypeParams, takes=(PodSpec,)),
    "namespace-pod-security": PythonCheck(namespace_pod_security, takes=(K8sObject,)),
    "automount-service-account-token": PythonCheck(automount_service_account_token, takes=(PodSpec,)),
    "default-service-account": PythonCheck(default_service_account, takes=(PodSpec,)),
    "image-pull-policy-mutable": PythonCheck(image_pull_policy_mutable, PullPolicyParams, takes=(ContainerOwner,)),
    "duplicate-env": PythonCheck(duplicate_env, takes=(ContainerOwner,)),
    "default-namespace": PythonCheck(default_namespace, takes=(K8sObject,)),
    "recommended-labels": PythonCheck(recommended_labels, LabelParams, takes=(K8sObject,)),
    **SECRET_CHECKS,
    **API_CHECKS,
    **REFERENCE_CHECKS,
}
