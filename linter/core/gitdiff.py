"""Files changed in a git checkout, for linting only what a change touches.

`--diff-only`: what would be pushed: changes since the merge-base with the
branch's upstream (without one, with the default branch: origin/HEAD, main or
master; else since HEAD), committed or not, plus untracked files. `--changed-since REF`: changes since the merge-base of REF and
HEAD, plus uncommitted and untracked ones. Deleted files are left out. The
packs still judge an nginx fragment or a ClickHouse `config.d` file with its
includer or base file, which they find on disk.
"""

from __future__ import annotations

import re
import subprocess
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


def base_commit(cwd: Path, since: str | None) -> str:
    """The commit to compare the working tree with."""
    if since is not None:
        if _try_git(["rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], cwd) is None:
            raise UsageError(f"--changed-since: '{since}' is not a commit in this repository")
        merge_base = _try_git(["merge-base", since, "HEAD"], cwd)
        return merge_base.strip() if merge_base else since
    if _try_git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd) is None:
        return ""  # no commit yet: everything is new
    upstream = _try_git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], cwd)
    # No upstream (a branch never pushed): the default branch is what it will
    # be merged into, so compare with where it forked from that.
    for ref in ([upstream.strip()] if upstream else []) + list(DEFAULT_BRANCHES):
        if _try_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd) is None:
            continue
        merge_base = _try_git(["merge-base", "HEAD", ref], cwd)
        if merge_base:
            return merge_base.strip()
    return "HEAD"


def changed_files(cwd: Path, since: str | None) -> list[Path]:
    """Absolute paths of existing files changed against the base (see module doc)."""
    top = repository_root(cwd)
    base = base_commit(cwd, since)
    names: set[str] = set()
    if base:
        diff = _git(["diff", "--name-only", "--no-renames", "--diff-filter=d", "-z", base, "--"], top)
        names.update(n for n in diff.split("\0") if n)
    else:
        tracked = _git(["ls-files", "-z"], top)
        names.update(n for n in tracked.split("\0") if n)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    names.update(n for n in untracked.split("\0") if n)
    return sorted(p.resolve() for p in (top / n for n in names) if p.is_file())


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
    base = base_commit(cwd, since)
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
