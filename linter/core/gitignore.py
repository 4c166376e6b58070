"""What git ignores, for directory walks that honour `.gitignore` (as ruff's do).

Git itself answers (`git ls-files --others --ignored --exclude-standard
--directory`), so every rule of git's applies: nested `.gitignore` files,
`.git/info/exclude`, the user's global excludes, negations. Tracked files are
never ignored, as in git. Outside a repository, or without git, nothing is.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class GitIgnored:
    files: frozenset[str]  # absolute paths
    directories: frozenset[str]  # absolute paths of wholly ignored directories

    def __call__(self, path: Path) -> bool:
        """Whether the walk should skip `path`. Only the entry itself counts: a
        directory named on the command line is walked even if git ignores it."""
        text = os.path.abspath(path)
        return text in self.files or text in self.directories


NOTHING = GitIgnored(frozenset(), frozenset())


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, encoding="utf-8", errors="surrogateescape", check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def git_ignored(directory: Path) -> GitIgnored:
    """The untracked files and directories git ignores in the repository holding `directory`."""
    top = _git(["rev-parse", "--show-toplevel"], directory)
    if not top:
        return NOTHING
    root = Path(top.strip())
    listing = _git(["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], root)
    if listing is None:
        return NOTHING
    files: set[str] = set()
    directories: set[str] = set()
    for name in (n for n in listing.split("\0") if n):
        absolute = os.path.abspath(root / name)
        (directories if name.endswith("/") else files).add(absolute)
    return GitIgnored(frozenset(files), frozenset(directories))
