"""NGX403: an nginx config held in a ConfigMap proxies to a Kubernetes
Service its deployment does not define, or to a port that Service lacks.
NGX404: it proxies with TLS to a port the Service says is plain, or in plain
HTTP to a port the Service says speaks TLS.

Inside a pod, `NAME`, `NAME.NS`, `NAME.NS.svc` and `NAME.NS.svc.cluster.local`
resolve to the Service NAME of namespace NS (the pod's own when none is
written). The Services come from the holder's deployment as format-neutral
facts (`linter.core.embedding.Placement`). A name is judged only where the
deployment could define it: some Service of that namespace is there (others
may be applied by another bundle, or be outside the cluster), the address is
literal (no variable) and names no upstream block of the same config.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from linter.core.check import Violation
from linter.core.embedding import NamedService, Network, ServicePort
from linter.core.subject import Subject
from linter.formats.nginx.selectors import DirectiveGroup, HeldDirective
from linter.formats.nginx.syntax import Directive

_URL = re.compile(r"(?P<scheme>https?|grpcs?)://(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>\d+))?(?:[/?].*)?", re.S)
_ADDRESS = re.compile(r"(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>\d+))?")
_DEFAULT_PORTS = {"http": 80, "https": 443, "grpc": 80, "grpcs": 443, "": 80}
_CLUSTER_SUFFIXES = (".svc.cluster.local", ".svc")


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    namespace: str
    port: int
    port_written: bool


def _target(group: DirectiveGroup, namespace: str) -> Target | None:
    directive = group.directive
    value = directive.arg(0)
    if "$" in value:
        return None  # resolved per request
    if directive.name == "server":  # an upstream's member: host[:port], no scheme
        if not any(b.kind == "upstream" for b in group.blocks):
            return None
        match, scheme = _ADDRESS.fullmatch(value), ""
    else:
        match = _URL.fullmatch(value)
        scheme = match.group("scheme") if match else ""
    if match is None:
        return None
    host = match.group("host").lower().rstrip(".")
    port = match.group("port")
    if host == "localhost" or _is_ip(host):
        return None
    for suffix in _CLUSTER_SUFFIXES:
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    labels = host.split(".")
    if len(labels) > 2 or not all(labels):
        return None  # a name outside the cluster
    name, space = labels[0], labels[1] if len(labels) == 2 else namespace
    return Target(name, space, int(port) if port else _DEFAULT_PORTS[scheme], port is not None)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def proxy_service_unknown(subject: Subject, params: Any) -> Iterator[Violation]:
    """NGX403: a proxied Service (or its port) a deployment of the config does not define."""
    held = subject.data
    if not isinstance(held, HeldDirective) or not held.group.directive.args:
        return
    for network in held.placement.networks:
        target = _target(held.group, network.namespace)
        if target is not None and target.name not in held.upstreams:
            yield from _judge(held.group.directive, target, network)


def _judge(directive: Directive, target: Target, network: Network) -> Iterator[Violation]:
    there = [s for s in network.services if s.namespace == target.namespace]
    if not there:
        return  # no Service of that namespace here: another bundle (or nothing in the cluster) defines it
    service = next((s for s in there if s.name == target.name), None)
    space = f"namespace '{target.namespace}'" if target.namespace else "its namespace"
    message = {"directive": directive.name, "target": directive.arg(0)}
    if service is None:
        detail = f"there is no Service '{target.name}' in {space} in {network.where} (there: {_names(there)})"
        yield Violation(directive.args[0].span, {**message, "detail": detail}, logical=network.where)
    elif service.ports and target.port not in {p.number for p in service.ports}:
        how = "" if target.port_written else " (nginx's default for the address)"
        detail = f"Service '{service.name}' has no port {target.port}{how}; its ports: {_ports(service)}"
        yield Violation(directive.args[0].span, {**message, "detail": detail}, logical=f"{network.where}/port {target.port}")


# What a Service port says of its protocol: its appProtocol, else its name or
# its targetPort's (`http`, `http-metrics`: the convention of Istio and the
# Gateway API), else port 80 alone; anything else says nothing.
_PLAIN_PROTOCOLS = frozenset({"http", "h2c", "kubernetes.io/h2c", "kubernetes.io/ws"})
_TLS_PROTOCOLS = frozenset({"https", "kubernetes.io/wss"})
_TLS_SCHEMES = frozenset({"https", "grpcs"})


def _speaks_tls(port: ServicePort) -> tuple[bool, str] | None:
    """Whether the port speaks TLS and what says so; None when nothing does."""
    protocol = port.app_protocol.lower()
    if protocol:
        if protocol in _PLAIN_PROTOCOLS or protocol in _TLS_PROTOCOLS:
            return protocol in _TLS_PROTOCOLS, f"appProtocol {port.app_protocol}"
        return None
    for what, name in (("named", port.name), ("with targetPort", port.target_port_name)):
        lowered = name.lower()
        if lowered == "https" or lowered.startswith("https-"):
            return True, f"{what} {name}"
        if lowered == "http" or lowered.startswith("http-"):
            return False, f"{what} {name}"
    return (False, "port 80 with no TLS name or appProtocol") if port.number == 80 else None


def proxy_tls_mismatch(subject: Subject, params: Any) -> Iterator[Violation]:
    """NGX404: proxy_pass/grpc_pass over TLS to a plain Service port, or plain to a TLS one."""
    held = subject.data
    if not isinstance(held, HeldDirective) or held.group.directive.name == "server" or not held.group.directive.args:
        return  # an upstream's member has no scheme: the proxy_pass naming the upstream has
    directive = held.group.directive
    match = _URL.fullmatch(directive.arg(0))
    if match is None:
        return
    tls = match.group("scheme") in _TLS_SCHEMES
    for network in held.placement.networks:
        found = _proxied_port(held, network)
        said = _speaks_tls(found[1]) if found is not None else None
        if found is None or said is None or said[0] == tls:
            continue
        service, port = found
        where = f", {port.span.file}:{port.span.line}" if port.span is not None else ""
        detail = f"Service '{service.name}' port {port.number} speaks {'TLS' if said[0] else 'plain HTTP'} ({said[1]}{where})"
        yield Violation(directive.args[0].span, {"directive": directive.name, "target": directive.arg(0), "detail": detail},
                        logical=f"{network.where}/tls")


def _proxied_port(held: HeldDirective, network: Network) -> tuple[NamedService, ServicePort] | None:
    """The Service and port of `network` a directive proxies to, when both are there (else NGX403's)."""
    target = _target(held.group, network.namespace)
    if target is None or target.name in held.upstreams:
        return None
    for service in network.services:
        if (service.name, service.namespace) == (target.name, target.namespace):
            port = next((p for p in service.ports if p.number == target.port), None)
            return (service, port) if port is not None else None
    return None


def _names(services: list[NamedService], limit: int = 5) -> str:
    shown = sorted(s.name for s in services)
    return ", ".join(shown[:limit]) + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


def _ports(service: NamedService) -> str:
    return ", ".join(str(p.number) for p in service.ports)
