"""Reading one configuration file: `.deploylint.yaml`, `[tool.deploylint]` in
`pyproject.toml`, or a preset. Validation against its shape (`schema.py`, the
source of `schemas/config.schema.json`) gives one exact line per mistake,
positioned like findings:

    .deploylint.yaml:7: rules.K8S301.params.min_replicas: expected integer, got "three"
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linter.core.errors import UsageError
from linter.core.model import MappingNode, Node, node_at

CONFIG_NAMES = (".deploylint.yaml", ".deploylint.yml")
PYPROJECT = "pyproject.toml"


@dataclass(slots=True)
class ConfigFile:
    """One file's configuration data, with what is needed to point at its lines."""

    path: Path
    display: str  # how messages name the file
    data: dict[str, Any]
    root: Node | None = None  # positioned tree (YAML); None for pyproject.toml
    text: str = ""

    def line_of(self, path: list[str | int], key: bool = False) -> int | None:
        """The line of the value (or with `key`, of the key) at a config path."""
        if self.root is not None:
            node = node_at(self.root, path[:-1] if key else path)
            if key and isinstance(node, MappingNode) and path:
                for k, _ in node.pairs:
                    if k.text == str(path[-1]):
                        return k.span.line
            return node.span.line if not key else (node.anchor_span.line)
        return _toml_line(self.text, path)

    def where(self, path: list[str | int], key: bool = False) -> str:
        line = self.line_of(path, key)
        return f"{self.display}:{line}" if line else self.display

    def error(self, path: list[str | int], message: str, key: bool = False) -> UsageError:
        dotted = ".".join(str(p) for p in path)
        return UsageError(f"{self.where(path, key)}: {dotted + ': ' if dotted else ''}{message}")


def _toml_line(text: str, path: list[str | int]) -> int | None:
    """Best effort: the line in `[tool.deploylint...]` where the path's last key is set."""
    keys = [str(p) for p in path if isinstance(p, str)]
    if not keys:
        return None
    inside = False
    key = re.escape(keys[-1])
    pattern = re.compile(rf'(^|[\s{{,])"?{key}"?\s*=|^\s*\[[^\]]*\b{key}"?\]')
    for number, line in enumerate(text.splitlines(), 1):
        header = line.strip()
        if header.startswith("["):
            inside = header.startswith("[tool.deploylint")
        if inside and pattern.search(line):
            return number
    return None


def find_config(start: Path) -> Path | None:
    """The nearest config walking up from `start`: `.deploylint.yaml` beats a
    `pyproject.toml` with a `[tool.deploylint]` table in the same directory. The
    walk stops at a repository root (a directory holding `.git`)."""
    directory = start.absolute()
    if not directory.is_dir():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        if has_config(candidate):
            return next((candidate / n for n in CONFIG_NAMES if (candidate / n).is_file()), candidate / PYPROJECT)
        if (candidate / ".git").exists():
            return None
    return None


def has_config(directory: Path) -> bool:
    """Whether a directory holds a config file of its own."""
    if any((directory / name).is_file() for name in CONFIG_NAMES):
        return True
    pyproject = directory / PYPROJECT
    return pyproject.is_file() and _has_tool_table(pyproject)


def _has_tool_table(path: Path) -> bool:
    try:
        return "[tool.deploylint" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def read_config(path: Path, display: str | None = None) -> ConfigFile:
    """Parse and validate one config file; UsageError names file, line and key."""
    display = display or _display(path)
    from linter.core.workspace import read_user_file

    if not path.exists():
        raise UsageError(f"{display}: config file not found")
    text = read_user_file(path, display, "config file")
    if path.name == PYPROJECT:
        config = _read_pyproject(path, display, text)
    else:
        config = _read_yaml(path, display, text)
    validate_config(config)
    return config


def _read_yaml(path: Path, display: str, text: str) -> ConfigFile:
    from linter.formats.common.yaml_tree import parse_yaml_documents

    documents, problems = parse_yaml_documents(text, display)
    if problems:
        p = problems[0]
        raise UsageError(f"{display}:{p.span.line}: {p.message}")
    if len(documents) > 1:
        raise UsageError(f"{display}:{documents[1].span.line}: a config file holds one YAML document")
    root = documents[0] if documents else None
    data = root.to_python() if root is not None else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{display}:1: a config file must be a mapping of settings")
    return ConfigFile(path, display, data, root, text)


def _read_pyproject(path: Path, display: str, text: str) -> ConfigFile:
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # Python 3.10
        raise UsageError(f"{display}: reading [tool.deploylint] needs Python 3.11+; use .deploylint.yaml") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{display}: invalid TOML: {exc}") from None
    data = document.get("tool", {}).get("deploylint", {})
    if not isinstance(data, dict):
        raise UsageError(f"{display}: [tool.deploylint] must be a table")
    return ConfigFile(path, display, data, None, text)


def _display(path: Path) -> str:
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def validate_config(config: ConfigFile) -> None:
    from linter.config.schema import structure
    from linter.core.checks.fastschema import compile_schema

    # A valid config (every run reads at least the default preset) needs no
    # jsonschema import; an invalid one gets jsonschema's detailed errors.
    if not any(True for _ in compile_schema(structure()).iter_errors(config.data)):
        return
    import jsonschema

    errors = sorted_errors(jsonschema.Draft202012Validator(structure()), config.data)
    if errors:
        path, message, at_key = describe_error(errors[0])
        raise config.error(path, message, key=at_key)


def sorted_errors(validator: Any, data: Any) -> list[Any]:
    """A jsonschema validator's errors for `data`, ordered by path so the first is stable."""
    return sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])


def describe_error(error: Any) -> tuple[list[str | int], str, bool]:
    """(config path, message, whether the line is the key's) for a jsonschema error."""
    path: list[str | int] = list(error.absolute_path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        # The branch that matched the value's shape failed deeper: report that.
        deeper = [e for e in error.context if e.relative_path or e.validator not in ("type", "enum")]
        if deeper and isinstance(error.instance, dict):
            return describe_error(min(deeper, key=lambda e: len(e.absolute_path)))
        alternatives = [_expected(e) for e in error.context if e.validator in ("type", "enum")]
        return path, f"expected {' or '.join(a for a in alternatives if a)}, got {show_value(error.instance)}", False
    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = min(set(error.instance) - set(known))
        hint = f" (known: {', '.join(known)})" if known else ""
        return path + [extra], f"unknown key{hint}", True
    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(error.instance, dict) and k not in error.instance]
        return path, f"missing required key '{missing[0] if missing else error.validator_value[0]}'", False
    if kind in ("type", "enum"):
        return path, f"expected {_expected(error)}, got {show_value(error.instance)}", False
    return path, error.message, False


def _expected(error: Any) -> str:
    if error.validator == "enum":
        return "one of " + ", ".join(str(v) for v in error.validator_value)
    kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    names: dict[str, str] = {"object": "a mapping", "array": "a list", "integer": "integer", "number": "number", "string": "string", "boolean": "boolean"}
    return " or ".join(names.get(str(k), str(k)) for k in kinds)


def show_value(value: Any) -> str:
    """A value the way the user wrote it (roughly), for error messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value, ensure_ascii=False)
