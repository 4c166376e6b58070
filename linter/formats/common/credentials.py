"""Provider credentials anywhere (SEC101), a check every format's rules may
name. Every message shows values only through `redact`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.core.check import Violation
from linter.core.model import ScalarNode, SourceFile, Span
from linter.core.subject import Subject
from linter.formats.common.secrets import decode_base64_text, find_credentials, redact

# Every provider format is at least this long (an AWS key ID is 20 characters).
MIN_CREDENTIAL_CHARS = 20


def fragment_span(source: SourceFile | None, node: ScalarNode, start: int, end: int) -> Span:
    """Where `node.text[start:end]` is written in the file: found in the node's
    own source text (quotes and escapes make value and text differ); the whole
    node when it cannot be found there."""
    span = node.span
    fragment = node.text[start:end]
    if source is None or not fragment:
        return span
    index = source.line_index
    first, last = index.offset(span.line, span.column), index.offset(span.end_line, span.end_column)
    if first is None or last is None:
        return span
    found = source.text.find(fragment, first, last)
    if found == -1:
        return span
    return index.span(span.file, found, found + len(fragment))


def known_credential(subject: Subject, params: Any) -> Iterator[Violation]:
    """Provider-shaped credentials in a scalar, or in what a base64 scalar encodes."""
    node = subject.node
    if not isinstance(node, ScalarNode):
        return
    text = node.text
    if len(text) < MIN_CREDENTIAL_CHARS:
        return
    source = subject.data if isinstance(subject.data, SourceFile) else None
    matches = find_credentials(text)
    counts: dict[str, int] = {}
    for match in matches:
        counts[match.provider] = n = counts.get(match.provider, 0) + 1
        yield Violation(
            fragment_span(source, node, match.start, match.end),
            {"provider": match.name, "value": redact(text[match.start:match.end])},
            logical=match.provider if n == 1 else f"{match.provider}#{n}",
        )
    if matches:
        return
    decoded = decode_base64_text(text)
    if decoded is None:
        return
    for match in find_credentials(decoded)[:1]:
        value = redact(decoded[match.start:match.end]) + ", base64-encoded"
        yield Violation(node.span, {"provider": match.name, "value": value}, logical=f"{match.provider}/base64")
