"""`deploylint render`: the objects a build gives, as YAML, in kustomize's
output order, so users can see what the rules saw. Secret values are
replaced by their size: they are never printed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from linter.formats.kubernetes.kustomize.build import Builder
from linter.formats.kubernetes.kustomize.files import is_kustomization, kustomization_in
from linter.formats.kubernetes.kustomize.resource import Resource
from linter.formats.kubernetes.redact import redacted

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.model import ParseProblem

# kustomize's legacy output order: these kinds first, in this order, the
# webhook configurations last, everything else between (by kind, then name).
_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy",
    "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service",
    "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet",
    "CronJob", "PodDisruptionBudget",
)
_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def build_target(path: Path) -> Path | None:
    """The kustomization file `render PATH` builds (PATH: it, or its directory)."""
    if path.is_dir():
        return kustomization_in(path)
    return path if is_kustomization(path) else None


def render_build(kustomization: Path, loader: Loader) -> tuple[str, list[ParseProblem]]:
    """The YAML stream of a build and the problems that stopped it (if any)."""
    builder = Builder(loader)
    build = builder.build(kustomization.absolute())
    problems = list(builder.reported)
    documents = [_printable(r) for r in sorted(build.resources, key=_order)]
    text = "---\n".join(yaml.safe_dump(d, sort_keys=True, default_flow_style=False, allow_unicode=True) for d in documents)
    return text, problems


def _order(resource: Resource) -> tuple[int, str, str, str]:
    kind = resource.kind
    rank = _FIRST.index(kind) if kind in _FIRST else len(_FIRST) + 1 + _LAST.index(kind) if kind in _LAST else len(_FIRST)
    # Within a rank kustomize compares its group_version_kind string (an
    # empty part spelled `~G`, `~V`), then the name.
    gvk = f"{resource.group or '~G'}_{resource.version or '~V'}_{kind or '~K'}"
    return rank, gvk, resource.namespace, resource.name


def _printable(resource: Resource) -> dict[str, Any]:
    return redacted(resource.node.to_python())
