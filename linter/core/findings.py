"""Findings: what the engine produces and reporters format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from linter.core.fix import Fix
from linter.core.model import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.NOTE: 0, Severity.WARNING: 1, Severity.ERROR: 2}


# Characters a message must not carry to a terminal or a CI log: C0/C1 controls
# (newlines would start a line a CI runner reads as a command, e.g. GitHub's
# `::error::`; ESC starts terminal sequences), line/paragraph separators and
# bidirectional overrides (text that reads differently from what it is).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with every control or bidi character shown as an escape (`\\n`, `\\x1b`, `\\u202e`)."""
    if not _UNPRINTABLE.search(text):
        return text

    def escape(m: re.Match[str]) -> str:
        c = m.group(0)
        return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")

    return _UNPRINTABLE.sub(escape, text)


@dataclass(slots=True)
class Suppression:
    kind: str  # "inline" | "file" | "annotation" | "config" | "baseline"
    reason: str = ""
    span: Span | None = None
    fields: dict[str, str] = field(default_factory=dict)  # until / owner / ticket, as written


@dataclass(slots=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    message: str  # already redacted: never holds a secret value
    span: Span
    logical: str = ""  # stable identity (kind/ns/name/container/key...), no line numbers
    suppression: Suppression | None = None
    tags: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)
    repository_path: str = ""  # the file relative to the repository (repository.py), set when findings are suppressed
    fix: Fix | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        s = self.span
        return (s.file, s.line, s.column, self.rule_id, self.message)

    def fingerprint(self) -> str:
        """Stable under unrelated edits and whatever directory the run starts
        from: rule + repository path + logical path, never a line number or a
        secret value."""
        import hashlib

        basis = f"{self.rule_id}\0{self.repository_path or self.span.file}\0{self.logical or self.message}"
        return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:32]
