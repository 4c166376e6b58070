"""The fast JSON Schema evaluator gives exactly jsonschema's errors (order,
instance path, keyword, message) on every built-in schema rule's examples, on
random instances shaped by each schema, and on a bank of schemas covering
every keyword it implements."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import all_rules

from linter.config.rule_examples import example_filename
from linter.core.checks.fastschema import DELEGATED, SUPPORTED, FastValidator, compile_schema, is_supported
from linter.core.loader import Loader
from linter.core.model import SourceFile
from linter.core.run_types import RunContext
from linter.core.runner import assemble
from linter.core.workspace import Workspace
from linter.formats import REGISTRY

DEFAULT_NAMES = {"kubernetes": "manifest.yaml", "nginx": "nginx.conf", "clickhouse": "config.xml", "env": ".env"}

BANK: list[dict[str, Any] | bool] = [
    True,
    False,
    {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "integer", "minimum": 2}, "b": {"enum": ["x", 1, True, None]}}},
    {"type": ["string", "null"], "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "maximum": 5},
    {"const": {"a": [1, True]}},
    {"const": 1},
    {"const": False},
    {"not": {"type": "string"}},
    {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^\\d+m$"}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 0}, {"type": "number"}]},
    {"allOf": [{"required": ["a"]}, {"properties": {"a": {"type": "array", "items": {"type": "string"}}}}]},
    {"if": {"properties": {"kind": {"const": "Job"}}}, "then": {"required": ["spec"]}, "else": {"required": ["metadata"]}},
    {"if": {"required": ["a"]}, "then": {"properties": {"a": {"minimum": 1}}}},
    {"if": {"required": ["a"]}, "else": {"maxProperties": 1}},
    {"type": "array", "contains": {"const": "ALL"}},
    {"type": "array", "contains": {"type": "string"}, "minContains": 2, "maxContains": 3},
    {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "object", "required": ["name"]}},
    {"type": "array", "minItems": 2, "maxItems": 0},
    {"items": False},
    {"type": "object", "additionalProperties": False, "properties": {"a": {}}},
    {"type": "object", "additionalProperties": False, "patternProperties": {"^x-": {"type": "string"}}},
    {"type": "object", "additionalProperties": {"type": "integer"}, "properties": {"a": {"type": "string"}}},
    {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}, "minProperties": 1},
    {"type": "object", "minProperties": 2, "maxProperties": 0},
    {"type": "object", "dependentRequired": {"a": ["b", "c"]}},
    {"properties": {"capabilities": {"properties": {"add": {"not": {"contains": {"enum": ["ALL", "SYS_ADMIN"]}}}}}}},
    {"type": "integer", "format": "int32", "title": "ignored annotations", "description": "x", "unknownKeyword": 5},
    {"properties": {"x": True, "y": False}},
    {"required": ["securityContext"], "properties": {"securityContext": {"required": ["runAsNonRoot"],
     "properties": {"runAsNonRoot": {"const": True}}}}},
]


def _errors(validator: Any, instance: Any) -> list[tuple[list[Any], Any, str]]:
    return [(list(e.absolute_path), e.validator, e.message) for e in validator.iter_errors(instance)]


def _assert_same(schema: Any, instance: Any) -> None:
    ours = FastValidator(schema)
    theirs = jsonschema.Draft202012Validator(schema)
    assert _errors(ours, instance) == _errors(theirs, instance), (schema, instance)


# --------------------------------------------------------------------------- random instances


def _words(schema: Any, out: set[Any]) -> set[Any]:
    """Property names and literal values in a schema: they make instances that hit paths."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("properties", "patternProperties", "dependentRequired"):
                out.update(value)
            if key in ("enum", "required") and isinstance(value, list):
                out.update(v for v in value if isinstance(v, (str, int, float, bool)) or v is None)
            if key == "const" and (isinstance(value, (str, int, float, bool)) or value is None):
                out.add(value)
            _words(value, out)
    elif isinstance(schema, list):
        for item in schema:
            _words(item, out)
    return out


def _scalar(rng: random.Random, words: list[Any]) -> Any:
    choice = rng.random()
    if words and choice < 0.4:
        return rng.choice(words)
    return rng.choice([None, True, False, 0, 1, -1, 2, 3, 2.5, 1.0, 10, 100, "", "a", "abc", "ALL", "123m", "x-y", "Job", "latest"])


def _sample(schema: Any, rng: random.Random, words: list[Any], depth: int = 0) -> Any:
    if depth > 4 or rng.random() < 0.1 or not isinstance(schema, dict):
        return _scalar(rng, words) if rng.random() < 0.8 or depth > 4 else {str(rng.choice(words or ["k"])): _scalar(rng, words)}
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema and rng.random() < 0.5:
            return _sample(rng.choice(schema[key]), rng, words, depth + 1)
    if "enum" in schema and rng.random() < 0.5:
        return rng.choice(schema["enum"])
    if "const" in schema and rng.random() < 0.5:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = rng.choice(kind)
    if kind is None:
        kind = "object" if "properties" in schema or "required" in schema else ("array" if "items" in schema or "contains" in schema else None)
    if kind == "object" or (kind is None and rng.random() < 0.5):
        obj: dict[str, Any] = {}
        for name, sub in schema.get("properties", {}).items():
            if rng.random() < 0.75:
                obj[name] = _sample(sub, rng, words, depth + 1)
        for name in schema.get("required", []):
            if name not in obj and rng.random() < 0.6:
                obj[name] = _sample({}, rng, words, depth + 1)
        if rng.random() < 0.3:
            obj[str(rng.choice(words or ["extra"]))] = _scalar(rng, words)
        return obj
    if kind == "array":
        sub = schema.get("items", schema.get("contains", {}))
        return [_sample(sub, rng, words, depth + 1) for _ in range(rng.randint(0, 5))]
    return _scalar(rng, words)


def _schema_rules() -> list[Any]:
    return [r for r in all_rules() if r.check_kind == "schema"]


def _subschemas(schema: Any) -> list[Any]:
    """The schema and every nested schema, so nested paths get random instances too."""
    found = [schema]
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("properties", "patternProperties") and isinstance(value, dict):
                for sub in value.values():
                    found += _subschemas(sub)
            elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
                for sub in value:
                    found += _subschemas(sub)
            elif key in ("items", "contains", "not", "if", "then", "else", "additionalProperties") and isinstance(value, dict):
                found += _subschemas(value)
    return found


def test_keyword_tables_cover_jsonschema() -> None:
    """Every keyword jsonschema validates is either implemented or delegated."""
    assert set(jsonschema.Draft202012Validator.VALIDATORS) <= SUPPORTED | DELEGATED


@pytest.mark.parametrize("schema", BANK, ids=[str(i) for i in range(len(BANK))])
def test_bank_schema_matches_jsonschema_on_random_instances(schema: Any) -> None:
    assert is_supported(schema)
    rng = random.Random(repr(schema))
    words = sorted(_words(schema, set()), key=repr)
    for _ in range(400):
        _assert_same(schema, _sample(schema, rng, words))


def test_builtin_schema_rules_match_jsonschema_on_random_instances() -> None:
    rules = _schema_rules()
    if not rules:
        pytest.skip("no built-in schema rules")
    for rule in rules:
        schema = rule.check_body
        rng = random.Random(rule.id)
        words = sorted(_words(schema, set()), key=repr)
        for sub in _subschemas(schema):
            if not is_supported(sub):
                continue
            for _ in range(150):
                _assert_same(sub, _sample(sub, rng, words))


def _example_subjects(rule: Any, tmp_path: Path, which: str) -> list[Any]:
    text = rule.help.get(which)
    if not text:
        return []
    fmt = rule.target.format
    name = example_filename(rule)
    path = tmp_path / which / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    loader = Loader(Workspace(tmp_path), REGISTRY)
    parsed = loader.parse(SourceFile(f"{which}/{name}", str(path), text), fmt)
    units = assemble([parsed], loader)
    ctx = RunContext(units)
    selector = REGISTRY.selector(fmt, rule.target.select)
    options = dict(rule.target.options)
    return [s.node.to_python() for u in units for s in selector(u, options, ctx) if s.node is not None]


def test_builtin_schema_rules_match_jsonschema_on_their_examples(tmp_path: Path) -> None:
    rules = _schema_rules()
    if not rules:
        pytest.skip("no built-in schema rules")
    checked = 0
    for rule in rules:
        for which in ("bad", "good"):
            for instance in _example_subjects(rule, tmp_path, which):
                _assert_same(rule.check_body, instance)
                checked += 1
    assert checked >= len(rules)


def test_unsupported_keywords_go_to_jsonschema() -> None:
    assert isinstance(compile_schema({"properties": {"a": {"required": ["b"]}}}), FastValidator)
    for schema in ({"$ref": "other.json#/a"}, {"properties": {"a": {"uniqueItems": True}}},
                   {"anyOf": [{"prefixItems": [{}]}]}, {"type": "no-such-type"}):
        assert not isinstance(compile_schema(schema), FastValidator), schema
    validator = compile_schema({"$defs": {"n": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/n"}, "b": {"uniqueItems": True}}})
    assert not isinstance(validator, FastValidator)
    assert [e.message for e in validator.iter_errors({"a": "x"})] == ["'x' is not of type 'integer'"]


def _project_schema(name: str) -> Any:
    import json

    from linter.core.resources import schemas_dir

    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["config.schema.json", "rule.schema.json"])
def test_project_schemas_with_local_refs_match_jsonschema(name: str) -> None:
    """The config schema is checked on every run (the default preset at least)."""
    import yaml

    from linter.core.resources import presets_dir, rules_dir

    schema = _project_schema(name)
    assert isinstance(compile_schema(schema), FastValidator)
    files = sorted(presets_dir().glob("*.yaml")) if name.startswith("config") else sorted(rules_dir().glob("*/*.yaml"))
    documents = [d for d in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in files) if isinstance(d, dict)]
    assert documents
    rng = random.Random(name)
    words = sorted(_words(schema, set()), key=repr)
    for document in documents:
        _assert_same(schema, document)
        for _ in range(20):  # the real document with one part replaced by something random
            mutated = dict(document)
            key = rng.choice(sorted(mutated) + ["unknown_key"])
            mutated[key] = _sample(schema.get("properties", {}).get(key, {}), rng, words)
            _assert_same(schema, mutated)
    for _ in range(300):
        _assert_same(schema, _sample(schema, rng, words))


def test_local_refs() -> None:
    schema = {"$defs": {"n": {"type": "integer"}, "no": False, "list": {"type": "array", "items": {"$ref": "#/$defs/n"}}},
              "properties": {"a": {"$ref": "#/$defs/list"}, "b": {"$ref": "#/$defs/no"}, "c": {"$ref": "#"}}}
    assert is_supported(schema)
    for instance in ({"a": [1, "x", 2.5]}, {"b": 1}, {"c": {"a": ["y"]}}, {"a": []}, {"c": 3}):
        _assert_same(schema, instance)
    assert not is_supported({"properties": {"a": {"$ref": "#/$defs/missing"}}})
    assert not is_supported({"properties": {"a": {"$ref": "other.json#/x"}}})
