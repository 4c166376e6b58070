"""jsonschema's Draft 2020-12 validator with the keywords that run a schema's
regexes (`pattern`, `patternProperties`, `additionalProperties` beside
`patternProperties`) matching through `regex_guard`, so a rule file's pattern
is time-bounded like an `assert` check's (jsonschema itself calls `re.search`,
which cannot be interrupted). Used for the schemas `fastschema` hands over.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema

from linter.core.checks.schema_refs import offline_registry
from linter.core.regex_guard import GuardedPattern

_BASE = jsonschema.Draft202012Validator


class _Patterns:
    """The compiled patterns of one validator (so one that timed out stays broken)."""

    def __init__(self) -> None:
        self._compiled: dict[str, GuardedPattern] = {}

    def search(self, pattern: str, text: str) -> bool:
        compiled = self._compiled.get(pattern)
        if compiled is None:
            compiled = self._compiled[pattern] = GuardedPattern(pattern)
        return compiled.search(text)


def guarded_validator(schema: dict[str, Any] | bool) -> Any:
    patterns = _Patterns()

    def pattern(validator: Any, patrn: str, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not patterns.search(patrn, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator: Any, by_pattern: dict[str, Any], instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in by_pattern.items():
            for key, value in instance.items():
                if patterns.search(patrn, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=patrn)

    def additional_properties(validator: Any, extra_schema: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if "patternProperties" not in schema or not validator.is_type(instance, "object"):
            yield from _BASE.VALIDATORS["additionalProperties"](validator, extra_schema, instance, schema)
            return
        declared = schema.get("properties", {})
        joined = "|".join(schema["patternProperties"])
        extras = [k for k in instance if k not in declared and not (joined and patterns.search(joined, k))]
        if validator.is_type(extra_schema, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], extra_schema, path=extra)
        elif not extra_schema and extras:
            verb = "does" if len(extras) == 1 else "do"
            names = ", ".join(repr(each) for each in sorted(extras))
            regexes = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield jsonschema.ValidationError(f"{names} {verb} not match any of the regexes: {regexes}")

    keywords = {"pattern": pattern, "patternProperties": pattern_properties, "additionalProperties": additional_properties}
    extend: Any = jsonschema.validators.extend  # untyped in jsonschema
    return extend(_BASE, keywords)(schema, registry=offline_registry())
