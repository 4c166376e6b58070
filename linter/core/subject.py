"""Subjects: what a selector yields and a check is asked about.

A rule's `target` names a format and a selector; the selector walks a lint unit
and yields `Subject`s. Each format lists its selectors (`Format.selectors`);
the format-independent ones (`problems`, `scalars`) serve every format's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linter.core.model import Node, Span

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit


@dataclass(slots=True)
class Subject:
    """One thing a check is asked about."""

    node: Node | None
    context: dict[str, Any]  # variables for the rule's message template
    logical: str  # stable identity for fingerprints: kind/ns/name/container...
    span: Span | None = None  # where to point when there is no node
    data: Any = None  # selector-specific object (K8sObject, nginx block, ...)
    scope: dict[str, Any] = field(default_factory=dict)  # suppression scope (annotations, container)

    @property
    def anchor(self) -> Span:
        if self.span is not None:
            return self.span
        assert self.node is not None
        return self.node.anchor_span


Selector = Callable[["LintUnit", dict[str, Any], "RunContext"], Iterator[Subject]]
