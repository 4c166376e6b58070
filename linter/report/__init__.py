"""Reporters: text, JSON, SARIF and GitHub annotations. They only format a `RunResult`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from linter.core.findings import Finding


def rule_counts(findings: Iterable[Finding]) -> list[tuple[str, str, int]]:
    """(rule ID, name, count) per rule, most frequent first (`--statistics`)."""
    counts = Counter((f.rule_id, f.rule_name) for f in findings)
    return [(rid, name, n) for (rid, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
