"""A small, exact JSON Schema (draft 2020-12) evaluator for the keywords our
rules use, so a run does not pay jsonschema's import (about 45 ms of a 150 ms
pre-commit budget).

It yields the same errors as `jsonschema.Draft202012Validator(schema).iter_errors`
(same order, instance paths, keyword and message text) for the keywords in
SUPPORTED. A schema that uses any keyword jsonschema validates and we do not
(`$ref`, `prefixItems`, `unevaluated*`, ...) is handed to jsonschema itself:
`compile_schema` picks. Like jsonschema without a format checker, `format` and
other annotations are not validated, and unknown keywords are ignored.
tests/test_fastschema.py runs both on every built-in schema rule's examples
and on random instances and requires identical results.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

SUPPORTED = frozenset({
    "type", "enum", "const", "required", "properties", "patternProperties", "additionalProperties",
    "propertyNames", "minProperties", "maxProperties", "dependentRequired", "items", "contains",
    "minContains", "maxContains", "minItems", "maxItems", "pattern", "minLength", "maxLength",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "not", "allOf", "anyOf", "oneOf",
    "if", "then", "else", "format",  # format: annotation only, as jsonschema without a format checker
    "$ref",  # only local JSON pointers ("#/$defs/name") into the same schema
})
# Keywords jsonschema validates that this module leaves to it.
DELEGATED = frozenset({
    "$dynamicRef", "prefixItems", "unevaluatedItems", "unevaluatedProperties",
    "dependentSchemas", "uniqueItems", "multipleOf",
})
# Keywords holding subschemas (walked when deciding whether a schema is supported).
_SCHEMA_VALUED = ("additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})


class FastError:
    """The parts of jsonschema's ValidationError that SchemaCheck reads."""

    __slots__ = ("absolute_path", "instance", "message", "validator")

    def __init__(self, path: tuple[str | int, ...], validator: str | None, message: str, instance: Any) -> None:
        self.absolute_path = path
        self.validator = validator
        self.message = message
        self.instance = instance

    def __repr__(self) -> str:
        return f"<FastError {self.validator} at {list(self.absolute_path)}: {self.message}>"


def is_supported(schema: Any, root: Any = None) -> bool:
    """True when every keyword jsonschema would validate is one we implement."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    root = schema if root is None else root
    if any(key in DELEGATED for key in schema):
        return False
    if "$ref" in schema and resolve_pointer(root, schema["$ref"]) is None:
        return False
    if "$id" in schema and schema is not root:
        return False  # a new base URI: refs below it would resolve elsewhere
    for key in _SCHEMA_VALUED:
        if key in schema and not is_supported(schema[key], root):
            return False
    for key in _SCHEMA_MAPS:
        if key in schema and not (isinstance(schema[key], dict) and all(is_supported(s, root) for s in schema[key].values())):
            return False
    for key in _SCHEMA_LISTS:
        if key in schema and not (isinstance(schema[key], list) and all(is_supported(s, root) for s in schema[key])):
            return False
    return _well_formed(schema)


def resolve_pointer(root: Any, ref: Any) -> Any:
    """The subschema a local reference ("#", "#/$defs/a") names, or None."""
    if not isinstance(ref, str) or not ref.startswith("#") or (len(ref) > 1 and not ref.startswith("#/")):
        return None
    node = root
    for raw in ref[2:].split("/") if len(ref) > 1 else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if "%" in part:
            return None  # percent-encoded pointers: leave them to jsonschema
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node if isinstance(node, (dict, bool)) else None


def _well_formed(schema: dict[str, Any]) -> bool:
    """Shapes we rely on; anything odd goes to jsonschema, which reports it its own way."""
    checks: dict[str, Callable[[Any], bool]] = {
        "type": lambda v: (v in _TYPES) if isinstance(v, str) else (isinstance(v, list) and all(t in _TYPES for t in v)),
        "required": lambda v: isinstance(v, list),
        "enum": lambda v: isinstance(v, list),
        "pattern": lambda v: isinstance(v, str),
        "dependentRequired": lambda v: isinstance(v, dict),
    }
    return all(ok(schema[key]) for key, ok in checks.items() if key in schema)


class FastValidator:
    """iter_errors(instance) like jsonschema's, for a supported schema."""

    def __init__(self, schema: dict[str, Any] | bool, guard_regexes: bool = False) -> None:
        self.schema = schema
        self._guard = guard_regexes
        self._patterns: dict[str, Callable[[str], bool]] = {}

    def iter_errors(self, instance: Any) -> Iterator[FastError]:
        return self._errors(self.schema, instance, ())

    def is_valid(self, instance: Any, schema: Any = None) -> bool:
        for _ in self._errors(self.schema if schema is None else schema, instance, ()):
            return False
        return True

    def _descend(self, schema: Any, instance: Any, path: tuple[str | int, ...], step: str | int) -> Iterator[FastError]:
        """Errors of a subschema at `path + (step,)`. As in jsonschema, a `false`
        subschema's error keeps the parent's path."""
        if schema is False:
            yield FastError(path, None, f"False schema does not allow {instance!r}", instance)
            return
        yield from self._errors(schema, instance, path + (step,))

    def _search(self, pattern: str, text: str) -> bool:
        search = self._patterns.get(pattern)
        if search is None:
            search = self._patterns[pattern] = _matcher(pattern, self._guard)
        return search(text)

    def _errors(self, schema: Any, instance: Any, path: tuple[str | int, ...]) -> Iterator[FastError]:
        if schema is True:
            return
        if schema is False:
            yield FastError(path, None, f"False schema does not allow {instance!r}", instance)
            return
        for keyword, value in schema.items():
            handler = _HANDLERS.get(keyword)
            if handler is not None:
                yield from handler(self, value, instance, schema, path)


# --------------------------------------------------------------------------- types and equality


def is_type(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "number":
        return isinstance(instance, (int, float))
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    return False


def equal(one: Any, two: Any) -> bool:
    """JSON equality: true is not 1, containers compared item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, (list, tuple)) and isinstance(two, (list, tuple)):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # `one is two` already caught equal booleans
    return bool(one == two)


# --------------------------------------------------------------------------- keywords

Path = tuple[str | int, ...]
Errors = Iterator[FastError]


def _ref(v: FastValidator, ref: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    yield from v._errors(resolve_pointer(v.schema, ref), instance, path)


def _type(v: FastValidator, types: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    names = [types] if isinstance(types, str) else types
    if not any(is_type(instance, t) for t in names):
        yield FastError(path, "type", f"{instance!r} is not of type {', '.join(repr(t) for t in names)}", instance)


def _enum(v: FastValidator, enums: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if all(not equal(each, instance) for each in enums):
        yield FastError(path, "enum", f"{instance!r} is not one of {enums!r}", instance)


def _const(v: FastValidator, const: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if not equal(instance, const):
        yield FastError(path, "const", f"{const!r} was expected", instance)


def _required(v: FastValidator, required: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if isinstance(instance, dict):
        for name in required:
            if name not in instance:
                yield FastError(path, "required", f"{name!r} is a required property", instance)


def _properties(v: FastValidator, properties: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if isinstance(instance, dict):
        for name, subschema in properties.items():
            if name in instance:
                yield from v._descend(subschema, instance[name], path, name)


def _pattern_properties(v: FastValidator, patterns: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if isinstance(instance, dict):
        for pattern, subschema in patterns.items():
            for key, value in instance.items():
                if v._search(pattern, key):
                    yield from v._descend(subschema, value, path, key)


def _additional_properties(v: FastValidator, extra_schema: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if not isinstance(instance, dict):
        return
    declared = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in declared and not (patterns and v._search(patterns, k))]
    if isinstance(extra_schema, dict):
        for key in set(extras):  # jsonschema walks a set: same order for the same keys
            yield from v._descend(extra_schema, instance[key], path, key)
    elif not extra_schema and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            regexes = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            message = f"{joined} {verb} not match any of the regexes: {regexes}"
        else:
            names = sorted(extras, key=str)
            message = f"Additional properties are not allowed ({', '.join(repr(e) for e in names)} {'was' if len(names) == 1 else 'were'} unexpected)"
        yield FastError(path, "additionalProperties", message, instance)


def _property_names(v: FastValidator, names_schema: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if isinstance(instance, dict):
        for key in instance:
            yield from v._errors(names_schema, key, path)


def _dependent_required(v: FastValidator, dependencies: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if isinstance(instance, dict):
        for name, needed in dependencies.items():
            if name in instance:
                for each in needed:
                    if each not in instance:
                        yield FastError(path, "dependentRequired", f"{each!r} is a dependency of {name!r}", instance)


def _items(v: FastValidator, items: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if not isinstance(instance, list) or not instance:
        return
    if items is False:
        rest = instance if len(instance) != 1 else instance[0]
        yield FastError(path, "items", f"Expected at most 0 items but found {len(instance)} extra: {rest!r}", instance)
        return
    for index, item in enumerate(instance):
        yield from v._descend(items, item, path, index)


def _contains(v: FastValidator, contains: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if not isinstance(instance, list):
        return
    least = schema.get("minContains", 1)
    most = schema.get("maxContains", len(instance))
    matches = 0
    for each in instance:
        if v.is_valid(each, contains):
            matches += 1
            if matches > most:
                yield FastError(path, "maxContains", f"Too many items match the given schema (expected at most {most})", instance)
                return
    if matches < least:
        if not matches:
            yield FastError(path, "contains", f"{instance!r} does not contain items matching the given schema", instance)
        else:
            yield FastError(path, "minContains",
                            f"Too few items match the given schema (expected at least {least} but only {matches} matched)", instance)


def _pattern(v: FastValidator, pattern: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if isinstance(instance, str) and not v._search(pattern, instance):
        yield FastError(path, "pattern", f"{instance!r} does not match {pattern!r}", instance)


def _size(keyword: str, kind: type[dict[str, Any]] | type[list[Any]] | type[str], least: bool, at_edge: str, otherwise: str) -> Callable[..., Errors]:
    """min/max Properties, Items and Length: a size bound on objects, arrays or strings."""
    edge = 1 if least else 0

    def check(v: FastValidator, limit: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
        if isinstance(instance, kind) and (len(instance) < limit if least else len(instance) > limit):
            yield FastError(path, keyword, f"{instance!r} {at_edge if limit == edge else otherwise}", instance)

    return check


def _bound(keyword: str, fails: Callable[[Any, Any], bool], words: str) -> Callable[..., Errors]:
    """minimum, maximum and their exclusive forms, on numbers only."""

    def check(v: FastValidator, limit: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
        if is_type(instance, "number") and fails(instance, limit):
            yield FastError(path, keyword, f"{instance!r} {words} {limit!r}", instance)

    return check


def _not(v: FastValidator, not_schema: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if v.is_valid(instance, not_schema):
        yield FastError(path, "not", f"{instance!r} should not be valid under {not_schema!r}", instance)


def _all_of(v: FastValidator, subschemas: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    for subschema in subschemas:
        yield from v._errors(subschema, instance, path)


def _any_of(v: FastValidator, subschemas: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if not any(v.is_valid(instance, s) for s in subschemas):
        yield FastError(path, "anyOf", f"{instance!r} is not valid under any of the given schemas", instance)


def _one_of(v: FastValidator, subschemas: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    valid = [s for s in subschemas if v.is_valid(instance, s)]
    if not valid:
        yield FastError(path, "oneOf", f"{instance!r} is not valid under any of the given schemas", instance)
    elif len(valid) > 1:
        # jsonschema lists the later valid ones first, then the first valid one.
        reprs = ", ".join(repr(s) for s in valid[1:] + valid[:1])
        yield FastError(path, "oneOf", f"{instance!r} is valid under each of {reprs}", instance)


def _if(v: FastValidator, if_schema: Any, instance: Any, schema: dict[str, Any], path: Path) -> Errors:
    if v.is_valid(instance, if_schema):
        if "then" in schema:
            yield from v._errors(schema["then"], instance, path)
    elif "else" in schema:
        yield from v._errors(schema["else"], instance, path)


_min_properties = _size("minProperties", dict, True, "should be non-empty", "does not have enough properties")
_max_properties = _size("maxProperties", dict, False, "is expected to be empty", "has too many properties")
_min_items = _size("minItems", list, True, "should be non-empty", "is too short")
_max_items = _size("maxItems", list, False, "is expected to be empty", "is too long")
_min_length = _size("minLength", str, True, "should be non-empty", "is too short")
_max_length = _size("maxLength", str, False, "is expected to be empty", "is too long")
_minimum = _bound("minimum", lambda value, limit: value < limit, "is less than the minimum of")
_maximum = _bound("maximum", lambda value, limit: value > limit, "is greater than the maximum of")
_exclusive_minimum = _bound("exclusiveMinimum", lambda value, limit: value <= limit, "is less than or equal to the minimum of")
_exclusive_maximum = _bound("exclusiveMaximum", lambda value, limit: value >= limit, "is greater than or equal to the maximum of")

_HANDLERS = {
    "type": _type, "enum": _enum, "const": _const, "required": _required, "properties": _properties,
    "patternProperties": _pattern_properties, "additionalProperties": _additional_properties,
    "propertyNames": _property_names, "minProperties": _min_properties, "maxProperties": _max_properties,
    "dependentRequired": _dependent_required, "items": _items, "contains": _contains,
    "minItems": _min_items, "maxItems": _max_items, "pattern": _pattern, "minLength": _min_length,
    "maxLength": _max_length, "minimum": _minimum, "maximum": _maximum, "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum, "not": _not, "allOf": _all_of, "anyOf": _any_of, "oneOf": _one_of,
    "if": _if, "$ref": _ref,
}


def _matcher(pattern: str, guarded: bool) -> Callable[[str], bool]:
    """`pattern`'s search; a user's pattern (guarded) runs under regex_guard's time bound."""
    if guarded:
        from linter.core.regex_guard import GuardedPattern

        return GuardedPattern(pattern).search
    compiled = re.compile(pattern)
    return lambda text: compiled.search(text) is not None


def compile_schema(schema: dict[str, Any] | bool, guard_regexes: bool = False) -> Any:
    """A validator with `iter_errors(instance)`: ours when the schema is in the
    supported subset, else jsonschema's Draft 2020-12 validator. With
    `guard_regexes` (a user's schema) every `pattern` is time-bounded
    (`regex_guard.RegexTimeout` when one overruns)."""
    if is_supported(schema):
        return FastValidator(schema, guard_regexes)
    if guard_regexes:
        from linter.core.checks.guarded_jsonschema import guarded_validator

        return guarded_validator(schema)
    import jsonschema

    from linter.core.checks.schema_refs import offline_registry

    return jsonschema.Draft202012Validator(schema, registry=offline_registry())
