"""Recognising ClickHouse server and users configs and their overrides."""

from __future__ import annotations

import re
from pathlib import Path

from linter.core.discover import read_head
from linter.formats.clickhouse.names import SERVER_KEYS, USERS_KEYS

_XML_ROOT = re.compile(r"<(clickhouse|yandex)[\s>/]")
_OVERRIDE_DIRS = ("config.d", "users.d", "conf.d")
_KEYS = SERVER_KEYS | USERS_KEYS
_YAML_TOP_KEY = re.compile(r"""^["']?([A-Za-z_][\w.-]*)["']?\s*:""", re.M)
_YAML_SUFFIXES = (".yaml", ".yml")


def wants_content(path: Path) -> bool:
    return path.name.lower().endswith((*_YAML_SUFFIXES, ".xml", ".conf"))


def is_clickhouse(path: Path, head: str) -> bool:
    name = path.name.lower()
    if name.startswith("."):
        return False  # the server never reads dot-files (`config.d/.gitkeep.xml`, editors' backups)
    if name.endswith(".xml"):
        return bool(_XML_ROOT.search(_strip_xml_comments(head))) or _override(path, head)
    # the server merges config.d/*.yaml like *.xml
    return name.endswith((*_YAML_SUFFIXES, ".conf")) and _override(path, head)


def _override(path: Path, head: str) -> bool:
    """A file in a ClickHouse override folder: XML whatever its root (a wrong
    root is itself a finding: the server refuses to merge it), YAML holding a
    ClickHouse element, or any file the server merges beside a ClickHouse main
    config (a broken one must be reported, not skipped)."""
    folder = path.parent
    if folder.name.lower() not in _OVERRIDE_DIRS:
        return False
    if path.name.lower().endswith(_YAML_SUFFIXES):
        if _yaml_keys(head):
            return True
    elif head.lstrip("\ufeff \t\r\n").startswith("<"):
        return True
    return _beside_main(folder)


def _yaml_keys(head: str) -> bool:
    return any(m.group(1) in _KEYS for m in _YAML_TOP_KEY.finditer(head))


def _beside_main(folder: Path) -> bool:
    """Whether the override folder sits next to a ClickHouse config.xml / users.xml
    (or its YAML form)."""
    for stem in ("config", "users"):
        for suffix in (".xml", ".yaml", ".yml"):
            main = folder.parent / (stem + suffix)
            head = read_head(str(main)) if main.is_file() else None
            if head is None:
                continue
            if _XML_ROOT.search(_strip_xml_comments(head)) if suffix == ".xml" else _yaml_keys(head):
                return True
    return False


def _strip_xml_comments(text: str) -> str:
    return re.sub(r"<!--.*?(-->|$)", "", text, flags=re.S)
