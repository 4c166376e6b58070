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


SelectorFn = Callable[["LintUnit", dict[str, Any], "RunContext"], Iterator[Subject]]


@dataclass(frozen=True, slots=True)
class Selector:
    """A named walk over a lint unit, and what its subjects carry: the types
    of their `data` (a Python check names the types it takes, and a rule that
    pairs a check with a selector of other types is refused when it loads),
    and whether each has a model node (schema and assert checks read one)."""

    walk: SelectorFn
    yields: tuple[type, ...]
    nodes: bool = True

    def __post_init__(self) -> None:
        if not self.yields:
            raise TypeError(f"selector {self.walk.__name__} must declare the types of data it yields")

    def __call__(self, unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
        return self.walk(unit, options, ctx)
