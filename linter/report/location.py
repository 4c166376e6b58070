"""Paths as CI services want them: relative to the repository root.

Findings carry paths relative to the scan root (the current directory, as a
user reads them). Code scanning and workflow annotations resolve paths against
the repository checkout, so reporters for them prefix where the scan root sits
inside the repository.
"""

from __future__ import annotations

from pathlib import Path


def source_root_prefix(scan_root: Path) -> str:
    """Where `scan_root` sits inside its git checkout ('' at the top, or when it
    is not inside a checkout)."""
    start = scan_root.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            inside = start.relative_to(directory).as_posix()
            return "" if inside == "." else inside
    return ""


def repository_path(path: str, prefix: str) -> str:
    """A finding's display path made repository-relative ('/'-separated);
    absolute paths (files outside the scan root) are left as they are."""
    posix = path.replace("\\", "/")
    if posix.startswith("/") or not prefix:
        return posix
    return f"{prefix.strip('/')}/{posix}"
