"""ClickHouse configs held in a ConfigMap: the keys of one ConfigMap as one
installation. A key named `config.xml` (or .yaml) is the server config and
`users.xml` the users config; every other key is a fragment the server
merges as it merges `config.d/` and `users.d/`, told apart by what it holds,
in key order (the order the server reads a mounted folder in). The rest of
the installation is the image's own config, which the repository does not
hold: nothing can be known absent, so only what the keys set is judged.
"""

from __future__ import annotations

from pathlib import Path

from linter.core.embedding import embedding_of
from linter.core.model import MappingNode, ParsedFile
from linter.core.units import LintUnit
from linter.formats.clickhouse.merge import merge, roots_compatible
from linter.formats.clickhouse.parser import FORMAT, YAML_SUFFIXES, ClickHouseConfig, _roles, element_model
from linter.formats.clickhouse.xml import XmlElement

_MAINS = {f"{stem}{suffix}": stem for stem in ("config", "users") for suffix in (".xml", *YAML_SUFFIXES)}


def held_units(files: list[ParsedFile]) -> list[LintUnit]:
    """Units of the files one holder groups: a server config and a users config."""
    parts: dict[str, list[ParsedFile]] = {"config": [], "users": []}
    mains: dict[str, ParsedFile] = {}
    for parsed in sorted(files, key=_key):
        name = _key(parsed)
        element = parsed.meta.get("element")
        if name in _MAINS and _MAINS[name] not in mains:
            mains[_MAINS[name]] = parsed
        elif isinstance(element, XmlElement):
            roles = _roles(name, _mapping(element))
            parts["users" if roles == frozenset({"users"}) else "config"].append(parsed)
    units: list[LintUnit] = []
    views: dict[str, ClickHouseConfig] = {}
    for stem in ("config", "users"):
        members = ([mains[stem]] if stem in mains else []) + parts[stem]
        view = _view(stem, members)
        if view is not None:
            views[stem] = view
            units.append(LintUnit(FORMAT, members[0].path, members, view))
    users = views.get("users")
    if users is not None and not users.has_role("server"):
        users.server = views.get("config")
    owned = {id(f) for unit in units for f in unit.files}
    units += [LintUnit(FORMAT, f.path, [f], None) for f in files if id(f) not in owned]  # unparsed: its DL001 alone
    return units


def _key(parsed: ParsedFile) -> str:
    held = embedding_of(parsed)
    return held.name.lower() if held is not None else Path(parsed.path).name.lower()


def _mapping(element: XmlElement) -> MappingNode | None:
    model = element_model(element)
    return model if isinstance(model, MappingNode) else None


def _view(stem: str, members: list[ParsedFile]) -> ClickHouseConfig | None:
    element: XmlElement | None = None
    for parsed in members:
        fragment = parsed.meta.get("element")
        if not isinstance(fragment, XmlElement):
            continue
        if element is None:
            element = XmlElement(fragment.tag, fragment.start, fragment.span)
        if roots_compatible(element.tag, fragment.tag):
            element = merge(element, fragment)
    if element is None:
        return None
    root = _mapping(element)
    main = _key(members[0])
    name = main if main in _MAINS else f"{stem}.d"
    paths = [members[0].path]
    return ClickHouseConfig(root, element, paths, _roles(f"{stem}.xml", root), False, frozenset(paths), name=name,
                            held=tuple(members))
