"""Workload hygiene checks (K8S418, K8S419, K8S502, K8S011-K8S013): service account tokens and
identities, pull policies that keep a stale mutable image, env vars that
silently override each other, the default namespace, recommended labels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.model import MappingNode, ScalarNode
from linter.core.subject import Subject
from linter.formats.kubernetes.imageref import parse_image
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.selectors import PodSpec
from linter.formats.kubernetes.templating import is_templated


def _service_account_name(pod: MappingNode) -> ScalarNode | None:
    # `serviceAccount` is the deprecated alias the API server still honours.
    return pod.scalar("serviceAccountName") or pod.scalar("serviceAccount")


def _service_account(data: PodSpec, name: str) -> K8sObject | None:
    found = None
    for other in data.neighbours:
        if other.kind == "ServiceAccount" and other.name == name and other.namespace == data.obj.namespace:
            found = other
    return found


# --- K8S418 automount-service-account-token --------------------------------------------------


def automount_service_account_token(subject: Subject, params: object) -> Iterator[Violation]:
    """A pod that gets an API token mounted: its own
    `automountServiceAccountToken` decides, else its ServiceAccount's when the
    deployment defines it (unset on both means the token is mounted)."""
    data = subject.data
    if not isinstance(data, PodSpec):
        return
    pod = data.spec
    own = pod.scalar("automountServiceAccountToken")
    if own is not None:
        if own.value is not False:
            yield Violation(own.span, {"reason": f"sets automountServiceAccountToken: {own.text}"})
        return
    name_node = _service_account_name(pod)
    name = name_node.text if name_node is not None and name_node.text else "default"
    account = _service_account(data, name)
    setting = account.node.scalar("automountServiceAccountToken") if account is not None else None
    if setting is not None and setting.value is False:
        return
    if setting is not None:
        reason = f"inherits automountServiceAccountToken: {setting.text} from ServiceAccount/{name} (line {setting.span.line})"
    else:
        reason = f"sets no automountServiceAccountToken, nor does its ServiceAccount '{name}'"
    yield Violation(pod.anchor_span, {"reason": reason})


# --- K8S419 default-service-account ----------------------------------------------------------


def default_service_account(subject: Subject, params: object) -> Iterator[Violation]:
    """A pod running as its namespace's `default` ServiceAccount, named or implied."""
    data = subject.data
    if not isinstance(data, PodSpec):
        return
    name = _service_account_name(data.spec)
    if name is None or not name.text.strip():
        yield Violation(data.spec.anchor_span, {"reason": "names no serviceAccountName, so it runs as 'default'"})
    elif name.text.strip() == "default":
        yield Violation(name.span, {"reason": "sets serviceAccountName: default"})


# --- K8S502 image-pull-policy-mutable --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PullPolicyParams:
    mutable_tags: tuple[str, ...] = ("latest",)


def image_pull_policy_mutable(subject: Subject, params: PullPolicyParams) -> Iterator[Violation]:
    """A mutable tag (or none) with a pull policy other than Always: each
    node keeps whichever image it pulled first. Unset is fine: the API server
    defaults it to Always for such an image."""
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    image, policy = container.scalar("image"), container.scalar("imagePullPolicy")
    if image is None or policy is None or policy.text == "Always" or is_templated(image.text) or not image.text.strip():
        return
    ref = parse_image(image.text)
    if ref.pinned_by_digest or (ref.tag is not None and ref.tag not in params.mutable_tags):
        return
    yield Violation(policy.span, {"image": image.text, "policy": policy.text})


# --- K8S011 duplicate-env --------------------------------------------------------------------


def duplicate_env(subject: Subject, params: object) -> Iterator[Violation]:
    """Every env entry a later one of the same name replaces, at its name,
    naming the line of the one that wins (the last)."""
    container = subject.node
    env = container.sequence("env") if isinstance(container, MappingNode) else None
    names: dict[str, list[ScalarNode]] = {}
    for item in env or ():
        name = item.scalar("name") if isinstance(item, MappingNode) else None
        if name is not None and name.text:
            names.setdefault(name.text, []).append(name)
    for env_name, nodes in names.items():
        winner = nodes[-1]
        for index, earlier in enumerate(nodes[:-1]):
            yield Violation(earlier.span, {"env": env_name, "line": winner.span.line}, logical=f"env/{env_name}/{index}")


# --- K8S012 default-namespace ----------------------------------------------------------------


def default_namespace(subject: Subject, params: object) -> Iterator[Violation]:
    obj = subject.node
    namespace = obj.path("metadata", "namespace") if isinstance(obj, MappingNode) else None
    if isinstance(namespace, ScalarNode) and namespace.text.strip() == "default":
        yield Violation(namespace.span)


# --- K8S013 recommended-labels ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelParams:
    required: tuple[str, ...] = ("app.kubernetes.io/name", "app.kubernetes.io/instance")


def recommended_labels(subject: Subject, params: LabelParams) -> Iterator[Violation]:
    obj = subject.node
    if not isinstance(obj, MappingNode):
        return
    metadata = obj.mapping("metadata")
    labels = metadata.mapping("labels") if metadata is not None else None
    missing = [label for label in params.required if labels is None or not labels.text(label).strip()]
    if missing:
        where = labels or metadata or obj
        yield Violation(where.anchor_span, {"labels": ", ".join(missing)})
