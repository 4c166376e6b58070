"""Writing an output file (a report, a baseline) all at once.

An interrupted run never leaves half a file (nor a temp file) behind. The temp
name is random and created exclusively (O_EXCL): nothing planted in a shared
directory can redirect the write; the umask applies as for any file.
"""

from __future__ import annotations

import os
from pathlib import Path

from linter.core.errors import UsageError


def write_atomically(target: Path, text: str) -> None:
    """Replace `target` with `text` (UTF-8); a failure is the user's one-line error."""
    tmp = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
