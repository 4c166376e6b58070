"""Where internal errors' tracebacks go.

One private log file per run, created on the first error with `mkstemp`
(random name, O_EXCL, mode 0600), so no other user of a shared temp directory
can pre-create, read or redirect it. Exception messages are scrubbed before
they are written: a bug that fails on a value from the linted files (a
`KeyError('hunter2')`, an `int('sk-...')`) must not copy a secret into the log.
"""

from __future__ import annotations

import builtins
import os
import re
from pathlib import Path

from linter.core.findings import printable
from linter.formats.common.secrets import redact

_QUOTED = re.compile(r"(?<![A-Za-z])'([^'\n]*)'|\"([^\"\n]*)\"")  # not the apostrophe of "can't"
_KEYLIKE = re.compile(r"\S*(?:[A-Za-z]\S*\d|\d\S*[A-Za-z])\S*")  # letters and digits together
_SAFE_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_")) | {"NoneType"}
_KEYLIKE_MIN = 16


def scrub(message: str) -> str:
    """An exception message with every quoted literal (except Python type and
    builtin names) and every long key-like token redacted."""

    def quoted(m: re.Match[str]) -> str:
        value = m.group(1) if m.group(1) is not None else m.group(2)
        if value in _SAFE_NAMES:
            return m.group(0)
        return f"'{redact(value)}'"

    def keylike(m: re.Match[str]) -> str:
        token = m.group(0)
        return redact(token) if len(token) >= _KEYLIKE_MIN and "…(" not in token else token

    return _KEYLIKE.sub(keylike, _QUOTED.sub(quoted, message))


def format_error(exc: BaseException) -> str:
    """The traceback (frames show only our own code) with scrubbed messages,
    following `raise ... from` and implicit chaining like Python does."""
    import traceback  # only when an internal error happened: kept off the start-up path

    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    previous: BaseException | None = None
    for error in reversed(chain):
        if previous is not None:
            link = "was the direct cause of" if error.__cause__ is previous else "was being handled when"
            parts.append(f"\nThe above exception {link} the following exception:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        parts.append(f"{name}: {printable(scrub(str(error)))}\n")  # one line: the fallback goes to stderr
        previous = error
    return "".join(parts)


class ErrorLog:
    """The run's internal-error log, created when first written."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory
        self.path: Path | None = None

    def write(self, title: str, exc: BaseException) -> Path | None:
        """Append one error; returns the log's path, or None if it cannot be written."""
        try:
            if self.path is None:
                import tempfile  # as traceback above: start-up pays for neither

                fd, name = tempfile.mkstemp(prefix="deploylint-error-", suffix=".log", dir=self.directory)
                os.close(fd)
                self.path = Path(name)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(f"--- {title}\n{format_error(exc)}")
        except OSError:
            return None
        return self.path

    def where(self, title: str, exc: BaseException) -> str:
        """Log one error; 'traceback in PATH' for the message that reports it."""
        path = self.write(title, exc)
        return f"traceback in {path}" if path is not None else "no log file could be written"
