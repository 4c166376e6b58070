"""Which files to lint, and in which format.

Detection looks at the name first and the content second (design §1). Unknown
files are skipped silently; a file named explicitly whose format cannot be
told is reported by the caller.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .parsers.clickhouse_names import SERVER_KEYS, USERS_KEYS

FORMATS = ("kubernetes", "nginx", "clickhouse", "env")

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache",
)

_YAML_SUFFIXES = (".yaml", ".yml", ".json")
_K8S_API = re.compile(r'^\s*(?:-\s+)?"?apiVersion"?\s*:', re.M)
_K8S_KIND = re.compile(r'^\s*(?:-\s+)?"?kind"?\s*:', re.M)
_JSON_API = re.compile(r'"apiVersion"\s*:')
_JSON_KIND = re.compile(r'"kind"\s*:')
_NGINX_HINT = re.compile(r"^\s*(?:server|http|events|upstream|stream)\s*\{|^\s*location\s+[^;{]*\{|^\s*(?:listen|server_name|proxy_pass|add_header)\s", re.M)
# nginx fragments (conf.d/, sites-*/, snippets/) often hold only a few
# directives: a known directive family ending with ';' identifies them.
_NGINX_FRAGMENT_HINT = re.compile(
    r"^\s*(?:ssl_\w+|proxy_\w+|fastcgi_\w+|uwsgi_\w+|add_header\w*|server_tokens|limit_req\w*|limit_conn\w*|"
    r"client_\w+|gzip\w*|include|error_page|access_log|error_log|keepalive_\w+|resolver|charset\w*)\s[^\n]*;\s*(?:#.*)?$",
    re.M,
)
_NGINX_FRAGMENT_DIRS = ("sites-available", "sites-enabled", "snippets")
_XML_ROOT = re.compile(r"<(clickhouse|yandex)[\s>/]")
_CLICKHOUSE_OVERRIDE_DIRS = ("config.d", "users.d", "conf.d")
_CLICKHOUSE_KEYS = SERVER_KEYS | USERS_KEYS
_YAML_TOP_KEY = re.compile(r"""^["']?([A-Za-z_][\w.-]*)["']?\s*:""", re.M)
_TEMPLATE_ENV = (".env.example", ".env.sample", ".env.template", ".env.dist")

SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class Candidate:
    abspath: str
    relpath: str  # relative to the root, '/'-separated
    format: str | None  # None: unknown (the caller decides whether that is an error)
    explicit: bool  # named on the command line rather than found by walking


def env_role(name: str) -> str | None:
    """'deployable' / 'template' for env-file names, None for other files."""
    lower = name.lower()
    if lower == ".envrc":
        return None
    if lower.endswith(".dist") and ".env" in lower:
        return "template"
    if lower in _TEMPLATE_ENV or any(lower.startswith(t + ".") for t in _TEMPLATE_ENV):
        return "template"
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        stem = lower.removesuffix(".env")
        if any(w in stem for w in ("example", "sample", "template")):
            return "template"
        return "deployable"
    return None


def detect_format(path: Path, head: str | None) -> str | None:
    """The format of a file from its name and (if given) the start of its text."""
    name = path.name.lower()
    if env_role(name) is not None:
        return "env"
    if head is None:
        return None
    head = head.removeprefix("\ufeff")  # a BOM would hide a first-line `apiVersion:`
    if name.endswith(_YAML_SUFFIXES):
        if name.endswith(".json") and _JSON_API.search(head) and _JSON_KIND.search(head):
            return "kubernetes"  # compact JSON keeps every key on one line
        if _K8S_API.search(head) and _K8S_KIND.search(head):
            return "kubernetes"
        if not name.endswith(".json") and _clickhouse_override(path, head):
            return "clickhouse"  # the server merges config.d/*.yaml like *.xml
        return None
    if name.endswith(".xml"):
        if _XML_ROOT.search(_strip_xml_comments(head)) or _clickhouse_override(path, head):
            return "clickhouse"
        return None
    if name.endswith(".conf") and _clickhouse_override(path, head):
        return "clickhouse"
    parts = {p.lower() for p in path.parts}
    if name.endswith(".conf") or name == "nginx.conf" or name.endswith(".nginx"):
        if name == "nginx.conf" or any("nginx" in p for p in parts) or _NGINX_HINT.search(head) or _NGINX_FRAGMENT_HINT.search(head):
            return "nginx"
    elif "." not in name and parts & set(_NGINX_FRAGMENT_DIRS) and (_NGINX_HINT.search(head) or _NGINX_FRAGMENT_HINT.search(head)):
        return "nginx"  # Debian-style sites-available/default
    return None


def _clickhouse_override(path: Path, head: str) -> bool:
    """A file in a ClickHouse override folder: XML whatever its root (a wrong
    root is itself a finding: the server refuses to merge it), YAML holding a
    ClickHouse element, or any file the server merges beside a ClickHouse main
    config (a broken one must be reported, not skipped)."""
    folder = path.parent
    if folder.name.lower() not in _CLICKHOUSE_OVERRIDE_DIRS:
        return False
    if path.name.lower().endswith((".yaml", ".yml")):
        if _clickhouse_yaml_keys(head):
            return True
    elif head.lstrip("\ufeff \t\r\n").startswith("<"):
        return True
    return _beside_clickhouse_main(folder)


def _clickhouse_yaml_keys(head: str) -> bool:
    return any(m.group(1) in _CLICKHOUSE_KEYS for m in _YAML_TOP_KEY.finditer(head))


def _beside_clickhouse_main(folder: Path) -> bool:
    """Whether the override folder sits next to a ClickHouse config.xml / users.xml
    (or its YAML form)."""
    for stem in ("config", "users"):
        for suffix in (".xml", ".yaml", ".yml"):
            main = folder.parent / (stem + suffix)
            head = read_head(str(main)) if main.is_file() else None
            if head is None:
                continue
            if _XML_ROOT.search(_strip_xml_comments(head)) if suffix == ".xml" else _clickhouse_yaml_keys(head):
                return True
    return False


def _strip_xml_comments(text: str) -> str:
    return re.sub(r"<!--.*?(-->|$)", "", text, flags=re.S)


def needs_content(path: Path) -> bool:
    name = path.name.lower()
    if "." not in name and path.parent.name.lower() in _NGINX_FRAGMENT_DIRS:
        return True
    return name.endswith(_YAML_SUFFIXES + (".xml", ".conf", ".nginx"))


def read_head(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return None


def is_excluded(relpath: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """A pattern without `/` matches any path component (`node_modules`, `*.bak`);
    one with `/` matches the path, or a directory the path lies under."""
    return _ExcludeMatcher.of(tuple(patterns)).matches(relpath)


class _ExcludeMatcher:
    """A set of exclude patterns compiled once: discovery asks about every file
    and directory, so plain names are a set lookup and globs one regex each."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.names: set[str] = set()
        name_globs: list[str] = []
        path_globs: list[str] = []
        for pattern in patterns:
            bare = pattern.rstrip("/")
            if "/" in bare:
                path_globs += [pattern, bare + "/*"]
            elif any(c in bare for c in "*?["):
                name_globs.append(bare)
            else:
                self.names.add(bare)
        self.name_glob = _any_of(name_globs)
        self.path_glob = _any_of(path_globs)

    @staticmethod
    @functools.lru_cache(maxsize=32)
    def of(patterns: tuple[str, ...]) -> _ExcludeMatcher:
        return _ExcludeMatcher(patterns)

    def matches(self, relpath: str) -> bool:
        parts = relpath.split("/")
        if not self.names.isdisjoint(parts):
            return True
        if self.name_glob is not None and any(self.name_glob.match(p) for p in parts):
            return True
        return self.path_glob is not None and self.path_glob.match(relpath) is not None


def _any_of(globs: list[str]) -> re.Pattern[str] | None:
    """One regex matching what any of the globs matches (as fnmatchcase does)."""
    return re.compile("|".join(fnmatch.translate(g) for g in globs)) if globs else None


def _helm_chart_template(path: Path, root: Path) -> bool:
    """Files under a chart's templates/ are Go templates, not manifests."""
    if "templates" not in path.parts:
        return False
    for parent in path.parents:
        if (parent / "Chart.yaml").is_file():
            return True
        if parent == root or parent == parent.parent:
            break
    return False


def relative(path: Path, root: Path) -> str:
    try:
        return shown(path.relative_to(root))
    except ValueError:
        return shown(path)


def shown(path: Path) -> str:
    """A path as users see it: '/'-separated, and the bytes of a file name that is
    not UTF-8 as `\\xNN` (a raw one would break every UTF-8 report)."""
    return path.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(
    paths: list[str],
    root: Path,
    *,
    excludes: tuple[str, ...] | list[str] = (),
    format_hint: str | None = None,
) -> list[Candidate]:
    """Walk `paths` (files or directories) and classify every file found.

    Symlinks are never followed out of `root`; directories named in the default
    excludes are not entered.
    """
    all_excludes = tuple(DEFAULT_EXCLUDES) + tuple(excludes)
    seen: set[str] = set()
    found: list[Candidate] = []
    real_root = root.resolve()
    cwd = Path.cwd()

    def add(file: Path, explicit: bool) -> None:
        absolute = file if file.is_absolute() else cwd / file  # one getcwd per run, not per file
        rel = relative(absolute, root)
        if rel in seen:
            return
        if is_excluded(rel, excludes if explicit else all_excludes):  # a named file may be in .venv/, not in an exclude
            return
        try:
            # A walk from a confined start never enters a linked directory, so
            # only links, and paths named on the command line (which may pass
            # through a linked directory), need resolving: the rest costs one stat.
            real = file.resolve() if explicit or file.is_symlink() else file
            regular = real.is_file()
        except (OSError, RuntimeError, ValueError):  # RuntimeError: a symlink loop
            return
        if not regular:
            return  # FIFOs, sockets, devices: reading one could block forever
        if (explicit or real is not file) and not real.is_relative_to(real_root):
            return  # never follow a link (to the file or any directory above it) out of the scanned root
        seen.add(rel)
        if format_hint:
            fmt: str | None = format_hint
        else:
            head = read_head(str(file)) if needs_content(file) else None
            fmt = detect_format(file, head)
            if fmt == "kubernetes" and _helm_chart_template(absolute, root):
                fmt = None
        if fmt is None and not explicit:
            return
        found.append(Candidate(str(absolute), rel, fmt, explicit))

    for raw in paths:
        start = Path(raw)
        if start.is_file():
            add(start, explicit=True)
            continue
        if not start.is_dir():
            from .errors import UsageError

            raise UsageError(f"no such file or directory: {raw}")
        try:
            if not start.resolve().is_relative_to(real_root):
                continue  # a named directory that is (or passes through) a link out of the root
        except (OSError, RuntimeError):
            continue
        for dirpath, dirnames, filenames in os.walk(start, followlinks=False):
            base = Path(dirpath)
            dirnames[:] = sorted(
                d for d in dirnames
                if not is_excluded(relative(base / d if base.is_absolute() else cwd / base / d, root), all_excludes)
                and not ((base / d).is_symlink())
            )
            for name in sorted(filenames):
                add(base / name, explicit=False)
    found.sort(key=lambda c: c.relpath)
    return found

