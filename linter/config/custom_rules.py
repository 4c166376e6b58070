"""`deploylint validate-rules DIR`: everything that can be wrong with a
directory of custom rules, each problem as `file:line: message`.

Checks, per file: YAML syntax; `schemas/rule.schema.json`; a unique ID that
does not clash with a built-in rule; the selector and Python check exist; the
JSON Schema is a valid schema; every regex compiles; params fit the check; the
help examples behave (bad fires on the `# flagged` lines, good stays silent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from linter.config.file import describe_error
from linter.core.errors import UsageError
from linter.core.model import Node, node_at
from linter.core.rules import Rule, load_rules, rule_files, rule_from_data, rule_schema_errors
from linter.core.workspace import read_user_file
from linter.formats.common.yaml_tree import parse_yaml_documents


class _Problems:
    def __init__(self, display: str, root: Node | None) -> None:
        self.display = display
        self.root = root
        self.items: list[str] = []

    def add(self, path: list[str | int], message: str, *, label: bool = True) -> None:
        """A problem at the line of `path` (named in the message unless `label` is off)."""
        line = node_at(self.root, path).span.line if self.root is not None else 1
        where = ".".join(str(p) for p in path) if label else ""
        self.items.append(f"{self.display}:{line}: {where + ': ' if where else ''}{message}")


def validate_rules_dir(directory: Path) -> list[str]:
    """Every problem of every rule file under `directory` (empty: all good)."""
    taken = {r.id: r.source for r in load_rules()}
    problems: list[str] = []
    for path in rule_files(directory):
        problems.extend(_validate_file(path, taken))
    return problems


def _validate_file(path: Path, taken: dict[str, str]) -> list[str]:
    display = path.as_posix()
    try:
        text = read_user_file(path, display, "rule file")
    except UsageError as exc:
        return [str(exc)]
    documents, parse_problems = parse_yaml_documents(text, display)
    if parse_problems:
        return [f"{display}:{p.span.line}: {p.message}" for p in parse_problems[:1]]
    root = documents[0] if documents else None
    found = _Problems(display, root)
    data = root.to_python() if root is not None else None
    errors = rule_schema_errors(data)
    for error in errors[:5]:
        where, message, _ = describe_error(error)
        found.add(where, message)
    if errors:
        return found.items
    assert isinstance(data, dict)  # the schema requires a mapping
    rule = rule_from_data(data, display, builtin=False)
    if rule.id in taken:
        found.add(["id"], f"{rule.id} is already used by {taken[rule.id]}")
    taken.setdefault(rule.id, display)
    _check_compiles(rule, data, found)
    if not found.items:
        for field, problem in _examples(rule):
            found.add(["help", field], problem)
    return found.items


def _check_compiles(rule: Rule, data: dict[str, Any], found: _Problems) -> None:
    from linter.core.engine import CompiledRule
    from linter.core.regex_guard import compile_error
    from linter.formats import REGISTRY

    if rule.check_kind == "schema":
        import jsonschema

        try:
            jsonschema.Draft202012Validator.check_schema(rule.check_body)
        except jsonschema.SchemaError as exc:
            found.add(["check", "schema", *exc.absolute_path], f"invalid JSON Schema: {exc.message}")
            return
        from linter.core.checks.schema_refs import refused_refs

        for keys, reason in refused_refs(rule.check_body):
            found.add(["check", "schema", *keys], reason)
        if found.items:
            return
    if rule.check_kind == "assert":
        from linter.core.checks.assertions import param_refs

        for index, assertion in enumerate(rule.check_body):
            for key in ("matches", "not_matches"):
                problem = compile_error(assertion[key]) if key in assertion else None
                if problem:
                    found.add(["check", "assert", index, key], f"invalid regex: {problem}")
            for key, name in param_refs(assertion).items():
                if name not in rule.params:
                    found.add(["check", "assert", index, key], f"names param '{name}', which the rule's `params` does not define")
        if found.items:
            return
    try:
        CompiledRule(rule, REGISTRY)
    except UsageError as exc:
        message = str(exc).removeprefix(rule.source + ": ")
        if "param" in message and "params" in data:
            field = "params"
        elif message.startswith("check '") or "selector" not in message:
            field = "check"
        else:
            field = "target"
        found.add([field], message, label=False)


def _examples(rule: Rule) -> list[tuple[str, str]]:
    from linter.config.rule_examples import example_problems

    if not rule.help.get("bad") and not rule.help.get("good"):
        return [("bad", "no examples: add `help.bad` (marked `# flagged`) and `help.good` so the rule is tested")]
    return example_problems(rule)
