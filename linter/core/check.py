"""Checks: how a rule decides. Three kinds (design §2):

- `schema`: a JSON Schema evaluated on the selected node (checks/schema.py);
- `assert`: a list of simple path assertions, for user rules (checks/assertions.py);
- `python`: a named function with typed params, from its format's table
  (`Format.checks`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linter.core.errors import UsageError
from linter.core.findings import Severity
from linter.core.model import Span
from linter.core.subject import Selector, Subject

if TYPE_CHECKING:
    from linter.core.fix import TextEdit
    from linter.core.format import FormatRegistry
    from linter.core.rules import Rule


@dataclass(slots=True)
class Violation:
    """One failure of a check on a subject."""

    span: Span
    vars: dict[str, Any] = field(default_factory=dict)  # message variables (redacted already)
    logical: str = ""  # appended to the subject's logical path
    severity: Severity | None = None  # a check may raise/lower severity (e.g. docker.sock)
    security_severity: float | None = None
    # Edits that fix it (`core/fix.py`); the rule's `fix.safety` says how safe they are.
    edits: tuple[TextEdit, ...] = ()


@dataclass(frozen=True, slots=True)
class NoParams:
    pass


CheckFn = Callable[[Subject, Any], Iterable[Violation]]


@dataclass(frozen=True, slots=True)
class PythonCheck:
    """A named check function, its typed params, and the types of subject
    `data` it takes (see `Selector.yields`)."""

    fn: CheckFn
    params: type = NoParams  # a dataclass: its fields are the typed params with defaults
    takes: tuple[type, ...] = ()

    def __post_init__(self) -> None:
        if not self.takes:
            raise TypeError(f"check {self.fn.__name__} must declare the types of subject data it takes")

    def can_take(self, selector: Selector) -> bool:
        return all(issubclass(t, self.takes) for t in selector.yields)

    def refusal(self, name: str, select: str, selectors: Mapping[str, Selector]) -> str | None:
        """Why this check cannot run on what `select` yields (None when it
        can), naming the selectors it can run on."""
        selector = selectors[select]
        if self.can_take(selector):
            return None
        untaken = tuple(t for t in selector.yields if not issubclass(t, self.takes))
        fitting = ", ".join(sorted(n for n, s in selectors.items() if self.can_take(s))) or "none"
        return (
            f"check '{name}' takes {_type_names(self.takes)} subjects, but `select: {select}` "
            f"yields {_type_names(untaken)} (selectors it can check: {fitting})"
        )


def _type_names(types_: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types_)


def params_type_of(rule: Rule, formats: FormatRegistry) -> type | None:
    """The typed params dataclass of a rule's Python check; None for other
    checks, or when its check is unknown (rule loading reports that)."""
    if rule.check_kind != "python":
        return None
    try:
        return formats.python_check(rule.target.format, rule.check_body).params
    except UsageError:
        return None


def build_params(params_type: type, values: dict[str, Any], where: str) -> Any:
    """Instantiate a params dataclass, rejecting unknown names and wrong types."""
    fields = {f.name for f in dataclasses.fields(params_type)}
    unknown = sorted(set(values) - fields)
    if unknown:
        known = ", ".join(sorted(fields)) or "none"
        raise UsageError(f"{where}: unknown param '{unknown[0]}' (known: {known})")
    for name, value in values.items():
        problem = param_type_error(params_type, name, value)
        if problem:
            raise UsageError(f"{where}: param '{name}': {problem}")
    return params_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def param_type_error(params_type: type, name: str, value: Any) -> str | None:
    """Why `value` does not fit the typed param `name` (None when it fits)."""
    hint = typing.get_type_hints(params_type).get(name)
    if hint is None:
        known = ", ".join(sorted(f.name for f in dataclasses.fields(params_type))) or "none"
        return f"unknown param (known: {known})"
    if not _type_ok(value, hint):
        from linter.config.file import show_value

        return f"expected {_type_name(hint)}, got {show_value(value)}"
    return None


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(_type_ok(value, arg) for arg in typing.get_args(hint))
    if origin in (tuple, list):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return isinstance(value, (list, tuple)) and all(_type_ok(v, args[0]) for v in value) if args else True
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is type(None):
        return value is None
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def param_json_schema(hint: Any) -> dict[str, Any]:
    """The JSON Schema of what `param_type_error` accepts for a param typed
    `hint` (for editors: `schemas/config.schema.json`)."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return {"anyOf": [param_json_schema(arg) for arg in typing.get_args(hint)]}
    if origin in (tuple, list):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return {"type": "array", "items": param_json_schema(args[0])} if args else {"type": "array"}
    names = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null", dict: "object", list: "array"}
    return {"type": names[hint]} if hint in names else {}


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        return f"list of {_type_name(typing.get_args(hint)[0])}"
    return {int: "integer", float: "number", str: "string", bool: "boolean"}.get(hint, str(hint))
