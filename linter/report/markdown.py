"""`--format markdown`: a summary for a pull-request comment or a job's step
summary (`$GITHUB_STEP_SUMMARY`).

Counts by severity and by rule, then the findings grouped by file, each
linking to `path#Lline` (under `link_base` when one is given, e.g. the commit's
blob URL). With a baseline, the heading counts new findings and says how many
known ones it left out. The document stays under `max_chars` (GitHub refuses
comments over 65,536 characters): findings that do not fit are counted in a
closing "N more" line. Message text is escaped, so a linted file cannot inject
Markdown, HTML or an @-mention.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from urllib.parse import quote

from linter.core.findings import Finding, Severity
from linter.core.run_types import RunResult

from . import rule_counts
from .location import repository_path

GITHUB_COMMENT_LIMIT = 65_536
_RESERVE = 400  # room kept for the closing "N more" line
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(text: str) -> str:
    """Inline text that renders as itself: no markup, no HTML, no mentions, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    text = re.sub(r"[\r\n\t]+", " ", text)
    return _SPECIAL.sub(r"\\\1", text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def heading(result: RunResult) -> list[str]:
    shown = result.shown
    counts = Counter(f.severity for f in shown)
    known = sum(1 for f in result.suppressed if f.suppression is not None and f.suppression.kind == "baseline")
    noun = "new finding" if known else "finding"
    parts = [_plural(counts[sev], sev.value) for sev in Severity if counts[sev]]
    title = f"## deploylint: {_plural(len(shown), noun)}" + (f" ({', '.join(parts)})" if parts else "")
    lines = [title, ""]
    if known:
        lines += [f"{_plural(known, 'known finding')} from the baseline not listed.", ""]
    others = len(result.suppressed) - known
    lines += [f"{_plural(len(result.files), 'file')} linted, {others} suppressed"
              + (f", {result.unparsable} could not be parsed" if result.unparsable else "") + ".", ""]
    if not shown:
        return lines
    lines += ["| severity | findings |", "|---|---:|"]
    lines += [f"| {sev.value} | {counts[sev]} |" for sev in Severity if counts[sev]]
    lines += ["", "| rule | name | findings |", "|---|---|---:|"]
    lines += [f"| `{rid}` | {escape(name)} | {n} |" for rid, name, n in rule_counts(shown)]
    return lines + [""]


def link(path: str, line: int, link_base: str) -> str:
    return f"{link_base}{quote(path)}#L{line}"


def finding_line(finding: Finding, path: str, link_base: str) -> str:
    s = finding.span
    return f"- **{finding.severity.value}** `{finding.rule_id}` [{s.line}:{s.column}]({link(path, s.line, link_base)}) {escape(finding.message)}"


def render(result: RunResult, *, uri_prefix: str = "", link_base: str = "", max_chars: int = GITHUB_COMMENT_LIMIT) -> str:
    lines = heading(result)
    size = sum(len(line) + 1 for line in lines)
    budget = max(max_chars - _RESERVE, 0)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.shown:
        by_file[repository_path(finding.span.file, uri_prefix)].append(finding)
    written = 0
    for path in sorted(by_file):
        findings = by_file[path]
        block = ([""] if lines[-1] else []) + [f"### `{path.replace('`', '')}` ({len(findings)})", ""]
        for finding in findings:
            line = finding_line(finding, path, link_base)
            cost = len(line) + 1 + (sum(len(b) + 1 for b in block) if block else 0)
            if size + cost > budget:
                break
            lines += block + [line]
            block = []
            size += cost
            written += 1
        else:
            continue
        break
    left = len(result.shown) - written
    if left:
        lines += ["", f"_… and {_plural(left, 'more finding')} not shown here (the report is kept under "
                      f"{max_chars:,} characters); `deploylint --format text` lists them all._"]
    return "\n".join(lines) + "\n"
