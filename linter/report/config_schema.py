"""`schemas/config.schema.json`, the config schema editors validate and complete
`.deploylint.yaml` with, generated from the config's shape (`config/schema.py`)
and the rule files; never edited:

    python -m linter.report.config_schema            # (re)write it
    python -m linter.report.config_schema --check    # exit 1 when it drifted

(`python -m linter.report.docs` writes it too.) Over the shape it adds every
built-in rule's ID and name under `rules:`, each with its title and its params
typed and defaulted as the rule's check takes them, and the presets. It says
what the reader accepts: a rule key is an ID, a name, an ID prefix in any case,
or ALL; a config that can load custom rules (`rules_dirs`, or `extends` naming
a file) may name others, which the schema cannot know. It uses only keywords
draft-07 validators (yaml-language-server's) read as draft 2020-12 does.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import re
import sys
import tokenize
import typing
from pathlib import Path
from typing import Any

import yaml

from linter.config.presets import PRESET_NAMES, preset_path
from linter.config.schema import rule_setting, structure
from linter.core.resources import schemas_dir
from linter.core.rules import Rule, load_rules
from linter.formats import REGISTRY

SCHEMA_FILE = "config.schema.json"
GENERATED = ("Generated from linter/config/schema.py and the rule files by `python -m linter.report.config_schema`; "
             "do not edit (change those and regenerate).")


def config_schema(rules: list[Rule]) -> dict[str, Any]:
    """The published schema: the config's shape with what the rules say."""
    shape = copy.deepcopy(structure())
    schema = {"$schema": shape["$schema"], "$id": shape["$id"], "$comment": GENERATED, **shape}
    defs = schema["$defs"]
    known: dict[str, Any] = {"ALL": {"description": "Every rule (a more specific entry wins).", "allOf": [{"$ref": "#/$defs/rule_setting"}]}}
    for rule in sorted(rules, key=lambda r: r.id):
        defs[f"rule-{rule.id}"] = rule_setting(params_schema(rule), f"{rule.id} {rule.name} ({rule.severity.value}, {rule.target.format}): {rule.title}")
        known[rule.id] = known[rule.name] = {"$ref": f"#/$defs/rule-{rule.id}"}
    schema["properties"]["rules"]["properties"] = known
    defs["rule_selector"] = {
        "description": "A rule ID or name, an ID prefix (any case: K8S, k8s4), or ALL.",
        "anyOf": [{"enum": list(known)}, {"type": "string", "pattern": prefix_pattern([r.id for r in rules])}],
    }
    presets = [{"const": name, "description": _preset_description(name)} for name in PRESET_NAMES]
    defs["preset"] = {"anyOf": presets}
    extends = schema["properties"]["extends"]
    extends["oneOf"] = [{"anyOf": [*presets, {"type": "string", "minLength": 1}]},
                        {"type": "array", "items": {"anyOf": [*presets, {"type": "string", "minLength": 1}]}}]
    # Only built-in rules can be named unless this file (or a file it extends) loads custom ones.
    schema["if"] = {
        "properties": {"extends": {"anyOf": [{"$ref": "#/$defs/preset"}, {"type": "array", "items": {"$ref": "#/$defs/preset"}}]}},
        "not": {"required": ["rules_dirs"]},
    }
    schema["then"] = {"properties": {"rules": {"propertyNames": {"$ref": "#/$defs/rule_selector"}}}}
    return schema


def params_schema(rule: Rule) -> dict[str, Any]:
    """A rule's `params:` as its check takes them: a Python check's typed
    params dataclass, else the types of the rule file's defaults."""
    from linter.config.rules import effective_params
    from linter.core.check import param_json_schema, params_type_of

    defaults = effective_params(rule)
    params_type = params_type_of(rule, REGISTRY)
    properties: dict[str, Any] = {}
    if params_type is not None:
        hints = typing.get_type_hints(params_type)
        comments = _field_comments(params_type)
        for f in dataclasses.fields(params_type):
            properties[f.name] = _param(param_json_schema(hints[f.name]), comments.get(f.name, ""), defaults.get(f.name))
    else:
        for name, value in rule.params.items():
            properties[name] = _param(_value_schema(value), "", defaults.get(name))
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if not properties:
        schema["description"] = f"{rule.id} takes no params."
    return schema


def _param(schema: dict[str, Any], comment: str, default: Any) -> dict[str, Any]:
    """A param's schema with its default (a list's is left to `default`: too long to read in a description)."""
    parts = [f"{comment[0].upper()}{comment[1:]}."] if comment else []
    if not isinstance(default, (list, dict)):
        parts.append(f"Default: {json.dumps(default, ensure_ascii=False)}.")
    return {**schema, "default": default, **({"description": " ".join(parts)} if parts else {})}


def _value_schema(value: Any) -> dict[str, Any]:
    """What the reader accepts for a schema rule's param: its default's JSON type (a number also takes an integer)."""
    kinds: tuple[tuple[type, str], ...] = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"), (dict, "object"))
    return next(({"type": name} for kind, name in kinds if isinstance(value, kind)), {})


def _field_comments(cls: type) -> dict[str, str]:
    """The comment after each field of a params dataclass (`max_share: float = 0.8  # of the ...`)."""
    import inspect

    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    comments: dict[str, str] = {}
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            field = re.match(r"\s+(\w+)\s*:", lines[token.start[0] - 1])
            if field:
                comments[field.group(1)] = token.string.lstrip("#").strip().rstrip(".")
    return comments


def _preset_description(name: str) -> str:
    data = yaml.safe_load(preset_path(name).read_text(encoding="utf-8")) or {}
    return str(data.get("description", name))


def prefix_pattern(ids: list[str]) -> str:
    """A regex (ECMA-262 as JSON Schema wants, no flags) for every string whose
    upper case is a prefix of one of `ids`, or ALL: what `names_rule` takes
    besides a rule's exact name."""

    def alternatives(words: list[str]) -> str:
        heads: dict[str, list[str]] = {}
        for word in words:
            if word:
                heads.setdefault(word[0], []).append(word[1:])
        parts = []
        for head in sorted(heads):
            letter = f"[{head}{head.lower()}]" if head.isalpha() else re.escape(head)
            rest = alternatives(heads[head])
            parts.append(f"{letter}(?:{rest})?" if rest else letter)
        return "|".join(parts)

    return f"^(?:[Aa][Ll][Ll]|(?:{alternatives(sorted({i.upper() for i in ids}))})?)$"


def render_schema(rules: list[Rule]) -> str:
    return json.dumps(config_schema(rules), indent=2, ensure_ascii=False) + "\n"


def schema_path() -> Path:
    return schemas_dir() / SCHEMA_FILE


def report_sync(check: bool, path: Path | None = None) -> int:
    """Write the schema (or with `check`, exit 1 when the file differs)."""
    from linter.core.atomic import write_atomically

    path = path or schema_path()
    expected = render_schema([r for r in load_rules() if r.builtin])
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == expected:
        print(f"{path}: up to date")
        return 0
    if check:
        print(f"{path}: out of date (run `python -m linter.report.config_schema`)", file=sys.stderr)
        return 1
    write_atomically(path, expected)
    print(f"{path}: written")
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m linter.report.config_schema", description="Generate schemas/config.schema.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the schema is out of date instead of writing it")
    return report_sync(parser.parse_args(argv).check)


if __name__ == "__main__":
    sys.exit(main())
