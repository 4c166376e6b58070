"""ClickHouse fixers: the edits that fix a finding, named by rules' `fix: {python: ...}`.

Edits are to the XML text as written: an element's text, or its tags, only
where the text holds no entity or CDATA (so what is read is what is written).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from linter.core.check import Violation
from linter.core.fix import Fixer, TextEdit
from linter.core.model import LineIndex, ScalarNode, Span
from linter.core.subject import Subject
from linter.formats.clickhouse.checks import LEGACY_PROTOCOLS
from linter.formats.clickhouse.selectors import Credential, child, first, is_substituted, is_true, scalar

_HASHED = "password_sha256_hex"


def _literal(value: ScalarNode, index: LineIndex) -> tuple[int, int] | None:
    """The offsets of an element's text when it is written as read (no
    entity, CDATA or surrounding space), on one line."""
    s = value.span
    start, end = index.offset(s.line, s.column), index.offset(s.end_line, s.end_column)
    if start is None or end is None or s.line != s.end_line:
        return None
    raw = index.text[start:end]
    return (start, end) if raw and raw == value.text and raw == raw.strip() else None


def hash_password(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """CH202's plaintext `<password>x</password>`: `<password_sha256_hex>`
    of the same value in its place, so the same password still logs in. The
    diff shows neither: the removed value is masked, the hash redacted."""
    credential = subject.data
    value = scalar(subject.node)
    if not isinstance(credential, Credential) or credential.kind != "password" or value is None or is_substituted(subject.node):
        return []
    index = lines.get(value.span.file)
    where = _literal(value, index) if index is not None else None
    if index is None or where is None:
        return []
    start, end = where
    open_tag, close_tag = "<password>", "</password>"
    if start < len(open_tag) or not index.text.startswith(close_tag, end) or index.text[start - len(open_tag) : start] != open_tag:
        return []  # attributes on the tag, or YAML: not a rename of one element
    digest = hashlib.sha256(value.text.encode("utf-8")).hexdigest()
    (line, column), (end_line, end_column) = index.position(start - len(open_tag)), index.position(end + len(close_tag))
    return [TextEdit(
        value.span.file, line, column, end_line, end_column, f"<{_HASHED}>{digest}</{_HASHED}>",
        hidden=(value.span,), shown=f"<{_HASHED}>…(sha256 of the old value)</{_HASHED}>",
    )]


def complete_disabled_protocols(subject: Subject, violation: Violation, params: None, lines: Mapping[str, LineIndex]) -> Iterable[TextEdit]:
    """CH302: the legacy protocols a written `disableProtocols` leaves
    enabled appended to it (`sslv2,sslv3` -> `sslv2,sslv3,tlsv1,tlsv1_1`); a
    section without one is for a person (requireTLSv1_2 may be the choice)."""
    side = violation.logical.rpartition("/")[2]
    section = first(child(subject.node, "openSSL", side))
    if side not in ("server", "client") or section is None or is_true(child(section, "requireTLSv1_2")):
        return []
    disabled = first(child(section, "disableProtocols"))
    value = scalar(disabled)
    if value is None or is_substituted(disabled):
        return []
    index = lines.get(value.span.file)
    if index is None or _literal(value, index) is None:
        return []
    written = {p.strip().lower() for p in value.text.split(",")}
    missing = [p for p in LEGACY_PROTOCOLS if p not in written]
    if not missing:
        return []
    s: Span = value.span
    separator = ", " if ", " in value.text else ","
    return [TextEdit.insert(s.file, s.end_line, s.end_column, separator + separator.join(missing))]


FIXERS: dict[str, Fixer] = {
    "hash-password": Fixer(hash_password),
    "complete-disabled-protocols": Fixer(complete_disabled_protocols),
}
