"""Fixes: minimal text edits at the model's spans, and applying them.

A fix is a list of edits to one file, each replacing the text between two
positions (1-based lines and columns, end exclusive, as a `Span`). Nothing is
re-serialised: every byte outside the edits stays as it was, so comments,
quoting, indentation, key order and anchors survive by construction.

A rule declares its fix (`fix: {safety: safe|unsafe, python: <fixer>}`); the
fixer, named in its format's table like a check, computes the edits from the
subject and the violation. A Python check may instead attach edits to its
`Violation`; the rule's `fix.safety` still says how safe they are.

Applying: per file, the fixes whose edits overlap none chosen before are
applied together, bottom-up; the others wait for the next pass (the caller
re-lints in between, `fix_loop`). A file whose fixed text no longer parses as
well as before keeps its text, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from linter.core.model import LineIndex, Span

if TYPE_CHECKING:
    from linter.core.check import Violation
    from linter.core.findings import Finding
    from linter.core.subject import Subject

SAFE = "safe"
UNSAFE = "unsafe"
MAX_PASSES = 10  # conflicting fixes are one per pass; a fix loop never runs away


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text from (line, column) to (end_line, end_column), end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str
    # Spans of the text before the edit that a diff shows masked (a removed
    # line's secret value): never printed.
    hidden: tuple[Span, ...] = ()
    # What a diff shows in place of `replacement` when that holds a secret (a
    # password's hash): the secret is never printed, and a report that carries
    # replacements (SARIF `fixes`) leaves such a fix out.
    shown: str | None = None

    @classmethod
    def insert(cls, file: str, line: int, column: int, text: str) -> TextEdit:
        return cls(file, line, column, line, column, text)

    def start(self) -> tuple[int, int]:
        return (self.line, self.column)

    def end(self) -> tuple[int, int]:
        return (self.end_line, self.end_column)

    @property
    def secret(self) -> bool:
        return self.shown is not None

    def displayed(self) -> TextEdit:
        """The edit as a diff may print it."""
        return self if self.shown is None else replace(self, replacement=self.shown)


@dataclass(frozen=True, slots=True)
class Fix:
    """One finding's fix: its edits (all in one file) and how safe it is."""

    safety: str
    edits: tuple[TextEdit, ...]

    @property
    def file(self) -> str:
        return self.edits[0].file

    @property
    def secret(self) -> bool:
        """Some edit writes a secret: its text may be applied, never shown."""
        return any(e.secret for e in self.edits)

    def applicable(self, unsafe: bool) -> bool:
        return self.safety == SAFE or unsafe


# A fixer: (subject, violation, params, the unit's files as written, by display
# path: their text with its line offsets, built once a file) -> the edits, none
# when it cannot fix this case faithfully. It runs on every finding of its
# rule, --fix or not (the report marks what is fixable): keep it cheap.
FixerFn = Callable[["Subject", "Violation", Any, Mapping[str, LineIndex]], Iterable[TextEdit]]


def line_break(index: LineIndex) -> str:
    """The line break a new line in this text should end with: its first one's."""
    if len(index.starts) > 1 and index.text[index.starts[1] - 2 : index.starts[1]] == "\r\n":
        return "\r\n"
    return "\n"


@dataclass(frozen=True, slots=True)
class Fixer:
    """A named fixer and its typed params (a dataclass, like a check's)."""

    fn: FixerFn
    params: type | None = None  # None: it takes none


@dataclass(frozen=True, slots=True)
class RuleFix:
    """What a rule file's `fix:` declares."""

    safety: str
    python: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""  # what an unsafe fix may break, for its docs

    @classmethod
    def from_data(cls, data: Any) -> RuleFix | None:
        if not data:
            return None
        return cls(str(data["safety"]), data.get("python"), dict(data.get("params") or {}), str(data.get("note", "")))


def _overlaps(a: TextEdit, b: TextEdit) -> bool:
    """Two edits touch the same text (two insertions at one point conflict too:
    their order would be a guess)."""
    if a.start() == b.start():
        return True
    return a.start() < b.end() and b.start() < a.end()


def choose(fixes: Iterable[Fix]) -> tuple[list[Fix], int]:
    """The fixes of one file that can be applied together (first come, first
    chosen; duplicates once), and how many wait for a later pass."""
    chosen: list[Fix] = []
    waiting = 0
    for fix in fixes:
        if fix in chosen:
            continue
        taken = [e for c in chosen for e in c.edits]
        if any(_overlaps(e, t) for e in fix.edits for t in taken):
            waiting += 1
        else:
            chosen.append(fix)
    return chosen, waiting


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """`text` with non-overlapping edits applied, bottom-up (so earlier
    positions stay valid). An edit outside the text raises ValueError."""
    index = LineIndex(text)
    spans = []
    for edit in edits:
        start = index.offset(edit.line, edit.column)
        end = index.offset(edit.end_line, edit.end_column)
        if start is None or end is None or not 0 <= start <= end <= len(text):
            raise ValueError(f"edit at {edit.line}:{edit.column} is outside the file")
        spans.append((start, end, edit.replacement))
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def masked(text: str, spans: Iterable[Span]) -> str:
    """`text` with the characters of `spans` shown as `*` (line breaks kept, so
    every position stays where it was)."""
    index = LineIndex(text)
    chars = list(text)
    for span in spans:
        start, end = index.offset(span.line, span.column), index.offset(span.end_line, span.end_column)
        for i in range(start or 0, min(end if end is not None else len(text), len(text))):
            if chars[i] not in "\r\n":
                chars[i] = "*"
    return "".join(chars)


def fixable(findings: Iterable[Finding], unsafe: bool) -> dict[str, list[Fix]]:
    """The applicable fixes of unsuppressed findings, by file."""
    by_file: dict[str, list[Fix]] = {}
    for finding in findings:
        fix = finding.fix
        if fix is not None and not finding.suppressed and fix.applicable(unsafe):
            by_file.setdefault(fix.file, []).append(fix)
    return by_file
