"""Selectors that work on every format."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from ..model import ScalarNode, walk
from . import Subject

if TYPE_CHECKING:
    from ..engine import RunContext
    from ..units import LintUnit


def problems(unit: "LintUnit", options: dict[str, Any], ctx: "RunContext") -> Iterator[Subject]:
    """Parse problems of the unit's files (DL001, DL004, ...): the rule's ID picks them."""
    rule_id = options["rule_id"]
    for parsed in unit.files:
        for problem in parsed.problems:
            if problem.rule_id == rule_id:
                yield Subject(None, {"detail": problem.message}, problem.logical or f"{problem.span.line}", span=problem.span)


def scalars(unit: "LintUnit", options: dict[str, Any], ctx: "RunContext") -> Iterator[Subject]:
    """Every scalar value in every file of the unit, with the key it sits under
    (`data` is the file's source, to place a match inside the value)."""
    for parsed in unit.files:
        for document in parsed.documents:
            for node in walk(document):
                if isinstance(node, ScalarNode) and isinstance(node.value, str):
                    key = node.key.text if node.key is not None else ""
                    yield Subject(node, {"key": key}, f"{key}", span=node.span, data=parsed.source)


SELECTORS = {
    "problems": problems,
    "scalars": scalars,
}
