"""Paths as CI services want them: relative to the repository root.

Findings carry paths relative to the scan root (the current directory, as a
user reads them). Code scanning and workflow annotations resolve paths against
the repository checkout, so reporters for them prefix where the scan root sits
inside the repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def source_root_prefix(scan_root: Path) -> str:
    """Where `scan_root` sits inside its git checkout ('' at the top, or when it
    is not inside a checkout)."""
    from linter.core.repository import repository_root

    start = scan_root.resolve()
    top = repository_root(start)
    inside = start.relative_to(top).as_posix() if top is not None else "."
    return "" if inside == "." else inside


def repository_path(path: str, prefix: str) -> str:
    """A finding's display path made repository-relative ('/'-separated);
    absolute paths (files outside the scan root) are left as they are."""
    posix = path.replace("\\", "/")
    if posix.startswith("/") or not prefix:
        return posix
    return f"{prefix.strip('/')}/{posix}"



def cwd_relative(scan_root: Path) -> Callable[[str], str]:
    """How human and JSON output show a finding's (scan-root-relative) path:
    as it is when the scan root is the current directory or under it, else
    relative to the current directory (`../nginx/nginx.conf` for `deploylint
    ../nginx`), so paths stay relative to where the user is."""
    cwd = Path.cwd()
    root = scan_root.absolute()
    if root.is_relative_to(cwd):
        return _as_is

    def shown(path: str) -> str:
        if path.startswith("/") or path in ("-", ""):
            return path
        return Path(os.path.relpath(root / path, cwd)).as_posix()

    return shown


def _as_is(path: str) -> str:
    return path
