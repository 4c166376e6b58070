"""`include` for line-oriented configs (Redis `include`, PostgreSQL `include`,
`include_if_exists`, `include_dir`): the effective directive list of a main
file with every file it includes inlined where the include line stands.

Targets resolve against the including file's directory, are read through
`loader.load` (confined to the scanned root, parsed once per run) and bounded
by the workspace's include limits; cycles, escapes out of the root, missing
files and exceeded limits are `IncludeProblem`s at the include line's
argument, which the format's rules report. Scanned files another scanned file
includes are linted only inside that includer's tree.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.embedding import embedding_of
from linter.core.model import ParsedFile, Span
from linter.formats.common.lines import Line, Token

if TYPE_CHECKING:
    from linter.core.loader import Loader

_MAGIC = "*?["


@dataclass(frozen=True, slots=True)
class IncludeRequest:
    """What one include line asks for."""

    target: Token
    kind: str = "file"  # file | glob | dir
    optional: bool = False  # PostgreSQL `include_if_exists`
    suffix: str = ""  # `dir`: only files ending with it (PostgreSQL reads `*.conf`)


@dataclass(frozen=True, slots=True)
class IncludeProblem:
    kind: str  # missing | outside | cycle | limit | unreadable | absolute | not-followed
    message: str
    span: Span
    target: str

    @property
    def warning(self) -> bool:
        """Content deploylint cannot see rather than a broken config."""
        return self.kind in ("absolute", "not-followed")

    @property
    def logical(self) -> str:
        return f"include/{self.kind}/{self.target}"


@dataclass
class ConfigTree:
    """A main file with its includes inlined: every directive in the order
    the program reads them (the last of a name wins), and every file read."""

    main: ParsedFile
    lines: list[Line] = field(default_factory=list)
    files: list[ParsedFile] = field(default_factory=list)
    problems: list[IncludeProblem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """Whether the main file was read at all: one that is binary or could
        not be read has no document, and nothing to judge but its DL001."""
        return bool(self.main.documents)

    @property
    def hides_content(self) -> bool:
        """Whether some include could not be followed (a cycle's file is read
        already): a setting the files read do not hold may be set there, so
        nothing is judged on its absence."""
        return any(problem.kind != "cycle" for problem in self.problems)

    def all(self, name: str) -> list[Line]:
        return [line for line in self.lines if line.key == name]

    def last(self, name: str) -> Line | None:
        for line in reversed(self.lines):
            if line.key == name:
                return line
        return None

    def value(self, name: str, default: str = "") -> str:
        line = self.last(name)
        return line.arg(0, default) if line is not None else default

    @property
    def start(self) -> Span:
        """Where a finding about something the tree does not set points: the
        main file's first directive (it moves with the configuration when
        comments are added above it), else the file's first line."""
        return first_directive(self.main)


def first_directive(parsed: ParsedFile) -> Span:
    lines = lines_of(parsed)
    if lines:
        return lines[0].name.span
    held = embedding_of(parsed)  # a config of comments only held in a manifest: its value's start, not the manifest's
    value = held.value if held is not None else None
    return Span.point(value.file, value.line, value.column) if value is not None else Span.start(parsed.path)


RequestOf = Callable[[Line], IncludeRequest | None]


def lines_of(parsed: ParsedFile) -> list[Line]:
    lines: list[Line] = parsed.meta.get("lines", [])
    return lines


class TreeBuilder:
    """Expands one main file; `fmt` is the format its targets are parsed as."""

    def __init__(self, loader: Loader, fmt: str, request_of: RequestOf) -> None:
        self.loader = loader
        self.fmt = fmt
        self.request_of = request_of
        self.limits = loader.workspace.limits

    def build(self, main: ParsedFile) -> ConfigTree:
        tree = ConfigTree(main, files=[main])
        self._fill(tree, main, [os.path.realpath(main.source.abspath)])
        return tree

    def _fill(self, tree: ConfigTree, parsed: ParsedFile, chain: list[str]) -> None:
        for line in lines_of(parsed):
            request = self.request_of(line)
            if request is None:
                tree.lines.append(line)
                continue
            base = Path(parsed.source.abspath).absolute().parent
            for target in self._targets(tree, request, base):
                self._include(tree, request, target, chain)

    def _problem(self, tree: ConfigTree, request: IncludeRequest, kind: str, message: str) -> None:
        tree.problems.append(IncludeProblem(kind, message, request.target.span, request.target.value))

    def _targets(self, tree: ConfigTree, request: IncludeRequest, base: Path) -> list[Path]:
        pattern = request.target.value
        ws = self.loader.workspace
        if os.path.isabs(pattern) and not request.optional:
            # A path on the server (an image's /etc/redis/, a mounted volume): not the repository's to read.
            message = f"include '{pattern}' is an absolute path on the server; its content is not checked"
            self._problem(tree, request, "absolute", message)
            return []
        if os.path.isabs(pattern):
            return []
        full = Path(os.path.normpath(base / pattern))
        listed = full if request.kind == "dir" else _fixed_dir(full) if request.kind == "glob" else full
        if ws.confined(listed) is None:
            if request.optional and not _present(listed):
                return []
            self._problem(tree, request, "outside", f"include '{pattern}' points outside the scanned root; not read")
            return []
        if request.kind == "glob" and any(c in pattern for c in _MAGIC):
            return sorted(Path(m) for m in glob.glob(str(full)) if os.path.isfile(m))
        if request.kind == "dir":
            if not _is_dir(full):
                self._problem(tree, request, "missing", f"included directory '{pattern}' not found (looked for {ws.display_path(full)})")
                return []
            names = sorted(n for n in os.listdir(full) if n.endswith(request.suffix) and not n.startswith("."))
            return [full / n for n in names if (full / n).is_file()]
        if not _present(full):
            if not request.optional:
                self._problem(tree, request, "missing", f"included file '{pattern}' not found (looked for {ws.display_path(full)})")
            return []
        return [full]

    def _include(self, tree: ConfigTree, request: IncludeRequest, path: Path, chain: list[str]) -> None:
        ws = self.loader.workspace
        pattern = request.target.value
        real = ws.confined(path)
        if real is None:
            self._problem(tree, request, "outside", f"include '{pattern}': {ws.display_path(path)} resolves outside the scanned root; not read")
            return
        if str(real) in chain:
            cycle = " -> ".join(ws.display_path(Path(p)) for p in [*chain[chain.index(str(real)):], str(real)])
            self._problem(tree, request, "cycle", f"include cycle: {cycle}")
            return
        if len(chain) > self.limits.max_include_depth:
            message = f"includes nested deeper than {self.limits.max_include_depth} levels (max_include_depth); not read"
            self._problem(tree, request, "limit", message)
            return
        if len(tree.files) > self.limits.max_includes:
            self._problem(tree, request, "limit", f"more than {self.limits.max_includes} included files (max_includes); not read")
            return
        if sum(len(f.source.text) for f in tree.files) > self.limits.max_include_bytes:
            message = f"included files exceed {self.limits.max_include_bytes:,} bytes (max_include_bytes); not read"
            self._problem(tree, request, "limit", message)
            return
        loaded = self.loader.load(path, self.fmt)
        if not isinstance(loaded, ParsedFile):
            self._problem(tree, request, "unreadable", f"included file '{pattern}' could not be read: {loaded.message}")
            return
        if all(f is not loaded for f in tree.files):
            tree.files.append(loaded)
        self._fill(tree, loaded, [*chain, str(real)])


def build_trees(parsed: list[ParsedFile], builder: TreeBuilder) -> list[ConfigTree]:
    """One tree per scanned file that no other scanned file includes (files
    only included by each other, a cycle, are each their own tree)."""
    scanned = sorted(parsed, key=lambda p: p.path)
    trees = {p.path: builder.build(p) for p in scanned}
    included = {f.path for path, tree in trees.items() for f in tree.files if f.path != path}
    mains = [trees[p.path] for p in scanned if p.path not in included]
    claimed = {f.path for tree in mains for f in tree.files}
    for p in scanned:
        if p.path not in claimed:
            mains.append(trees[p.path])
            claimed.update(f.path for f in trees[p.path].files)
    return mains


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _present(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return False


def _fixed_dir(pattern: Path) -> Path:
    """The directory part of a glob before its first wildcard."""
    parts = []
    for part in pattern.parts:
        if any(c in part for c in _MAGIC):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")
