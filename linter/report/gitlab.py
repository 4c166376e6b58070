"""`--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).

A JSON array of issues, the subset of the Code Climate issue format GitLab
reads: `description`, `check_name`, `fingerprint`, `severity` and
`location.path` with `location.lines.begin`. Fingerprints are the findings'
own (rule, file, logical path), so an issue keeps its identity across commits
and GitLab can tell new issues from fixed ones; paths are repository-relative.
"""

from __future__ import annotations

import json
from typing import Any

from linter.core.findings import Finding, Severity
from linter.core.run_types import RunResult

from . import fingerprints
from .location import repository_path

# GitLab's scale is info, minor, major, critical, blocker: blocker is left for
# what stops a merge by itself, which a policy decides through --fail-on.
SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.NOTE: "info"}


def issue(finding: Finding, fingerprint: str, prefix: str) -> dict[str, Any]:
    s = finding.span
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id} {finding.message}",
        "categories": ["Security"] if "security" in finding.tags else ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": repository_path(s.file, prefix), "lines": {"begin": s.line, "end": s.end_line}},
    }


def render(result: RunResult, *, uri_prefix: str = "") -> str:
    shown = result.shown
    issues = [issue(f, fp, uri_prefix) for f, fp in zip(shown, fingerprints(shown))]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
