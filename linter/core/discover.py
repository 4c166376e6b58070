"""Which files to lint, and in which format.

Each format tells its files by name first and content second (`Format.detect`,
asked in the registry's order). Unknown files are skipped silently; a file
named explicitly whose format cannot be told is reported by the caller.
"""

from __future__ import annotations

import codecs
import fnmatch
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.core.format import FormatRegistry

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache",
)

SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class Candidate:
    abspath: str
    relpath: str  # relative to the root, '/'-separated
    format: str | None  # None: unknown (the caller decides whether that is an error)
    explicit: bool  # named on the command line rather than found by walking
    unreadable: str = ""  # a directory that could not be listed: why (its files are not linted)


def read_head(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return decode_head(fh.read(SNIFF_BYTES))
    except OSError:
        return None


# A byte order mark, or the UTF-16 form of "<" at the start (XML in UTF-16).
_UTF16_STARTS = ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"), (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))


def decode_head(data: bytes) -> str:
    """The start of a file as text for telling its format: UTF-8, or UTF-16 when
    it starts like UTF-16 (a config saved by a Windows editor is still a config)."""
    for start, encoding in _UTF16_STARTS:
        if data.startswith(start):
            return data[: len(data) // 2 * 2].decode(encoding, "replace")
    return data.decode("utf-8", "replace")


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
    formats: FormatRegistry,
    format_hint: str | None = None,
    respect_gitignore: bool = False,
    recursive: bool = True,
    texts: Mapping[str, str] | None = None,
) -> list[Candidate]:
    """Walk `paths` (files or directories) and classify every file found
    (in named directories only, without `recursive`). A file in `texts`
    (display path -> text linted in place of the file's) is told by that
    text, as it is parsed from it.

    Symlinks are never followed out of `root`; directories named in the default
    excludes are not entered, nor, with `respect_gitignore`, what git ignores
    (files named on the command line are linted all the same).
    """
    ignored = None
    if respect_gitignore and any(Path(p).is_dir() for p in paths):
        from linter.core.gitignore import git_ignored

        ignored = git_ignored(root)
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
            wanted = formats.wants_content(file)
            head = (texts[rel][:SNIFF_BYTES] if texts and rel in texts else read_head(str(file))) if wanted else None
            fmt = formats.detect(file, head, root)
        if fmt is None and not explicit:
            return
        found.append(Candidate(str(absolute), rel, fmt, explicit))

    def unreadable(error: OSError) -> None:
        """A directory the walk cannot list is reported, not silently passed over."""
        where = Path(os.fsdecode(error.filename or "."))
        rel = relative(where if where.is_absolute() else cwd / where, root)
        if rel not in seen:
            seen.add(rel)
            found.append(Candidate(str(where), rel, None, False, f"cannot list directory: {error.strerror or error}"))

    for raw in paths:
        start = Path(raw)
        if start.is_file():
            add(start, explicit=True)
            continue
        if not start.is_dir():
            from linter.core.errors import UsageError

            raise UsageError(f"no such file or directory: {raw}")
        try:
            if not start.resolve().is_relative_to(real_root):
                continue  # a named directory that is (or passes through) a link out of the root
        except (OSError, RuntimeError):
            continue
        for dirpath, dirnames, filenames in os.walk(start, onerror=unreadable, followlinks=False):
            base = Path(dirpath)
            dirnames[:] = [] if not recursive else sorted(
                d for d in dirnames
                if not is_excluded(relative(base / d if base.is_absolute() else cwd / base / d, root), all_excludes)
                and not ((base / d).is_symlink())
                and not (ignored is not None and ignored(base / d))
            )
            for name in sorted(filenames):
                if ignored is None or not ignored(base / name):
                    add(base / name, explicit=False)
    found.sort(key=lambda c: c.relpath)
    return found

