"""Reporters: text, JSON, JSON lines, SARIF, GitHub annotations, GitLab Code
Quality, JUnit XML and Markdown. They only format a `RunResult`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from linter.core.findings import Finding


def rule_counts(findings: Iterable[Finding]) -> list[tuple[str, str, int]]:
    """(rule ID, name, count) per rule, most frequent first (`--statistics`)."""
    counts = Counter((f.rule_id, f.rule_name) for f in findings)
    return [(rid, name, n) for (rid, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def fingerprints(findings: list[Finding]) -> list[str]:
    """Each finding's fingerprint; a repeat within the run gets its occurrence
    number (`…:2`), as GitHub's own line hashes do, so two results never
    collapse into one alert (or one GitLab issue) when a pack gives them the
    same identity."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for finding in findings:
        base = finding.fingerprint()
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}:{seen[base]}")
    return out
