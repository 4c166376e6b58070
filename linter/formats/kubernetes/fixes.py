"""Kubernetes fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from linter.core.check import Violation
from linter.core.fix import Fixer, TextEdit
from linter.core.model import MappingNode
from linter.core.subject import Subject
from linter.formats.common.yaml_edits import set_scalar


@dataclass(frozen=True, slots=True)
class SetFieldParams:
    path: tuple[str, ...] = ()  # keys under the subject's mapping, e.g. [securityContext, allowPrivilegeEscalation]
    value: str = ""  # the YAML scalar to write, as written (`false`, `RuntimeDefault`)


def set_field(subject: Subject, violation: Violation, params: SetFieldParams, texts: Mapping[str, str]) -> Iterable[TextEdit]:
    """Set (or add) a scalar field of the subject's mapping (a container, a pod spec)."""
    node = subject.node
    if not isinstance(node, MappingNode) or not params.path:
        return []
    text = texts.get(node.span.file)
    return set_scalar(node, params.path, params.value, text) if text is not None else []


FIXERS: dict[str, Fixer] = {
    "set-field": Fixer(set_field, SetFieldParams),
}
