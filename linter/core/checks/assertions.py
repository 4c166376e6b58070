"""`assert` checks: a list of path assertions on the selected node, for rules
that need neither a schema nor Python (mostly user rules).

    check:
      assert:
        - {path: metadata.labels.app.kubernetes.io/owner, present: true}
        - {path: spec.replicas, min: 2}

Path steps are split on dots; a key containing dots is written in brackets:
`metadata.labels[app.kubernetes.io/owner]`. A value written `{name}` (in
`equals`, `not_equals`, `in`, `not_in`, `min`, `max`) is the rule's param
`name`, so users can tune a rule from their config (`{path: spec.replicas,
min: "{min_replicas}"}` with `params: {min_replicas: 2}`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from linter.core.check import Violation
from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode
from linter.core.regex_guard import GuardedPattern, RegexTimeout
from linter.core.subject import Subject

_STEP = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")
PARAM_REF = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
PARAM_KEYS = ("equals", "not_equals", "in", "not_in", "min", "max")


def param_refs(assertion: dict[str, Any]) -> dict[str, str]:
    """key -> param name, for the assertion values written `{name}`."""
    refs: dict[str, str] = {}
    for key in PARAM_KEYS:
        match = PARAM_REF.match(assertion[key]) if isinstance(assertion.get(key), str) else None
        if match:
            refs[key] = match.group(1)
    return refs


def _bind(assertion: dict[str, Any], refs: dict[str, str], params: Any) -> dict[str, Any]:
    if not refs or not isinstance(params, dict):
        return assertion
    bound = dict(assertion)
    for key, name in refs.items():
        if name in params:
            bound[key] = params[name]
    return bound


def split_path(path: str) -> list[str]:
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _STEP.finditer(path)]


def resolve(node: Node, steps: list[str]) -> tuple[Node | None, Node]:
    """(the node at the path or None, the deepest node that exists on the way)."""
    current: Node = node
    for step in steps:
        if isinstance(current, MappingNode) and step in current:
            current = current.get(step)  # type: ignore[assignment]
        elif isinstance(current, SequenceNode) and step.isdigit() and int(step) < len(current.items):
            current = current.items[int(step)]
        else:
            return None, current
    return current, current


class AssertCheck:
    def __init__(self, assertions: list[dict[str, Any]]) -> None:
        self.assertions = [(a, split_path(a["path"]), param_refs(a)) for a in assertions]
        # Rule files may be user-written: their regexes run under a time bound.
        self.patterns = {(id(a), k): GuardedPattern(a[k]) for a in assertions for k in ("matches", "not_matches") if k in a}

    def __call__(self, subject: Subject, params: Any) -> Iterator[Violation]:
        if subject.node is None:
            return
        for assertion, steps, refs in self.assertions:
            found, deepest = resolve(subject.node, steps)
            failure = self._failure(_bind(assertion, refs, params), found, id(assertion))
            if failure:
                span = found.span if found is not None else deepest.anchor_span
                yield Violation(span, {"path": assertion["path"], "reason": failure}, logical=assertion["path"])
                return

    def _failure(self, a: dict[str, Any], node: Node | None, key: int) -> str:
        present = node is not None
        if "present" in a and a["present"] != present:
            return "is missing" if a["present"] else "must not be set"
        if not present:
            return "" if "present" in a or not _value_tests(a) else "is missing"
        value = node.to_python() if node is not None else None
        text = node.text if isinstance(node, ScalarNode) else None
        if "equals" in a and value != a["equals"]:
            return f"must equal {a['equals']!r}"
        if "not_equals" in a and value == a["not_equals"]:
            return f"must not equal {a['not_equals']!r}"
        if "in" in a and value not in a["in"]:
            return f"must be one of {a['in']!r}"
        if "not_in" in a and value in a["not_in"]:
            return f"must not be one of {a['not_in']!r}"
        try:
            if "matches" in a and (text is None or not self.patterns[(key, "matches")].search(text)):
                return f"must match {a['matches']!r}"
            if "not_matches" in a and text is not None and self.patterns[(key, "not_matches")].search(text):
                return f"must not match {a['not_matches']!r}"
        except RegexTimeout as exc:
            return f"could not be checked: the rule's pattern {str(exc)!r} timed out (catastrophic backtracking)"
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if "min" in a and (number is None or not isinstance(a["min"], (int, float)) or number < a["min"]):
            return f"must be at least {a['min']}"
        if "max" in a and (number is None or not isinstance(a["max"], (int, float)) or number > a["max"]):
            return f"must be at most {a['max']}"
        return ""


def _value_tests(a: dict[str, Any]) -> bool:
    return any(k in a for k in ("equals", "not_equals", "in", "not_in", "matches", "not_matches", "min", "max"))
