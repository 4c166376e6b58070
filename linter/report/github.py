"""GitHub Actions workflow commands: one annotation per finding.

`::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=ID::message`
(`warning` / `notice` for the other severities). GitHub decodes `%25`, `%0D`
and `%0A` in the message, and additionally `%3A` and `%2C` in property values,
where a raw `:` or `,` would end the value.

GitHub shows only 10 error, 10 warning and 10 notice annotations of a step, so
findings on lines the change touched come first (when the caller knows them),
each severity stops at what GitHub shows, and a last notice says how many were
left out and where the full report is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from linter.core.findings import Finding, Severity
from linter.core.run_types import RunResult

from .location import repository_path
from .text import summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
SHOWN_PER_SEVERITY = 10  # what GitHub displays per severity and step


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


def _caps(findings: list[Finding]) -> dict[Severity, int]:
    """How many annotations of each severity to write: all GitHub shows, less
    one notice when something is left out (room for the closing notice)."""
    counts = Counter(f.severity for f in findings)
    caps = dict.fromkeys(Severity, SHOWN_PER_SEVERITY)
    if any(n > SHOWN_PER_SEVERITY for n in counts.values()):
        caps[Severity.NOTE] = SHOWN_PER_SEVERITY - 1
    return caps


def omitted_notice(count: int, where: str) -> str:
    text = (f"{count} more finding{'' if count == 1 else 's'} not annotated (GitHub shows {SHOWN_PER_SEVERITY} "
            f"per severity in a step){'; ' + where if where else ''}")
    return f"::notice title=deploylint::{escape_data(text)}"


def render(result: RunResult, *, uri_prefix: str = "", on_changed_line: Callable[[Finding], bool] | None = None,
           full_report: str = "") -> str:
    """Annotations for the shown findings (those on changed lines first), a
    notice for what GitHub would not show, then the plain summary line."""
    findings = result.shown
    if on_changed_line is not None:
        findings = sorted(findings, key=lambda f: not on_changed_line(f))  # stable: engine order within each group
    caps = _caps(findings)
    written: Counter[Severity] = Counter()
    lines = []
    for finding in findings:
        if written[finding.severity] < caps[finding.severity]:
            written[finding.severity] += 1
            lines.append(annotation(finding, uri_prefix))
    omitted = len(findings) - sum(written.values())
    if omitted:
        lines.append(omitted_notice(omitted, full_report))
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
