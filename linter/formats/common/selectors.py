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
            found: list[tuple[ScalarNode, str]] = []
            _long_strings(document, [f"#{index}"] if several else [], min_length, found)
            for node, logical in found:
                key = node.key.text if node.key is not None else ""
                yield Subject(node, {"key": key}, logical, span=node.span, data=parsed.source)


def _long_strings(node: Node, path: list[str], min_length: int, found: list[tuple[ScalarNode, str]]) -> None:
    """The string scalars of at least `min_length` under `node`, in document
    order, with their paths. The path is one list grown and shrunk on the way
    down, joined only for a string that is kept: most scalars are not."""
    if isinstance(node, ScalarNode):
        if isinstance(node.value, str) and len(node.value) >= min_length:
            found.append((node, "/".join(path)))
        return
    if isinstance(node, MappingNode):
        for key, child in node.pairs:
            if _worth_a_visit(child, min_length):
                path.append(key.text)
                _long_strings(child, path, min_length, found)
                path.pop()
    elif isinstance(node, SequenceNode):
        for i, child in enumerate(node.items):
            if _worth_a_visit(child, min_length):
                path.append(str(i))
                _long_strings(child, path, min_length, found)
                path.pop()


def _worth_a_visit(node: Node, min_length: int) -> bool:
    """Not a scalar too short to keep (most are: names, ports, images)."""
    return not isinstance(node, ScalarNode) or (isinstance(node.value, str) and len(node.value) >= min_length)


SELECTORS = {
    "problems": Selector(problems, yields=(ParseProblem,), nodes=False),
    "scalars": Selector(scalars, yields=(SourceFile,)),
}
