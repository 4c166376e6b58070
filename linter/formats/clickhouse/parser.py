"""ClickHouse XML configs: parse each file, then merge them like the server.

Each file becomes the shared positioned model following ClickHouse's own YAML
convention for configs: an element is a mapping keyed by child tag (repeated
children become a sequence under that key), attributes are `@name` keys, text
is a scalar (`#text` next to attributes or children). Lint units are merged
views (`ClickHouseConfig`): `config.xml` + `config.d/` + `conf.d/`,
`users.xml` + `users.d/` + `conf.d/`, in the server's order. An override
that cannot be read is left out of the merge (its DL001 says why); an element
it names may be set by it, so such an element's absence proves nothing.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, Node, ParsedFile, ParseProblem, ScalarNode, SequenceNode, SourceFile, Span
from linter.core.units import LintUnit
from linter.formats.clickhouse.merge import as_override, is_override, merge, roots_compatible
from linter.formats.clickhouse.names import SERVER_KEYS, USERS_KEYS
from linter.formats.clickhouse.xml import XmlElement, XmlLimits, parse_xml
from linter.formats.clickhouse.yaml import parse_yaml_config
from linter.formats.common.yaml_tree import yaml_limits

if TYPE_CHECKING:
    from linter.core.loader import Loader

FORMAT = "clickhouse"
YAML_SUFFIXES = (".yaml", ".yml")
MERGE_SUFFIXES = (".xml", ".conf") + YAML_SUFFIXES
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_NAME = re.compile(r"[A-Za-z_][\w.-]*")
# Words that let a file pull in elements it does not name (substitutions, includes).
_PULLS_IN = frozenset({"incl", "from_zk", "from_env", "include", "include_from"})


# --- one file -------------------------------------------------------------------------------

def element_model(element: XmlElement) -> Node:
    """An element as the shared model (ClickHouse's YAML-config convention)."""
    if not element.attributes and not element.children:
        if element.text_span is not None:
            return ScalarNode(element.text, element.text_span)
        return ScalarNode("", element.start)
    pairs: list[tuple[ScalarNode, Node]] = []
    for attribute in element.attributes.values():
        pairs.append((ScalarNode("@" + attribute.name, attribute.name_span), ScalarNode(attribute.value, attribute.value_span)))
    groups: dict[str, list[XmlElement]] = {}
    for child in element.children:
        groups.setdefault(child.tag, []).append(child)
    for tag, members in groups.items():
        key = ScalarNode(tag, members[0].start)
        if len(members) == 1:
            pairs.append((key, element_model(members[0])))
            continue
        items = []
        for member in members:
            item = element_model(member)
            item.key = ScalarNode(tag, member.start)  # each repeat keeps its own start tag
            items.append(item)
        first, last = members[0].span, members[-1].span
        pairs.append((key, SequenceNode(items, Span(first.file, first.line, first.column, last.end_line, last.end_column))))
    if element.text_span is not None:
        pairs.append((ScalarNode("#text", element.text_span), ScalarNode(element.text, element.text_span)))
    return MappingNode(pairs, element.span)


def parse(source: SourceFile, loader: Loader) -> ParsedFile:
    if (source.held_as or source.path).lower().endswith(YAML_SUFFIXES):  # the server reads config.d/*.yaml too
        limits = yaml_limits(loader.workspace.limits)
        documents, yaml_root, problems = parse_yaml_config(source.text, source.path, limits)
        parsed = ParsedFile(source, FORMAT, documents, problems)
        if yaml_root is not None:
            parsed.meta["element"] = yaml_root
        return parsed
    root, problems = parse_xml(source.text, source.path, XmlLimits(loader.workspace.limits.max_depth, loader.workspace.limits.max_xml_elements))
    parsed = ParsedFile(source, FORMAT, [], problems)
    if root is not None:
        parsed.meta["element"] = root
        parsed.documents.append(element_model(root))
    return parsed


def declared_encoding(data: bytes) -> str | None:
    """The encoding an XML file declares (its prolog or a UTF-16 byte order mark):
    the server's XML parser reads the file in it."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _DECLARED_ENCODING.match(data)
    return match.group(1).decode("ascii") if match is not None else None


# --- merged views ---------------------------------------------------------------------------

@dataclass(slots=True)
class ClickHouseConfig:
    """What the server sees for one main file (or for lone fragments)."""

    root: MappingNode | None  # the merged model; None when the main file did not parse
    element: XmlElement | None
    files: list[str]  # display paths, in merge order
    roles: frozenset[str]  # "server" (config.xml-like), "users" (users.xml-like)
    complete: bool  # the main file and every override were merged: absence means absence
    reportable: frozenset[str]  # display paths whose findings are reported in this run
    server: ClickHouseConfig | None = None  # for users configs: the server config using them
    name: str = ""  # the main file's name (config.xml, users.xml) or the fragments' folder
    # Element names that overrides which could not be read may set (None: any name).
    unread_names: frozenset[str] | None = None
    held: tuple[ParsedFile, ...] = ()  # the ConfigMap keys merged, for a config held in a manifest (held.py)
    # The files on disk merged: a ConfigMap generated from one places it (their memory checks read it).
    placed: tuple[ParsedFile, ...] = ()

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def absence_known(self, *names: str) -> bool:
        """Whether elements named `names` that the merged config lacks are really
        missing: every file was merged, or those that were not never name them."""
        if self.complete:
            return True
        return self.unread_names is not None and not self.unread_names.intersection(names)


def names_written(parsed: ParsedFile | None) -> frozenset[str] | None:
    """Every name an unreadable override's text mentions: the elements it may
    set. None when it could set anything (no text, or a substitution/include)."""
    if parsed is None or not parsed.source.text:
        return None
    names = frozenset(_NAME.findall(parsed.source.text))
    return None if names & _PULLS_IN else names


class _Files:
    """Parsed files by absolute path, loading (confined) from disk on demand."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.workspace = loader.workspace
        self.cache: dict[str, ParsedFile | None] = {}

    def adopt(self, parsed: ParsedFile) -> ParsedFile:
        self.cache[parsed.source.abspath] = parsed
        return parsed

    def get(self, path: Path) -> ParsedFile | None:
        key = str(path)
        if key in self.cache:
            return self.cache[key]
        result: ParsedFile | None = None
        if path.is_file() and self.workspace.confined(path) is not None:
            loaded = self.loader.load(path, FORMAT)
            result = loaded if isinstance(loaded, ParsedFile) else None
        self.cache[key] = result
        return result


def listing(folder: Path) -> list[Path]:
    """A folder's entries; none when it cannot be listed (discovery reports that folder)."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def merge_files(main: Path) -> list[Path]:
    """The overrides the server merges onto `main`, in its order."""
    found: list[Path] = []
    for folder in sorted({main.with_suffix(".d"), main.parent / "conf.d"}):
        if not folder.is_dir():
            continue
        for entry in listing(folder):
            if entry.suffix.lower() in MERGE_SUFFIXES and not entry.stem.startswith(".") and entry.is_file():
                found.append(entry)
    return sorted(found, key=lambda p: p.parts)


def _mains_for(folder: Path) -> list[Path]:
    """Main files an override folder belongs to (conf.d serves every main file)."""
    stems = ["config", "users"] if folder.name == "conf.d" else [folder.name[: -len(".d")]]
    found = []
    for stem in stems:
        candidates = [folder.parent / (stem + suffix) for suffix in (".xml",) + YAML_SUFFIXES]
        found.extend([c for c in candidates if c.is_file()][:1])
    return found


def _roles(name: str, root: MappingNode | None) -> frozenset[str]:
    """config.xml is the server config and users.xml the users config; other
    names are told by what they hold. Like the server, config.xml is also the
    users config when it names no other (no users_config, no user_directories)
    and holds users or profiles itself."""
    stem = name.rsplit(".", 1)[0]  # config.xml, config.yaml, config.d -> config
    keys = set(root.keys()) if root is not None else set()
    if stem == "users":
        return frozenset({"users"})
    if stem == "config":
        own_users = keys & USERS_KEYS and not keys & {"users_config", "user_directories"}
        return frozenset({"server", "users"} if own_users else {"server"})
    roles = set()
    if keys & USERS_KEYS:
        roles.add("users")
    if keys & SERVER_KEYS:
        roles.add("server")
    return frozenset(roles)


class _Assembler:
    def __init__(self, parsed: list[ParsedFile], loader: Loader) -> None:
        self.files = _Files(loader)
        self.loader = loader
        self.workspace = loader.workspace
        self.discovered = {p.source.abspath: p for p in (self.files.adopt(p) for p in parsed)}
        self.views: dict[str, ClickHouseConfig] = {}

    def _display(self, path: str) -> str:
        parsed = self.files.cache.get(path)
        return parsed.path if parsed is not None else self.workspace.display_path(Path(path))

    def _reportable(self, paths: list[str]) -> frozenset[str]:
        return frozenset(self.discovered[p].path for p in paths if p in self.discovered)

    def view(self, main: Path) -> ClickHouseConfig:
        key = str(main)
        if key in self.views:
            return self.views[key]
        parsed = self.files.get(main)
        element = parsed.meta.get("element") if parsed is not None else None
        used = [key]
        complete = element is not None
        unread: frozenset[str] | None = frozenset()
        if element is not None and is_override(element):
            # A file carrying remove/replace is an override of a config we do
            # not see: judge what it leaves, and nothing can be known absent.
            element = as_override(element)
            complete, unread = False, None
        for override in merge_files(main):
            other = self.files.get(override)
            other_element = other.meta.get("element") if other is not None else None
            if element is None or other is None or other_element is None:
                complete = False  # an unreadable override: what it names may be set
                written = names_written(other)
                unread = None if written is None or unread is None else unread | written
                continue
            if not roots_compatible(element.tag, other_element.tag):
                _report_root_mismatch(other, other_element, element, parsed)
                continue
            element = merge(element, other_element)
            used.append(str(override))
        root = element_model(element) if element is not None else None
        view = ClickHouseConfig(
            root if isinstance(root, MappingNode) else None, element, [self._display(p) for p in used],
            _roles(main.name, root if isinstance(root, MappingNode) else None), complete, self._reportable(used), name=main.name,
            unread_names=unread if element is not None else None,
            placed=tuple(self.discovered[p] for p in used if p in self.discovered),
        )
        self.views[key] = view
        return view

    def lone_view(self, folder: Path, members: list[Path]) -> ClickHouseConfig:
        """Override fragments whose main file is absent: judged on what they set."""
        element: XmlElement | None = None
        used: list[str] = []
        for path in members:
            parsed = self.files.get(path)
            fragment = parsed.meta.get("element") if parsed is not None else None
            if fragment is None:
                continue
            if element is None:
                element = XmlElement(fragment.tag, fragment.start, fragment.span)
            element = merge(element, fragment)
            used.append(str(path))
        root = element_model(element) if element is not None else None
        mapping = root if isinstance(root, MappingNode) else None
        return ClickHouseConfig(
            mapping, element, [self._display(p) for p in used], _roles(folder.name, mapping), False,
            self._reportable(used), name=folder.name,
        )

    def server_for(self, users_main: Path, users: ClickHouseConfig) -> ClickHouseConfig | None:
        if users.has_role("server"):
            return users
        config = users_main.parent / "config.xml"
        if config == users_main or not config.is_file() or self.workspace.confined(config) is None:
            return None
        server = self.view(config)
        if server.root is None:
            return None
        named = server.root.path("users_config") or server.root.path("user_directories", "users_xml", "path")
        users_path = named.text if isinstance(named, ScalarNode) and named.text else "users.xml"
        return server if Path(users_path).name == users_main.name else None

    def units(self) -> list[LintUnit]:
        mains: dict[str, Path] = {}
        lone: dict[str, Path] = {}
        for key in self.discovered:
            path = Path(key)
            if path.parent.name.endswith(".d"):
                found = [m for m in _mains_for(path.parent) if self.workspace.confined(m) is not None]
                if found:
                    mains.update((str(m), m) for m in found)
                else:
                    lone[str(path.parent)] = path.parent
            else:
                mains[key] = path
        views: list[ClickHouseConfig] = []
        for main in mains.values():
            view = self.view(main)
            if view.has_role("users"):
                view.server = self.server_for(main, view)
            views.append(view)
        for folder in lone.values():
            members = sorted((p for p in (Path(k) for k in self.discovered) if p.parent == folder), key=lambda p: p.parts)
            siblings = [p for p in listing(folder) if p.suffix.lower() in MERGE_SUFFIXES and not p.stem.startswith(".")]
            views.append(self.lone_view(folder, sorted(set(members) | set(siblings), key=lambda p: p.parts)))
        return self._assign(views)

    def _assign(self, views: list[ClickHouseConfig]) -> list[LintUnit]:
        """One unit per view that touches a scanned file; each scanned file is
        owned by one unit (so file-wide rules see it once)."""
        by_display = {p.path: p for p in self.discovered.values()}
        owned: set[str] = set()
        units: list[LintUnit] = []
        for view in views:
            if not view.reportable:
                continue
            mine = [by_display[f] for f in view.files if f in view.reportable and f not in owned]
            owned.update(p.path for p in mine)
            files = mine or [by_display[min(view.reportable)]]
            units.append(LintUnit(FORMAT, files[0].path, files, view))
        for parsed in self.discovered.values():  # files no view could use (a failed main file)
            if parsed.path not in owned and not any(u.model is not None and parsed.path in u.model.reportable for u in units):
                units.append(LintUnit(FORMAT, parsed.path, [parsed], None))
        return units


def _report_root_mismatch(override: ParsedFile, element: XmlElement, main: XmlElement, main_file: ParsedFile | None) -> None:
    where = main_file.path if main_file is not None else "the main config"
    message = (
        f"root element <{element.tag}> does not match <{main.tag}> of {where}: "
        f"the server refuses to merge this file and does not start"
    )
    if not any(p.rule_id == "CH601" for p in override.problems):
        override.problems.append(ParseProblem("CH601", message, element.start, logical=f"root/{element.tag}"))


def build_units(parsed: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    return _Assembler(parsed, loader).units()
