"""Findings as LSP diagnostics and hovers.

deploylint's spans are 1-based lines and columns counted in characters, end
column exclusive; LSP positions are 0-based lines and columns in the code units
the client and server agreed on (UTF-16 unless negotiated otherwise), with lines
ended by `\\n`, `\\r\\n` or `\\r` only (not the other breaks `str.splitlines`
knows). The conversion goes through the buffer's own lines so a character
outside the Basic Multilingual Plane counts as the two units the client sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace import PositionCodec, ServerTextPosition

from linter.core.findings import Finding, Severity
from linter.core.model import Span
from linter.core.rules import Rule
from linter.report.sarif import help_uri, rule_help_markdown

SOURCE = "deploylint"
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def lsp_lines(text: str) -> list[str]:
    """The buffer's lines as LSP counts them, without their line ends."""
    return _LINE_BREAK.split(text)


def lsp_range(span: Span, lines: list[str], codec: PositionCodec) -> types.Range:
    """A span as an LSP range in the client's code units (clamped to the buffer)."""
    return types.Range(_position(span.line, span.column, lines, codec), _position(span.end_line, span.end_column, lines, codec))


def _position(line: int, column: int, lines: list[str], codec: PositionCodec) -> types.Position:
    index = min(max(line - 1, 0), len(lines) - 1)
    character = min(max(column - 1, 0), len(lines[index]))
    return codec.position_to_client_units(lines, ServerTextPosition(index, character))


@dataclass(frozen=True, slots=True)
class Published:
    """A diagnostic as sent, with the rule it came from (for hovers)."""

    diagnostic: types.Diagnostic
    rule: Rule | None


def diagnostics(findings: Iterable[Finding], rules: dict[str, Rule], text: str, codec: PositionCodec) -> list[Published]:
    lines = lsp_lines(text)
    return [Published(_diagnostic(f, rules.get(f.rule_id), lines, codec), rules.get(f.rule_id)) for f in findings]


def _diagnostic(finding: Finding, rule: Rule | None, lines: list[str], codec: PositionCodec) -> types.Diagnostic:
    # Only built-in rules have a page; a custom rule's help is still in its hover.
    href = help_uri(finding.rule_id) if rule is not None and rule.builtin else None
    return types.Diagnostic(
        range=lsp_range(finding.span, lines, codec),
        message=finding.message,  # redacted by the engine: never a secret value
        severity=SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
    )


def _contains(range_: types.Range, position: types.Position) -> bool:
    start, end = range_.start, range_.end
    return (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character)


def hover(published: Iterable[Published], position: types.Position) -> types.Hover | None:
    """The help of every rule with a diagnostic under `position` (its why, examples and fix)."""
    under = [p for p in published if p.rule is not None and _contains(p.diagnostic.range, position)]
    if not under:
        return None
    rules = {p.rule.id: p.rule for p in under if p.rule is not None}
    parts = [rule_help_markdown(rule) + (f"\n\n[{rule.id} documentation]({help_uri(rule.id)})" if rule.builtin else "")
             for rule in rules.values()]
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
        range=under[0].diagnostic.range,
    )
