"""Paths as the repository knows them, whatever directory a run starts from.

Findings carry display paths relative to the scan root. Fingerprints (SARIF
`partialFingerprints`, baselines) must not change when the same file is
linted from a subdirectory, so they are keyed by the path relative to an
anchor: the repository's top level (found by reading `.git` upward, never by
running git), else the directory of the config in effect, else the scan root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def repository_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `.git` (a directory,
    or the file a worktree or submodule has)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def project_directory(paths: list[str], root: Path, config_file: Path | None) -> Path:
    """The directory a run's walks for related files stay in (the build roots a
    file passed alone is judged in, the tree names a result cache depends on):
    the nearest repository top (`.git`) or config file's directory at or above
    the linted paths, within the scan root; else the scan root. Running from
    a parent folder (`cd ~ && deploylint work/app`) so walks the repository,
    not the home directory."""
    named = [Path(p).absolute() for p in paths if p and p != "-"] or [Path.cwd()]
    common = Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in named]))
    top = root.absolute()
    if not common.is_relative_to(top):
        return top
    config_directory = config_file.absolute().parent if config_file is not None else None
    for directory in (common, *common.parents):
        if (directory / ".git").exists() or directory in (config_directory, top):
            return directory
    return top


@dataclass(frozen=True, slots=True)
class RepositoryPaths:
    """Display paths (relative to `root`, the scan root) made relative to `anchor`."""

    root: Path
    anchor: Path

    @classmethod
    def for_run(cls, scan_root: Path, config_file: Path | None) -> RepositoryPaths:
        root = scan_root.resolve()
        anchor = repository_root(root) or (config_file.resolve().parent if config_file is not None else root)
        return cls(root, anchor)

    def __call__(self, display: str) -> str:
        if self.root == self.anchor or not display or display.startswith("/"):
            return display
        return Path(os.path.relpath(self.root / display, self.anchor)).as_posix()
