"""Kubernetes fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.fix import Fixer, TextEdit
from linter.core.model import LineIndex, MappingNode, SequenceNode
from linter.core.subject import Subject
from linter.formats.common.yaml_edits import prepend_item, set_scalar


@dataclass(frozen=True, slots=True)
class SetFieldParams:
    path: tuple[str, ...] = ()  # keys under the subject's mapping, e.g. [securityContext, allowPrivilegeEscalation]
    value: str = ""  # the YAML scalar to write, as written (`false`, `RuntimeDefault`)


def set_field(subject: Subject, violation: Violation, params: SetFieldParams, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """Set (or add) a scalar field of the subject's mapping (a container, a pod spec)."""
    node = subject.node
    if not isinstance(node, MappingNode) or not params.path:
        return []
    index = lines.get(node.span.file)
    return set_scalar(node, params.path, params.value, index) if index is not None else []


def drop_all_capabilities(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """K8S406's missing drop: `ALL` first in `capabilities.drop`, or
    `drop: [ALL]` added (a dangerous `add` is for a person to remove)."""
    node = subject.node
    if violation.logical != "drop" or not isinstance(node, MappingNode):
        return []
    index = lines.get(node.span.file)
    if index is None:
        return []
    dropped = node.path("securityContext", "capabilities", "drop")
    if isinstance(dropped, SequenceNode):
        return prepend_item(dropped, "ALL", index)
    return set_scalar(node, ("securityContext", "capabilities", "drop"), "[ALL]", index)


def run_as_non_root(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """K8S401: `runAsNonRoot: true` on the container (over the pod's), unless
    it runs as UID 0, where that would only stop it from starting: choosing a
    UID is for a person."""
    from linter.formats.kubernetes.checks import _integer, _pod_spec
    from linter.formats.kubernetes.security_context import effective

    node = subject.node
    if not isinstance(node, MappingNode) or _integer(effective(node, _pod_spec(subject), "runAsUser")) == 0:
        return []
    index = lines.get(node.span.file)
    return set_scalar(node, ("securityContext", "runAsNonRoot"), "true", index) if index is not None else []


FIXERS: dict[str, Fixer] = {
    "set-field": Fixer(set_field, SetFieldParams),
    "drop-all-capabilities": Fixer(drop_all_capabilities),
    "run-as-non-root": Fixer(run_as_non_root),
}
