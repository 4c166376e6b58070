"""GitHub Actions workflow commands: one annotation per finding.

`::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=ID::message`
(`warning` / `notice` for the other severities). GitHub decodes `%25`, `%0D`
and `%0A` in the message, and additionally `%3A` and `%2C` in property values,
where a raw `:` or `,` would end the value.
"""

from __future__ import annotations

from linter.core.findings import Finding, Severity
from linter.core.run_types import RunResult

from .location import repository_path
from .text import summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, prefix: str = "") -> str:
    s = finding.span
    properties = {
        "file": repository_path(s.file, prefix),
        "line": s.line,
        "col": s.column,
        "endLine": s.end_line,
        "endColumn": s.end_column,
        "title": finding.rule_id,
    }
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(finding.message)}"


def render(result: RunResult, *, uri_prefix: str = "") -> str:
    """Annotations for the shown findings, then the plain summary line."""
    lines = [annotation(f, uri_prefix) for f in result.shown]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
