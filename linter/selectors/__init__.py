"""Selectors: the nodes a rule looks at (design §1 "select").

A rule's `target` names a format and a selector; the selector walks a lint unit
and yields `Subject`s. Registry: one explicit table per format module, imported
only when a rule of that format runs; the format-independent selectors of
`common` (`problems`, `scalars`) serve every format's rules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..model import Node, Span

if TYPE_CHECKING:
    from ..engine import RunContext
    from ..units import LintUnit


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

SELECTOR_MODULES = {
    "kubernetes": "linter.selectors.kubernetes",
    "nginx": "linter.selectors.nginx",
    "clickhouse": "linter.selectors.clickhouse",
    "env": "linter.selectors.env",
    "any": "linter.selectors.common",
}


def get_selector(fmt: str, name: str) -> Selector:
    module = SELECTOR_MODULES.get(fmt)
    if module is None:
        raise UsageError(f"unknown target format '{fmt}'")
    table: dict[str, Selector] = {}
    for name_of_module in dict.fromkeys((SELECTOR_MODULES["any"], module)):
        table.update(importlib.import_module(name_of_module).SELECTORS)
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise UsageError(f"unknown selector '{name}' for format '{fmt}' (known: {known})") from None
