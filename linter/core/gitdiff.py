"""Files changed in a git checkout, for linting only what a change touches.

`--diff-only`: what would be pushed: changes since the merge-base with the
branch's upstream, committed or not, plus untracked files. A new branch has no
upstream yet (the "before you push" case): then the merge-base with the
default branch (`origin/HEAD`, else `main`, else `master`); with none of them,
the working tree's changes since HEAD. Which base was used is said (stderr). `--changed-since REF`: changes since the merge-base of REF and
HEAD, plus uncommitted and untracked ones. Deleted files are left out. The
packs still judge an nginx fragment or a ClickHouse `config.d` file with its
includer or base file, which they find on disk.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from linter.core.errors import UsageError

DEFAULT_BRANCHES = ("origin/HEAD", "main", "master", "origin/main", "origin/master")


def _git(args: list[str], cwd: Path) -> str:
    try:
        # File names are bytes: one that is not UTF-8 must survive to the Path (surrogateescape).
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, encoding="utf-8", errors="surrogateescape", check=False)
    except FileNotFoundError:
        raise UsageError("git is needed for --diff-only / --changed-since, and was not found") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise UsageError(f"git {args[0]}: {detail}")
    return done.stdout


def _try_git(args: list[str], cwd: Path) -> str | None:
    try:
        return _git(args, cwd)
    except UsageError:
        return None


def repository_root(cwd: Path) -> Path:
    out = _try_git(["rev-parse", "--show-toplevel"], cwd)
    if out is None:
        raise UsageError(f"{cwd}: not inside a git repository (needed by --diff-only / --changed-since)")
    return Path(out.strip())


@dataclass(frozen=True, slots=True)
class Base:
    commit: str  # "" before the first commit: everything is new
    description: str  # what the changes are counted from, for the user


def base_commit(cwd: Path, since: str | None) -> Base:
    """The commit to compare the working tree with, and how it was chosen."""
    if since is not None:
        if _try_git(["rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], cwd) is None:
            raise UsageError(f"--changed-since: '{since}' is not a commit in this repository")
        merge_base = _try_git(["merge-base", since, "HEAD"], cwd)
        return Base(merge_base.strip() if merge_base else since, f"the merge base with {since}")
    if _try_git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd) is None:
        return Base("", "no commit yet: every file")
    upstream = _try_git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], cwd)
    candidates = ([(upstream.strip(), "upstream")] if upstream else []) + [(ref, "default branch") for ref in DEFAULT_BRANCHES]
    for ref, kind in candidates:
        if _try_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd) is None:
            continue
        merge_base = _try_git(["merge-base", "HEAD", ref], cwd)
        if merge_base:
            return Base(merge_base.strip(), f"the merge base with {kind} {ref} ({merge_base.strip()[:12]})")
    return Base("HEAD", "HEAD: no upstream and no default branch (origin/HEAD, main, master), so the working tree's changes")


@dataclass(frozen=True, slots=True)
class Changes:
    files: list[Path]  # absolute paths of existing changed files
    base: Base


def changed_files(cwd: Path, since: str | None) -> Changes:
    """Existing files changed against the base (see module doc), and that base."""
    top = repository_root(cwd)
    base = base_commit(cwd, since)
    names: set[str] = set()
    if base.commit:
        diff = _git(["diff", "--name-only", "--no-renames", "--diff-filter=d", "-z", base.commit, "--"], top)
        names.update(n for n in diff.split("\0") if n)
    else:
        tracked = _git(["ls-files", "-z"], top)
        names.update(n for n in tracked.split("\0") if n)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    names.update(n for n in untracked.split("\0") if n)
    return Changes(sorted(p.resolve() for p in (top / n for n in names) if p.is_file()), base)


def restrict(changed: list[Path], paths: list[str]) -> list[str]:
    """The changed files that lie under any of `paths`, as paths to lint."""
    wanted = [Path(p).resolve() for p in paths]
    kept: list[str] = []
    for file in changed:
        if any(file == w or w in file.parents for w in wanted):
            kept.append(_display(file))
    return kept


def _display(file: Path) -> str:
    try:
        return file.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(file)


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def changed_lines(cwd: Path, since: str | None) -> dict[Path, set[int] | None]:
    """Lines added or changed since the merge-base of `since` (None: the
    --diff-only base) and HEAD, per absolute file path (None: the whole file
    is new, as an untracked one is). For ordering a report; an unknown ref is
    a UsageError like --changed-since's."""
    top = repository_root(cwd)
    base = base_commit(cwd, since).commit
    lines: dict[Path, set[int] | None] = {}
    diff = _git(["diff", "-U0", "--no-renames", "--no-color", "--diff-filter=d", base, "--"], top) if base else ""
    for section in diff.split("\ndiff --git "):
        target = re.search(r"^\+\+\+ b/(.*)$", section, re.MULTILINE)
        if target is None:
            continue
        changed: set[int] = set()
        for hunk in _HUNK.finditer(section):
            start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            changed.update(range(start, start + count))
        lines[(top / target.group(1)).resolve()] = changed
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    for name in (n for n in untracked.split("\0") if n):
        lines[(top / name).resolve()] = None
    return lines
