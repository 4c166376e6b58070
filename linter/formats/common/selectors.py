"""Selectors that work on every format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode, SequenceNode, SourceFile
from linter.core.subject import Selector, Subject

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit


def problems(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Parse problems of the unit's files (DL001, DL004, ...): the rule's ID picks them."""
    rule_id = options["rule_id"]
    for parsed in unit.files:
        for problem in parsed.problems:
            if problem.rule_id == rule_id:
                yield Subject(None, {"detail": problem.message}, problem.logical or f"{problem.span.line}", span=problem.span, data=problem)


def scalars(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every string scalar in every file of the unit, with the key it sits under.
    `logical` is its path (`data/API_TOKEN`, `spec/containers/0/env/2/value`),
    prefixed by the document's index in multi-document files; `data` is the
    file's source, to place a match inside the value. Option `min_length`
    skips shorter strings before any subject is built (most values in a
    manifest are short: names, ports, images)."""
    min_length = int(options.get("min_length", 0))
    for parsed in unit.files:
        several = len(parsed.documents) > 1
        for index, document in enumerate(parsed.documents):
            stack: list[tuple[Node, tuple[str, ...]]] = [(document, (f"#{index}",) if several else ())]
            while stack:
                node, path = stack.pop()
                if isinstance(node, MappingNode):
                    stack.extend((value, (*path, key.text)) for key, value in reversed(node.pairs))
                elif isinstance(node, SequenceNode):
                    stack.extend((item, (*path, str(i))) for i, item in reversed(list(enumerate(node.items))))
                elif isinstance(node, ScalarNode) and isinstance(node.value, str) and len(node.value) >= min_length:
                    key = node.key.text if node.key is not None else ""
                    yield Subject(node, {"key": key}, "/".join(path), span=node.span, data=parsed.source)


SELECTORS = {
    "problems": Selector(problems, yields=(ParseProblem,), nodes=False),
    "scalars": Selector(scalars, yields=(SourceFile,)),
}
