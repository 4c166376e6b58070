"""Derive `apis.json`, the table of which release serves which built-in
apiVersion/kind pair, from the schema sets of kubernetes-validate.

    pip install 'deploylint[schemas]'
    python -m linter.formats.kubernetes.derive_apis   # rewrites apis.json

A pair is introduced in the first release whose schemas define it and removed
in the release after the last one that does (the schemas start at 1.25, so
"introduced" is null for what 1.25 already served). Removals before 1.25 are
not in any schema set: they come from the Kubernetes deprecated API migration
guide, listed below. The table is committed so that the API rules work
without the optional schemas installed; rerun this after upgrading them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from linter.formats.kubernetes.apis import group_of, stability
from linter.formats.kubernetes.schema_source import definitions, format_version, object_kinds, package_version, schema_sets

TABLE = Path(__file__).with_name("apis.json")

# (apiVersion, kinds, removed in, replacement apiVersion or None), from
# https://kubernetes.io/docs/reference/using-api/deprecation-guide/
_RBAC = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
_REVIEWS = ("SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview")
BEFORE_SCHEMAS: tuple[tuple[str, tuple[str, ...], str, str | None], ...] = (
    ("extensions/v1beta1", ("Deployment", "DaemonSet", "ReplicaSet"), "1.16", "apps/v1"),
    ("extensions/v1beta1", ("NetworkPolicy",), "1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", ("PodSecurityPolicy",), "1.16", "policy/v1beta1"),
    ("apps/v1beta1", ("Deployment", "StatefulSet", "ControllerRevision"), "1.16", "apps/v1"),
    ("apps/v1beta2", ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"), "1.16", "apps/v1"),
    ("extensions/v1beta1", ("Ingress",), "1.22", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", ("Ingress", "IngressClass"), "1.22", "networking.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), "1.22",
     "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", ("CustomResourceDefinition",), "1.22", "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", ("APIService",), "1.22", "apiregistration.k8s.io/v1"),
    ("authentication.k8s.io/v1beta1", ("TokenReview",), "1.22", "authentication.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", _REVIEWS, "1.22", "authorization.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", ("CertificateSigningRequest",), "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", ("Lease",), "1.22", "coordination.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", _RBAC, "1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1alpha1", _RBAC, "1.22", "rbac.authorization.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", ("PriorityClass",), "1.22", "scheduling.k8s.io/v1"),
    ("scheduling.k8s.io/v1alpha1", ("PriorityClass",), "1.22", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"), "1.22", "storage.k8s.io/v1"),
    ("storage.k8s.io/v1alpha1", ("VolumeAttachment",), "1.22", "storage.k8s.io/v1"),
    ("batch/v1beta1", ("CronJob",), "1.25", "batch/v1"),
    ("discovery.k8s.io/v1beta1", ("EndpointSlice",), "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", ("Event",), "1.25", "events.k8s.io/v1"),
    ("autoscaling/v2beta1", ("HorizontalPodAutoscaler",), "1.25", "autoscaling/v2"),
    ("policy/v1beta1", ("PodDisruptionBudget",), "1.25", "policy/v1"),
    ("policy/v1beta1", ("PodSecurityPolicy",), "1.25", None),
    ("node.k8s.io/v1beta1", ("RuntimeClass",), "1.25", "node.k8s.io/v1"),
)


def derive() -> dict[str, Any]:
    sets = schema_sets()
    if not sets:
        raise SystemExit("kubernetes-validate is not installed: pip install 'deploylint[schemas]'")
    versions = sorted(sets)
    served = {version: object_kinds(definitions(sets[version])) for version in versions}
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for index, version in enumerate(versions):
        for pair in served[version]:
            entry = entries.setdefault(pair, {"introduced": format_version(version) if index else None, "removed": None})
            later = versions[index + 1] if index + 1 < len(versions) else None
            if later is not None and pair not in served[later]:
                entry["removed"] = format_version(later)
                # The replacement: the same kind of the same group that the removing release serves.
                kind = pair[1]
                same = [api for api, k in served[later] if k == kind and group_of(api) == group_of(pair[0])]
                entry["replacement"] = max(same, key=stability) if same else None
    for api_version, kinds, removed, replacement in BEFORE_SCHEMAS:
        for kind in kinds:
            entries.setdefault((api_version, kind), {"introduced": None, "removed": removed, "replacement": replacement})
    return {
        "derived_from": f"kubernetes-validate {package_version()} schema sets "
                        f"{format_version(versions[0])}-{format_version(versions[-1])}, and the deprecated API "
                        "migration guide for removals before the first",
        "first_schema": format_version(versions[0]),
        "newest": format_version(versions[-1]),
        "apis": [{"apiVersion": api, "kind": kind, **entry} for (api, kind), entry in sorted(entries.items())],
    }


def main() -> int:
    TABLE.write_text(json.dumps(derive(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TABLE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
