"""JSON Schema checks: the schema is evaluated on the selected node's data and
the failing instance path is mapped back to a positioned node.

A failed `required` points at the parent's key (design §1: "a missing key's
finding points at its parent's key"); any other failure at the offending value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.core.check import Violation
from linter.core.model import MappingNode, Node, node_at
from linter.core.subject import Subject


class SchemaCheck:
    def __init__(self, schema: dict[str, Any] | bool, trusted: bool = False) -> None:
        """`trusted`: a built-in rule's schema; any other's regexes are time-bounded."""
        from linter.core.checks.fastschema import compile_schema  # jsonschema only for keywords it lacks

        self.validator = compile_schema(schema, guard_regexes=not trusted)

    def __call__(self, subject: Subject, params: Any) -> Iterator[Violation]:
        if subject.node is None:
            return
        errors = list(self.validator.iter_errors(as_python(subject.node)))
        if not errors:
            return
        # One finding per subject: the shallowest failure is the actionable one
        # (no `resources` at all rather than no `resources.limits.cpu`).
        error = min(errors, key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
        path = list(error.absolute_path)
        node: Node = node_at(subject.node, path)
        dotted = ".".join(str(p) for p in path)
        return_vars: dict[str, Any]
        if error.validator == "required":
            missing = _missing_key(error)
            span = node.anchor_span
            return_vars = {"missing": missing, "path": f"{dotted}.{missing}" if dotted else missing}
        else:
            span = node.anchor_span if isinstance(node, MappingNode) else node.span
            value = error.instance if isinstance(error.instance, (str, int, float, bool)) else ""
            return_vars = {"path": dotted, "value": value, "reason": error.message}
        yield Violation(span, return_vars, logical=dotted)


# Every schema rule on a container converts the same node: remember the last
# few conversions (validators never modify their instance).
_PYTHON: dict[int, tuple[Node, Any]] = {}
_PYTHON_SIZE = 256


def as_python(node: Node) -> Any:
    hit = _PYTHON.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    if len(_PYTHON) >= _PYTHON_SIZE:
        _PYTHON.clear()
    value = node.to_python()
    _PYTHON[id(node)] = (node, value)
    return value


def _missing_key(error: Any) -> str:
    message: str = error.message
    if message.startswith("'") and "' is a required property" in message:
        return message[1 : message.index("' is a required property")]
    return ""
