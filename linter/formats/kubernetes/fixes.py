"""Kubernetes fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.fix import Fixer, TextEdit
from linter.core.model import LineIndex, MappingNode, ScalarNode, SequenceNode
from linter.core.subject import Subject
from linter.formats.common.yaml_edits import prepend_item, set_scalar
from linter.formats.kubernetes.api_renames import rename_of
from linter.formats.kubernetes.api_subjects import ApiUse


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
    from linter.formats.kubernetes.checks import _pod_spec
    from linter.formats.kubernetes.references import integer
    from linter.formats.kubernetes.security_context import effective

    node = subject.node
    if not isinstance(node, MappingNode) or integer(effective(node, _pod_spec(subject), "runAsUser")) == 0:
        return []
    index = lines.get(node.span.file)
    return set_scalar(node, ("securityContext", "runAsNonRoot"), "true", index) if index is not None else []


@dataclass(frozen=True, slots=True)
class RequestFromLimitParams:
    resource: str = "cpu"


def request_from_limit(subject: Subject, violation: Violation, params: RequestFromLimitParams, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """K8S101/K8S102 where only a limit is set: the request written out equal
    to it, as written (`"1"`, `512Mi`), which is the value the API server
    would default it to, so nothing is scheduled differently."""
    node = subject.node
    if not isinstance(node, MappingNode):
        return []
    limit = node.path("resources", "limits", params.resource)
    index = lines.get(node.span.file)
    if not isinstance(limit, ScalarNode) or index is None or limit.span.line != limit.span.end_line:
        return []
    if limit.span.file != node.span.file:
        return []  # a limit an overlay's patch sets: the base's other builds have their own
    start, end = index.offset(limit.span.line, limit.span.column), index.offset(limit.span.end_line, limit.span.end_column)
    if start is None or end is None:
        return []
    written = index.text[start:end]
    if written.startswith(("*", "&", "!")):
        return []  # an alias, anchor or tag: not a value to copy
    return set_scalar(node, ("resources", "requests", params.resource), written, index)


def rename_api_version(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """K8S901: the apiVersion replaced by its successor where that is a pure
    rename (`api_renames.py`) and the target release serves it; its quotes stay."""
    use = subject.data
    if not isinstance(use, ApiUse):
        return []
    obj = use.obj
    rename = rename_of(obj.api_version, obj.kind)
    if rename is None or use.status.replacement != rename.new:
        return []
    if rename.requires:
        required = obj.node.path(*rename.requires)
        if not isinstance(required, MappingNode) or next(required.items(), None) is None:
            return []
    key = obj.node.get("apiVersion")
    index = lines.get(key.span.file) if key is not None else None
    if not isinstance(key, ScalarNode) or index is None or key.span.line != key.span.end_line:
        return []
    s = key.span
    start = index.offset(s.line, s.column)
    if start is None:
        return []
    written = index.text[start : start + s.end_column - s.column]
    if written.count(rename.old) != 1:
        return []
    return [TextEdit(s.file, s.line, s.column, s.end_line, s.end_column, written.replace(rename.old, rename.new))]


FIXERS: dict[str, Fixer] = {
    "set-field": Fixer(set_field, SetFieldParams),
    "drop-all-capabilities": Fixer(drop_all_capabilities),
    "run-as-non-root": Fixer(run_as_non_root),
    "request-from-limit": Fixer(request_from_limit, RequestFromLimitParams),
    "rename-api-version": Fixer(rename_api_version),
}
