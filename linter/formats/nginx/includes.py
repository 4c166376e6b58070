"""nginx `include` resolution and the assembly of lint units.

A unit is one configuration tree: a main file with every file it includes
inlined (each keeps its own positions). Relative includes resolve like nginx
resolves them against its configuration prefix: with `--nginx-prefix` against
that directory only; otherwise against the including file's directory, then
the main file's directory, then the nearest directory above holding an
`nginx.conf` (what the prefix is for a conf.d/ fragment). Globs expand in
sorted order and may match nothing. Absolute includes under a stock nginx
prefix (`/etc/nginx/` ...; repositories keep those files next to their
nginx.conf and copy them there at build) resolve against the main config's
directory (or `--nginx-prefix`); when the repository does not hold the target
it is a warning, not an error. Every target is confined to the scanned root
after resolving symlinks; cycles, depth and count limits stop inclusion.
Anything unresolved becomes a DL003 finding at the `include` directive, and
leaves the including level with content we cannot see (`Block.unseen`): the
known directives of a stock file (`mime.types`, `fastcgi_params` ...), else
anything, so what it may set is "unknown" there, never "missing".

A file of the tree that fails to parse is an opaque inclusion: the level that
includes it has content we cannot see (`Block.unseen`: what it may set are the
directive names its text mentions), and everything else is evaluated normally.
A main file with a syntax error keeps what was written before the error (the
levels open there have the rest of the file unseen); only a main file with
nothing readable skips the tree's rules.

Files that some scanned file includes are linted only in that includer's
context. A fragment nobody scanned includes is linted in the context of an
`nginx.conf` on disk that includes it (pre-commit passes only changed files),
else alone, with an unknown (opaque) parent context.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.embedding import embedding_of
from linter.core.model import ParsedFile, SourceFile, Span
from linter.core.units import LintUnit
from linter.formats.nginx.effective import Block
from linter.formats.nginx.syntax import Directive, names_in

if TYPE_CHECKING:
    from linter.core.loader import Loader

_MAGIC = "*?["
# Where stock nginx builds and packages keep their configuration.
NGINX_PREFIXES = ("/etc/nginx", "/usr/local/nginx/conf", "/usr/local/etc/nginx", "/opt/homebrew/etc/nginx")
UNPARSED = ("DL001", "DL005")  # problems that leave a file's content unknown
# Files nginx's packages ship beside nginx.conf, by name, and the only
# directives they hold: one the repository lacks hides nothing else.
STOCK_FILES = {
    "mime.types": frozenset({"types"}),
    "fastcgi_params": frozenset({"fastcgi_param"}),
    "fastcgi.conf": frozenset({"fastcgi_param"}),
    "uwsgi_params": frozenset({"uwsgi_param"}),
    "scgi_params": frozenset({"scgi_param"}),
    "koi-utf": frozenset({"charset_map"}),
    "koi-win": frozenset({"charset_map"}),
    "win-utf": frozenset({"charset_map"}),
}
MAIN_LEVEL = frozenset({"http", "events", "stream", "mail"})
HTTP_ONLY = frozenset({"server", "upstream", "map", "limit_req_zone", "limit_conn_zone", "geo", "split_clients", "log_format"})


@dataclass(frozen=True, slots=True)
class IncludeProblem:
    kind: str  # missing | not-in-repo | outside | cycle | limit
    message: str
    span: Span
    target: str

    @property
    def logical(self) -> str:
        return f"include/{self.kind}/{self.target}"

    @property
    def warning(self) -> bool:
        """A file that is not there (nginx would stop; or it lives only on the server)."""
        return self.kind in ("missing", "not-in-repo")


@dataclass
class NginxConfig:
    """A unit's model: the effective tree and what assembling it found."""

    root: Block
    files: list[ParsedFile]  # every file of the tree, in order of first inclusion
    problems: list[IncludeProblem] = field(default_factory=list)
    report_files: frozenset[str] = frozenset()  # files whose findings this unit reports
    broken: bool = False  # the main file has nothing readable: rules on the tree are skipped


def top_level_kind(directives: list[Directive]) -> tuple[str, bool]:
    """The context a file's top level is written for, and whether that is certain."""
    names = {d.name for d in directives}
    if names & MAIN_LEVEL:
        return "main", True
    if names & HTTP_ONLY:
        return "http", False
    return "server", False


class _Session:
    """Shared by every tree of one run: loaded files and failed-file stand-ins."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.workspace = loader.workspace
        self.failed: dict[str, ParsedFile] = {}
        prefix = loader.workspace.options.get("nginx_prefix")
        self.prefix = Path(os.path.normpath(Path(prefix).absolute())) if prefix else None
        self.stock_prefixes = [Path(p) for p in NGINX_PREFIXES] + ([self.prefix] if self.prefix else [])
        # --nginx-prefix stands for nginx's prefix when it is in the repository
        self.remap_base = self.prefix if self.prefix and loader.workspace.confined(self.prefix) is not None else None

    def load(self, path: Path) -> ParsedFile:
        result = self.loader.load(path, "nginx")
        if isinstance(result, ParsedFile):
            return result
        key = str(path)
        if key not in self.failed:
            source = SourceFile(self.workspace.display_path(path), key, "")
            self.failed[key] = ParsedFile(source, "nginx", [], [result])
        return self.failed[key]

    def _conf_dirs(self, start: Path) -> list[Path]:
        """Directories from `start` up to the root that hold an nginx.conf, nearest first."""
        root = self.workspace.root.absolute()
        found = []
        for directory in [start, *start.parents]:
            if directory != root and root not in directory.parents:
                break
            conf = directory / "nginx.conf"
            if conf.is_file() and self.workspace.confined(conf) is not None:
                found.append(directory)
            if directory == root:
                break
        return found

    def conf_dir(self, start: Path) -> Path | None:
        """The nearest directory at or above `start` (within the root) holding an nginx.conf."""
        dirs = self._conf_dirs(start)
        return dirs[0] if dirs else None

    def configs_above(self, start: Path) -> list[ParsedFile]:
        """The parsed nginx.conf files at or above `start` within the root, nearest first."""
        configs = []
        for directory in self._conf_dirs(start):
            loaded = self.loader.load(directory / "nginx.conf", "nginx")
            if isinstance(loaded, ParsedFile):
                configs.append(loaded)
        return configs


class TreeBuilder:
    """Builds one configuration tree from a main file, inlining includes."""

    def __init__(self, session: _Session, main: ParsedFile) -> None:
        self.session = session
        self.main = main
        self.files: list[ParsedFile] = []
        self.problems: list[IncludeProblem] = []
        self.count = 0
        self.bytes = 0
        self.stopped = False
        main_dir = Path(main.source.abspath).absolute().parent
        self.bases = [main_dir]
        conf_dir = session.conf_dir(main_dir)
        if conf_dir is not None and conf_dir not in self.bases:
            self.bases.append(conf_dir)
        directives: list[Directive] = main.meta.get("directives", [])
        held = embedding_of(main)
        # A held fragment says where it is pasted (an ingress-nginx snippet:
        # into a location the controller writes); else its text tells.
        self.context = held.context if held is not None else ""
        self.kind, self.certain = (self.context, False) if self.context else top_level_kind(directives)
        # What stands for nginx's prefix in the repository: the main config's directory.
        self.config_dir = main_dir if self.certain or conf_dir is None else conf_dir

    def build(self) -> NginxConfig:
        root = Block(self.kind, None, opaque=not self.certain)
        if self.context:
            root.add_unseen(None)  # the level it is pasted into holds what its generator writes there
        self._add_file(self.main)
        if _unparsed(self.main):
            if not self.main.meta.get("partial"):
                return NginxConfig(root, self.files, self.problems, broken=True)
            root.add_unseen(self.main.meta.get("unseen"))  # what follows the syntax error
        self._fill(root, self.main.meta.get("directives", []), self.main, [self._real(self.main)])
        return NginxConfig(root, self.files, self.problems)

    @staticmethod
    def _real(parsed: ParsedFile) -> str:
        return os.path.realpath(parsed.source.abspath)

    def _add_file(self, parsed: ParsedFile) -> None:
        if all(f is not parsed for f in self.files):
            self.files.append(parsed)

    def _fill(self, block: Block, directives: list[Directive], file: ParsedFile, chain: list[str]) -> None:
        for d in directives:
            if d.name == "include" and d.block is None and d.args:
                reported = len(self.problems)
                targets = self._resolve(d, file, chain)
                if self.stopped or len(self.problems) > reported:  # not (or not all) followed
                    block.add_unseen(stock_content(d.args[0].value))
                for target in targets:
                    self._add_file(target)
                    if _unparsed(target):  # an opaque inclusion: its DL001 says why
                        block.add_unseen(names_in(target.source.text) if target.source.text else None)
                        continue
                    self._fill(block, target.meta.get("directives", []), target, chain + [self._real(target)])
            elif d.block is not None:
                child = Block(d.name, d, block)
                if d.truncated:  # cut short by the file's syntax error
                    child.add_unseen(file.meta.get("unseen"))
                block.children.append(child)
                self._fill(child, d.block, file, chain)
            else:
                block.directives.append(d)

    def _problem(self, kind: str, message: str, d: Directive, target: str) -> None:
        self.problems.append(IncludeProblem(kind, message, d.args[0].span, target))

    def _bases(self, file: ParsedFile) -> list[Path]:
        if self.session.prefix is not None:
            return [self.session.prefix]
        own = Path(file.source.abspath).absolute().parent
        return [own] + [b for b in self.bases if b != own]

    def _resolve(self, d: Directive, file: ParsedFile, chain: list[str]) -> list[ParsedFile]:
        pattern = d.args[0].value
        if self.stopped:
            return []
        is_glob = any(c in pattern for c in _MAGIC)
        if os.path.isabs(pattern):
            absolute = Path(os.path.normpath(pattern))
            remapped = self._remap(absolute)
            candidates = [absolute] if remapped is None else [absolute, remapped]
        else:
            candidates = [Path(os.path.normpath(b / pattern)) for b in self._bases(file)]
        found = self._first_match(d, candidates, is_glob, chain)
        if found is None:
            self._unresolved(d, candidates, is_glob)
        return found or []

    def _unresolved(self, d: Directive, candidates: list[Path], is_glob: bool) -> None:
        """The DL003 for an include nothing was found for (none for a glob that
        matches nothing in a folder that exists: nginx accepts that too)."""
        pattern = d.args[0].value
        ws = self.session.workspace
        if os.path.isabs(pattern) and len(candidates) > 1:  # under a stock prefix
            remapped = candidates[1]
            looked_up = _fixed_dir(remapped) if is_glob else remapped
            if _present(looked_up) and ws.confined(looked_up) is None:
                where = ws.display_path(looked_up)
                self._problem(
                    "outside", f"include '{pattern}': {where} resolves outside the scanned root (symlink); not read", d, pattern
                )
                return
            if is_glob and _is_dir(looked_up):
                return
            what = f"nothing matches {ws.display_path(remapped)}" if is_glob else f"looked for {ws.display_path(remapped)}"
            message = f"include '{pattern}' is not in the repository ({what}); its content is not checked"
            self._problem("not-in-repo", message, d, pattern)
        elif ws.confined(_fixed_dir(candidates[0]) if is_glob else candidates[0]) is None:
            self._problem("outside", f"include '{pattern}' points outside the scanned root; not read", d, pattern)
        elif not is_glob:
            where = ws.display_path(candidates[0])
            self._problem("missing", f"included file '{pattern}' not found (looked for {where})", d, pattern)

    def _remap(self, path: Path) -> Path | None:
        """An absolute path under a stock nginx prefix, in the repository: under
        the main config's directory (or --nginx-prefix). None: no such prefix."""
        for prefix in self.session.stock_prefixes:
            if path != prefix and prefix in path.parents:
                return (self.session.remap_base or self.config_dir) / path.relative_to(prefix)
        return None

    def _first_match(self, d: Directive, candidates: list[Path], is_glob: bool, chain: list[str]) -> list[ParsedFile] | None:
        """The files of the first candidate inside the root that exists (a glob:
        that matches something); None when none does."""
        ws = self.session.workspace
        for full in candidates:
            if ws.confined(_fixed_dir(full) if is_glob else full) is None:
                continue
            if is_glob:
                matches = self._expand(d, full)
                if matches:
                    return self._load_all(d, matches, chain)
                if matches is None:  # over the bound: reported
                    return []
            elif _present(full):
                return self._load_all(d, [full], chain)
        return None

    def _expand(self, d: Directive, pattern: Path) -> list[Path] | None:
        """The files a glob matches, sorted, as nginx's glob() finds them, but
        listing only directories inside the root (a directory reached through a
        link out of it is reported by its name here, never listed), and at
        most `max_includes` directories at each step (links to `.` multiply
        them); None when that bound is hit (reported)."""
        ws = self.session.workspace
        bound = ws.limits.max_includes
        fixed = _fixed_dir(pattern)
        current = [fixed]
        for part in pattern.parts[len(fixed.parts):]:
            if len(current) > bound:  # directories to look in; the files found are bounded when loaded
                message = f"include '{d.args[0].value}' expands to more than {bound} paths (max_includes); not read"
                self._problem("limit", message, d, d.args[0].value)
                return None
            step: list[Path] = []
            for directory in current:
                if not any(c in part for c in _MAGIC):
                    step.append(directory / part)
                    continue
                step.extend(directory / name for name in self._listed(d, directory) if _glob_match(name, part))
            current = step
        return sorted(p for p in current if os.path.isfile(p))

    def _listed(self, d: Directive, directory: Path) -> list[str]:
        """The names in a directory inside the root (none, and a DL003, for one
        that resolves outside it)."""
        ws = self.session.workspace
        if not _is_dir(directory):
            return []
        if ws.confined(directory) is None:
            pattern = d.args[0].value
            where = ws.display_path(directory)
            self._problem("outside", f"include '{pattern}': {where} resolves outside the scanned root (symlink); not read", d, pattern)
            return []
        try:
            return os.listdir(directory)
        except OSError:
            return []

    def _load_all(self, d: Directive, paths: list[Path], chain: list[str]) -> list[ParsedFile]:
        ws = self.session.workspace
        limits = ws.limits
        loaded: list[ParsedFile] = []
        pattern = d.args[0].value
        for path in paths:
            real = ws.confined(path)
            if real is None:
                self._problem(
                    "outside",
                    f"include '{pattern}': {ws.display_path(path)} resolves outside the scanned root (symlink); not read",
                    d,
                    pattern,
                )
                continue
            if str(real) in chain:
                cycle = " -> ".join(ws.display_path(Path(p)) for p in chain[chain.index(str(real)) :] + [str(real)])
                self._problem("cycle", f"include cycle: {cycle}", d, pattern)
                continue
            if len(chain) > limits.max_include_depth:
                self._problem(
                    "limit",
                    f"includes nested deeper than {limits.max_include_depth} levels (max_include_depth); not read",
                    d,
                    pattern,
                )
                continue
            self.count += 1
            if self.count > limits.max_includes:
                self._problem(
                    "limit", f"more than {limits.max_includes} included files (max_includes); the rest is not read", d, pattern
                )
                self.stopped = True
                break
            parsed = self.session.load(path)
            self.bytes += len(parsed.source.text)
            if self.bytes > limits.max_include_bytes:
                self._problem(
                    "limit",
                    f"included files exceed {limits.max_include_bytes:,} bytes (max_include_bytes); the rest is not read",
                    d,
                    pattern,
                )
                self.stopped = True
                break
            loaded.append(parsed)
        return loaded


def stock_content(pattern: str) -> frozenset[str] | None:
    """What an include we could not follow may set: a stock file's known
    directives, else anything (None)."""
    return STOCK_FILES.get(pattern.rsplit("/", 1)[-1])


def _unparsed(parsed: ParsedFile) -> bool:
    return any(p.rule_id in UNPARSED for p in parsed.problems)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _present(path: Path) -> bool:
    """Whether a file (or a dangling link) is there; a name the OS cannot even
    look up (too long, ...) is simply not there."""
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return False


def _glob_match(name: str, part: str) -> bool:
    """fnmatch as glob() applies it: a wildcard does not match a leading dot."""
    if name.startswith(".") and not part.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, part)


def _fixed_dir(pattern: Path) -> Path:
    """The directory part of a glob before its first wildcard (what gets listed)."""
    parts = []
    for part in pattern.parts:
        if any(c in part for c in _MAGIC):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _unit(config: NginxConfig, files: list[ParsedFile]) -> LintUnit:
    config.report_files = frozenset(f.path for f in files)
    return LintUnit("nginx", files[0].path, files, config)


def assemble_units(parsed: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    """One unit per configuration tree; every scanned file reported exactly once."""
    session = _Session(loader)
    scanned = sorted(parsed, key=lambda p: p.path)
    trees = {p.path: TreeBuilder(session, p).build() for p in scanned}
    included: set[str] = set()
    for path, tree in trees.items():
        included.update(f.path for f in tree.files if f.path != path)
    claimed: set[str] = set()
    units: list[LintUnit] = []

    def take(files: list[ParsedFile]) -> list[ParsedFile]:
        mine = [f for f in files if f.path not in claimed]
        claimed.update(f.path for f in mine)
        return mine

    # Complete configurations first (they give included files their context).
    mains = [p for p in scanned if p.path not in included]
    mains.sort(key=lambda p: (trees[p.path].root.kind != "main", p.path))
    for main in mains + scanned:  # then leftovers (include cycles among fragments)
        if main.path in claimed:
            continue
        tree = trees[main.path]
        if tree.root.opaque and embedding_of(main) is None:  # a held file's context is its holder's, not a file on disk
            context = _context_on_disk(session, main)
            if context is not None:
                own = take([main] + [f for f in tree.files if f is not main])
                units.append(_unit(context, own))
                continue
        own = take(tree.files)
        if own and own[0] is main:
            units.append(_unit(tree, own))
    return units


def _context_on_disk(session: _Session, fragment: ParsedFile) -> NginxConfig | None:
    """The tree of an nginx.conf (in a directory at or above the fragment, within
    the root) that includes it; None when none does or that config is unreadable."""
    for conf in session.configs_above(Path(fragment.source.abspath).absolute().parent):
        if conf.path == fragment.path:
            continue
        tree = TreeBuilder(session, conf).build()
        if not tree.broken and any(f.path == fragment.path for f in tree.files):
            return tree
    return None
