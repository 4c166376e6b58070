"""Rules as data: loading and validating rule files.

A rule file is YAML in the format of `schemas/rule.schema.json`. Built-in rules
are validated by the test suite (so start-up skips the schema check for them);
user rules are validated when loaded, with errors that name file and field.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from linter.core.errors import UsageError
from linter.core.findings import Severity
from linter.core.fix import RuleFix
from linter.core.resources import rules_dir, schemas_dir

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Target:
    format: str  # kubernetes | nginx | clickhouse | env | any
    select: str
    options: dict[str, Any] = field(default_factory=dict)  # selector options (kinds, init, ...)


@dataclass(slots=True)
class Rule:
    id: str
    name: str
    title: str
    severity: Severity
    target: Target
    check_kind: str  # schema | assert | python
    check_body: Any
    message: str
    help: dict[str, str]
    references: list[str]
    params: dict[str, Any]
    tags: list[str]
    security_severity: float | None = None
    precision: str = "high"
    source: str = ""  # the rule file, for error messages
    builtin: bool = True
    fix: RuleFix | None = None  # how its findings are fixed (`core/fix.py`)

    def matches(self, selector: str) -> bool:
        """True for a selector naming this rule (see `names_rule`)."""
        return names_rule(selector, self.id, self.name)


# A whole rule ID: a prefix and three digits (K8S101, DL001).
_WHOLE_ID = re.compile(r".*\D\d{3}")


def names_rule(selector: str, rule_id: str, rule_name: str) -> bool:
    """True for a selector naming a rule by ID, name, ID prefix (K8S, K8S1), or ALL:
    the language of --select/--ignore, config `rules:` keys and suppressions.
    A whole ID names that rule alone, so `K8S101` in a user's config never
    grows to cover a later, longer ID that starts the same way."""
    wanted = selector.upper()
    if _WHOLE_ID.fullmatch(wanted):
        return rule_id == wanted or selector == rule_name
    return selector == rule_name or rule_id.startswith(wanted) or wanted == "ALL"


def read_rule_file(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: cannot read rule file: {_one_line(exc)}") from None


def load_rule_file(path: Path, *, builtin: bool, validate: bool) -> Rule:
    data = read_rule_file(path)
    if validate:
        validate_rule_data(data, str(path))
        _refuse_outside_refs(path, data)
    return rule_from_data(data, str(path), builtin=builtin)


def _refuse_outside_refs(path: Path, data: dict[str, Any]) -> None:
    """A schema check's `$ref` to a URL or file is refused at `file:line` (see checks/schema_refs.py)."""
    schema = data["check"].get("schema")
    if schema is None:
        return
    from linter.core.checks.schema_refs import refused_refs

    refused = refused_refs(schema)
    if refused:
        keys, reason = refused[0]
        where = ["check", "schema", *keys]
        line = _line_of(path.read_text(encoding="utf-8"), where)
        raise UsageError(f"{path}:{line}: {'.'.join(map(str, where))}: {reason}")


def _line_of(text: str, keys: list[str | int]) -> int:
    """The 1-based line of the value at `keys` in a YAML document (its nearest existing parent's)."""
    node = yaml.compose(text, Loader=_Loader)
    line = node.start_mark.line if node is not None else 0
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line
    return line + 1


def rule_from_data(data: Any, source: str, *, builtin: bool) -> Rule:
    if not isinstance(data, dict):
        raise UsageError(f"{source}: a rule file must be a mapping")
    try:
        target = dict(data["target"])
        check = dict(data["check"])
        (check_kind, check_body), = check.items()
        return Rule(
            id=data["id"],
            name=data["name"],
            title=data["title"],
            severity=Severity(data["severity"]),
            target=Target(target.pop("format"), target.pop("select"), target),
            check_kind=check_kind,
            check_body=check_body,
            message=data["message"],
            help=dict(data["help"]),
            references=list(data.get("references", [])),
            params=dict(data.get("params") or {}),
            tags=list(data.get("tags", [])),
            security_severity=data.get("security_severity"),
            precision=data.get("precision", "high"),
            source=source,
            builtin=builtin,
            fix=RuleFix.from_data(data.get("fix")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{source}: invalid rule: {_one_line(exc)}") from None


def validate_rule_data(data: Any, source: str) -> None:
    """Raise UsageError naming the file and the first failing field."""
    errors = rule_schema_errors(data)
    if errors:
        from linter.config.file import describe_error

        path, message, _ = describe_error(errors[0])
        where = ".".join(str(p) for p in path) or "(top level)"
        raise UsageError(f"{source}: {where}: {message} (`deploylint validate-rules` lists every problem with its line)")


def rule_schema_errors(data: Any) -> list[Any]:
    """The jsonschema errors of a rule file's data against `rule.schema.json`, ordered by path."""
    from linter.config.file import sorted_errors

    return sorted_errors(_rule_schema_validator(), data)


@functools.cache
def _rule_schema_validator() -> Any:
    import json

    import jsonschema  # imported here: ~100 ms we do not pay for built-in rules

    return jsonschema.Draft202012Validator(json.loads((schemas_dir() / "rule.schema.json").read_text(encoding="utf-8")))


def rule_files(directory: Path) -> list[Path]:
    """The rule files (`*.yaml`, `*.yml`) anywhere under a custom rules directory."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory" if directory.exists() else f"rules directory not found: {directory}")
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_rules(extra_dirs: list[Path] | None = None) -> list[Rule]:
    """The built-in pack plus user rule directories, sorted by ID."""
    from linter.core.rule_cache import builtin_rule_data

    rules: dict[str, Rule] = {}
    paths = [p for p in sorted(rules_dir().glob("*/*.yaml")) if p.parent.name != "presets"]
    for path, data in zip(paths, builtin_rule_data(paths, read_rule_file)):
        rule = rule_from_data(data, str(path), builtin=True)
        rules[rule.id] = rule
    # A directory named twice (config and --rules-dir) is read once.
    named = {d.resolve(): d for d in reversed(extra_dirs or [])}
    for directory in reversed(named.values()):
        for path in rule_files(directory):
            rule = load_rule_file(path, builtin=False, validate=True)
            if rule.id in rules:
                raise UsageError(f"{path}: rule ID {rule.id} is already used by {rules[rule.id].source}")
            rules[rule.id] = rule
    return sorted(rules.values(), key=lambda r: r.id)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return " ".join(text.split()) if text else type(exc).__name__
