"""The one error type of the patch engines: what went wrong and where."""

from __future__ import annotations

from linter.core.model import Span


class PatchError(Exception):
    """A patch that cannot be applied as written (an unknown operation, a path
    that does not exist, a list item without its merge key). `span` points
    into the patch, at the text to fix; the message never quotes a value."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    def __repr__(self) -> str:
        return f"PatchError({self.message!r} @{self.span.file}:{self.span.line}:{self.span.column})"
