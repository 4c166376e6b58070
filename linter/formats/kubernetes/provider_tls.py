"""TLS that a cloud load balancer or an ingress controller terminates with a
certificate it holds itself, named by an Ingress annotation rather than by
`spec.tls` (K8S601, K8S603)."""

from __future__ import annotations

from linter.core.model import MappingNode

# Annotations whose non-empty value names the certificate the provider serves.
PROVIDER_CERTIFICATE_ANNOTATIONS: tuple[str, ...] = (
    "alb.ingress.kubernetes.io/certificate-arn",  # AWS Load Balancer Controller
    "networking.gke.io/managed-certificates",  # GKE Google-managed certificates
    "ingress.gcp.kubernetes.io/pre-shared-cert",  # GKE certificates uploaded to the project
    "traefik.ingress.kubernetes.io/router.tls.certresolver",  # Traefik ACME resolver
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",  # Azure Application Gateway
)

_ALB_CERTIFICATE = "alb.ingress.kubernetes.io/certificate-arn"
_ALB_LISTEN_PORTS = "alb.ingress.kubernetes.io/listen-ports"


def provider_tls(ingress: MappingNode, annotations: tuple[str, ...] = PROVIDER_CERTIFICATE_ANNOTATIONS) -> str | None:
    """The annotation through which the provider terminates TLS for this
    Ingress, or None."""
    node = ingress.path("metadata", "annotations")
    named = node if isinstance(node, MappingNode) else None
    if named is None:
        return None
    for annotation in annotations:
        if named.text(annotation).strip() and not (annotation == _ALB_CERTIFICATE and _alb_without_https(named)):
            return annotation
    return None


def _alb_without_https(annotations: MappingNode) -> bool:
    """An ALB listens on HTTPS:443 when a certificate is named, unless
    listen-ports says otherwise (and then it must list an HTTPS port)."""
    return _ALB_LISTEN_PORTS in annotations and "HTTPS" not in annotations.text(_ALB_LISTEN_PORTS).upper()
