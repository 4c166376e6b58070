"""The removed APIs whose successor has the same schema: moving an object is
only a new `apiVersion` (K8S901's fix). From the deprecated API migration
guide (https://kubernetes.io/docs/reference/using-api/deprecation-guide/),
where it says "no notable changes"; a pair whose fields or defaults changed
(autoscaling/v2beta1 HPA, apps/v1beta2 Deployment, extensions/v1beta1 Ingress,
v1beta1 webhooks and CRDs, ...) is not here and stays for a person."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rename:
    old: str  # apiVersion
    kind: str
    new: str
    # Keys whose value must be a non-empty mapping for the object to mean the
    # same under `new` (policy/v1 reads an empty PDB selector as "every pod").
    requires: tuple[str, ...] = ()


_RBAC = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
_STORAGE = ("StorageClass", "VolumeAttachment", "CSINode", "CSIDriver")

RENAMES: tuple[Rename, ...] = (
    Rename("policy/v1beta1", "PodDisruptionBudget", "policy/v1", requires=("spec", "selector")),
    Rename("autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2"),
    Rename("batch/v1beta1", "CronJob", "batch/v1"),
    Rename("networking.k8s.io/v1beta1", "IngressClass", "networking.k8s.io/v1"),
    Rename("node.k8s.io/v1beta1", "RuntimeClass", "node.k8s.io/v1"),
    Rename("scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1"),
    Rename("coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1"),
    Rename("storage.k8s.io/v1beta1", "CSIStorageCapacity", "storage.k8s.io/v1"),
    *(Rename("rbac.authorization.k8s.io/v1beta1", kind, "rbac.authorization.k8s.io/v1") for kind in _RBAC),
    *(Rename("storage.k8s.io/v1beta1", kind, "storage.k8s.io/v1") for kind in _STORAGE),
)


def rename_of(api_version: str, kind: str) -> Rename | None:
    return next((r for r in RENAMES if r.old == api_version and r.kind == kind), None)
