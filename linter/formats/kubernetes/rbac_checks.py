"""RBAC checks (K8S801, K8S802-K8S806): which grants of a Role or
ClusterRole, and which bindings, hand a subject more than it should have.

A rule entry holding `*` in apiGroups, resources or verbs is K8S801's alone:
the other RBAC checks judge only what is named explicitly, so one grant is
never reported twice for the same cause."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.model import MappingNode, ScalarNode
from linter.core.subject import Subject
from linter.formats.kubernetes.references import InDeployment

RBAC_FIELDS = ("apiGroups", "resources", "verbs")
RBAC_GROUP = "rbac.authorization.k8s.io"
ADMISSION_GROUP = "admissionregistration.k8s.io"
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")
UNNAMED_VERBS = ("create", "deletecollection")  # resourceNames cannot restrict these


@dataclass(frozen=True, slots=True)
class Grant:
    """One entry of a role's `rules`, its list items by field."""

    index: int
    rule: MappingNode

    def items(self, field_name: str) -> list[ScalarNode]:
        return [i for i in self.rule.sequence(field_name) or () if isinstance(i, ScalarNode)]

    def values(self, field_name: str) -> set[str]:
        return {i.text.strip() for i in self.items(field_name)}

    @property
    def wildcards(self) -> list[tuple[str, ScalarNode]]:
        """(field, item) of every `*`, in field order."""
        return [(f, i) for f in RBAC_FIELDS for i in self.items(f) if i.text.strip() == "*"]

    def in_group(self, group: str) -> bool:
        # Core-group roles written without apiGroups still mean the core group.
        groups = self.values("apiGroups")
        return group in groups or (group == "" and "apiGroups" not in self.rule)


def grants(role: MappingNode) -> Iterator[Grant]:
    for index, rule in enumerate(role.sequence("rules") or ()):
        if isinstance(rule, MappingNode):
            yield Grant(index, rule)


def explicit_grants(subject: Subject) -> Iterator[Grant]:
    """The grants of a role subject that hold no `*` (those are K8S801's)."""
    role = subject.node
    if isinstance(role, MappingNode):
        yield from (g for g in grants(role) if not g.wildcards)


# --- K8S801 rbac-wildcard ---------------------------------------------------------------------


def rbac_wildcard(subject: Subject, params: object) -> Iterator[Violation]:
    """One finding per rule entry (a grant), at its first `*`, naming every
    field that holds one."""
    role = subject.node
    for grant in grants(role) if isinstance(role, MappingNode) else ():
        wildcards = grant.wildcards
        if wildcards:
            fields = ", ".join(dict.fromkeys(name for name, _ in wildcards))
            yield Violation(wildcards[0][1].span, {"field": fields}, logical=f"rules/{grant.index}")


# --- K8S802 rbac-admin-binding -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminBindingParams:
    admin_roles: tuple[str, ...] = ("cluster-admin",)


def _grants_everything(role: MappingNode) -> bool:
    return any({"verbs", "resources"} <= {f for f, _ in g.wildcards} for g in grants(role))


def _subjects(binding: MappingNode) -> str:
    names = [
        f"{s.text('kind') or '?'} {s.text('name') or '?'}"
        for s in binding.sequence("subjects") or ()
        if isinstance(s, MappingNode)
    ]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "") if names else "no subjects"


def rbac_admin_binding(subject: Subject, params: AdminBindingParams) -> Iterator[Violation]:
    """A binding to cluster-admin, or to a role of the same set granting every
    verb on every resource (K8S801 reports that role's `*`; this reports who
    receives it)."""
    binding, data = subject.node, subject.data
    if not isinstance(binding, MappingNode) or not isinstance(data, InDeployment):
        return
    ref = binding.mapping("roleRef")
    name = ref.scalar("name") if ref is not None else None
    if ref is None or name is None:
        return
    kind = ref.text("kind") or "ClusterRole"
    if kind == "ClusterRole" and name.text in params.admin_roles:
        # A RoleBinding confines even cluster-admin to its own namespace.
        reason = f"full control of namespace {data.obj.namespace or '(applied to)'}" if data.obj.kind == "RoleBinding" else "full control of the cluster"
    else:
        # A Role is the binding's namespace's; a ClusterRole has none.
        role = data.index.find(kind, data.obj.namespace if kind == "Role" else "", name.text)
        if role is None or not _grants_everything(role.node):
            return
        reason = "every verb on every resource (defined in the same deployment)"
    yield Violation(name.span, {"role": f"{kind}/{name.text}", "reason": reason, "subjects": _subjects(binding)})


# --- K8S803 rbac-secret-read ---------------------------------------------------------------------


READ_VERBS = ("get", "list", "watch")


def rbac_secret_read(subject: Subject, params: object) -> Iterator[Violation]:
    """`get`, `list` or `watch` on core `secrets`, at the `secrets` item; a
    grant narrowed by `resourceNames` reads only the secrets it names."""
    for grant in explicit_grants(subject):
        verbs = [v for v in READ_VERBS if v in grant.values("verbs")]
        if not verbs or not grant.in_group("") or grant.rule.sequence("resourceNames"):
            continue
        for item in grant.items("resources"):
            if item.text.strip() == "secrets":
                yield Violation(item.span, {"verbs": ", ".join(verbs)}, logical=f"rules/{grant.index}")


# --- K8S804 rbac-pod-exec ---------------------------------------------------------------------


EXEC_SUBRESOURCES = ("pods/exec", "pods/attach")


def rbac_pod_exec(subject: Subject, params: object) -> Iterator[Violation]:
    """`create` on `pods/exec` or `pods/attach` (a shell in any pod the role
    reaches, with that pod's service account and secrets)."""
    for grant in explicit_grants(subject):
        if "create" not in grant.values("verbs") or not grant.in_group(""):
            continue
        for item in grant.items("resources"):
            if item.text.strip() in EXEC_SUBRESOURCES:
                yield Violation(item.span, {"resource": item.text.strip()}, logical=f"rules/{grant.index}/{item.text.strip()}")


# --- K8S805 rbac-escalation-verbs ---------------------------------------------------------------


ESCALATION_VERBS = {
    "escalate": "grant permissions the subject does not hold",
    "bind": "bind any role, including ones with more permissions",
    "impersonate": "act as other users, groups or service accounts",
}


def rbac_escalation_verbs(subject: Subject, params: object) -> Iterator[Violation]:
    """Each `escalate`, `bind` or `impersonate` verb, at the verb."""
    for grant in explicit_grants(subject):
        for item in grant.items("verbs"):
            verb = item.text.strip()
            if verb in ESCALATION_VERBS:
                yield Violation(item.span, {"verb": verb, "effect": ESCALATION_VERBS[verb]}, logical=f"rules/{grant.index}/{verb}")


# --- K8S806 rbac-write-access-control -----------------------------------------------------------


PROTECTED_RESOURCES = {
    RBAC_GROUP: ("roles", "rolebindings", "clusterroles", "clusterrolebindings"),
    ADMISSION_GROUP: ("mutatingwebhookconfigurations", "validatingwebhookconfigurations"),
}


def rbac_write_access_control(subject: Subject, params: object) -> Iterator[Violation]:
    """A write verb on RBAC objects or admission webhook configurations, at
    the resource. `resourceNames` confines every verb but `create` and
    `deletecollection` (the API server cannot check a name for those)."""
    for grant in explicit_grants(subject):
        named = bool(grant.rule.sequence("resourceNames"))
        verbs = [v for v in WRITE_VERBS if v in grant.values("verbs") and not (named and v not in UNNAMED_VERBS)]
        if not verbs:
            continue
        protected = {r for group, names in PROTECTED_RESOURCES.items() if grant.in_group(group) for r in names}
        for item in grant.items("resources"):
            if item.text.strip() in protected:
                yield Violation(
                    item.span, {"resource": item.text.strip(), "verbs": ", ".join(verbs)}, logical=f"rules/{grant.index}/{item.text.strip()}"
                )
