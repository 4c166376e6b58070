"""The settings of a configuration file embedded in a ConfigMap value.

`application.yaml`, `config.json`, `app.properties`, `settings.ini`: each
scalar setting with its name and its 1-based position within the embedded
text. YAML and JSON are parsed (so a block indicator is not a value, and a
list of names is not a setting); properties, ini and anything unparsable are
read line by line as `name = value` or `name: value`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode
from linter.formats.common.yaml_tree import parse_yaml_documents

STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")
LINE_SUFFIXES = (".properties", ".ini", ".cfg", ".conf", ".env", ".toml")
# Programs, not settings: `token = os.environ["HF_TOKEN"]` is code. Only
# provider-shaped credentials are looked for in them.
PROGRAM_SUFFIXES = (".py", ".sh", ".bash", ".js", ".mjs", ".ts", ".rb", ".pl", ".lua", ".go", ".java", ".groovy", ".ps1", ".sql")

_LINE_SETTING = re.compile(r"[ \t]*([A-Za-z0-9_.\-]+)[ \t]*[:=][ \t]*(\S.*?)[ \t]*")
_COMMENT = re.compile(r"[ \t]*(?:[#;!]|//)")
# What opens a YAML block or flow collection: never a value of its own.
_COLLECTION_OPENER = re.compile(r"[|>][-+0-9]*(?:[ \t]+#.*)?|[\[{].*")


@dataclass(frozen=True, slots=True)
class Setting:
    name: str  # the setting's own key (`password`)
    path: str  # where it is (`spring.datasource.password`), for fingerprints
    value: str
    line: int  # 1-based, within the embedded text
    column: int
    width: int


def embedded_settings(file_name: str, text: str) -> list[Setting] | None:
    """The scalar settings of the config file `text` holds, read as the file
    `file_name` names; None when the value is no config file (one line under
    a plain key, or an opaque blob such as a certificate)."""
    name = file_name.lower()
    if name.endswith(PROGRAM_SUFFIXES):
        return []
    structured_name, line_name = name.endswith(STRUCTURED_SUFFIXES), name.endswith(LINE_SUFFIXES)
    if not (structured_name or line_name or "\n" in text.strip()):
        return None
    if not line_name:
        structured = _structured_settings(text, required=structured_name)
        if structured is not None:
            return structured
    settings = list(_line_settings(text))
    return settings if settings or structured_name or line_name else None


def _structured_settings(text: str, *, required: bool) -> list[Setting] | None:
    """YAML/JSON settings; None when the text is not such a file (unparsable,
    or, unless its name says so, a lone scalar)."""
    documents, problems = parse_yaml_documents(text, "")
    if any(p.rule_id != "DL004" for p in problems):
        return None
    trees = [d for d in documents if isinstance(d, (MappingNode, SequenceNode))]
    if not trees and not required:
        return None
    settings: list[Setting] = []
    for tree in trees:
        _collect(tree, "", settings)
    return settings


def _collect(node: Node, path: str, out: list[Setting]) -> None:
    if isinstance(node, MappingNode):
        for key, value in node.pairs:
            where = f"{path}.{key.text}" if path else key.text
            if isinstance(value, ScalarNode):
                if not isinstance(value.value, str):
                    continue  # a number, a switch or null: typed YAML/JSON says it is no secret
                width = max(value.span.end_column - value.span.column, 1) if value.span.end_line == value.span.line else 1
                out.append(Setting(key.text, where, value.text, value.span.line, value.span.column, width))
            else:
                _collect(value, where, out)
    elif isinstance(node, SequenceNode):
        # Scalars in a list are names or options, not a setting's value.
        for index, item in enumerate(node.items):
            if not isinstance(item, ScalarNode):
                _collect(item, f"{path}[{index}]", out)


def _line_settings(text: str) -> Iterator[Setting]:
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if _COMMENT.match(line):
            continue
        m = _LINE_SETTING.fullmatch(line)
        if m is None or _COLLECTION_OPENER.fullmatch(m.group(2)):
            continue
        value, column = m.group(2), m.start(2) + 1
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value, column = value[1:-1], column + 1
        yield Setting(m.group(1), m.group(1), value, number, column, max(len(value), 1))
