"""Machine output: one JSON document with findings and a summary."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from linter import __version__
from linter.core.findings import Finding
from linter.core.run_types import RunResult

from . import rule_counts
from .text import fix_counts


def finding_dict(f: Finding, show_path: Callable[[str], str] = str) -> dict[str, Any]:
    s = f.span
    item: dict[str, Any] = {
        "rule": f.rule_id,
        "name": f.rule_name,
        "severity": f.severity.value,
        "message": f.message,
        "file": show_path(s.file),
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "fingerprint": f.fingerprint(),
    }
    if f.fix is not None:
        item["fix"] = {"safety": f.fix.safety, "edits": len(f.fix.edits)}
    if f.suppression is not None:
        item["suppressed"] = {"kind": f.suppression.kind, "reason": f.suppression.reason, **f.suppression.fields}
    built_by = f.extra.get("built_by")
    if isinstance(built_by, list) and built_by:
        item["built_by"] = [show_path(path) for path in built_by]
    return item


def statistics(result: RunResult) -> list[dict[str, Any]]:
    """Shown findings per rule, most frequent first (like `ruff --statistics`)."""
    return [{"rule": rid, "name": name, "count": n} for rid, name, n in rule_counts(result.shown)]


def render(result: RunResult, *, show_suppressed: bool = False, with_statistics: bool = False, show_path: Callable[[str], str] = str) -> str:
    """`show_path`: how a finding's path is shown (`location.cwd_relative`)."""
    findings = result.findings if show_suppressed else result.shown
    fixable = fix_counts(result)
    document = {
        "tool": {"name": "deploylint", "version": __version__},
        "findings": [finding_dict(f, show_path) for f in findings],
        "summary": {
            "findings": len(result.shown),
            "suppressed": len(result.suppressed),
            "files": len(result.files),
            "unparsable_files": result.unparsable,
            "bare_ignores": result.bare_ignores,
            "fixed": result.fixed,
            "fixable": {"safe": fixable[0], "unsafe": fixable[1]},
            "by_severity": {sev: sum(1 for f in result.shown if f.severity.value == sev) for sev in ("error", "warning", "note")},
            "suppressed_by_kind": dict(sorted(Counter(f.suppression.kind for f in result.suppressed if f.suppression).items())),
            "suppressed_without_reason": sum(1 for f in result.suppressed if f.suppression and not f.suppression.reason),
        },
    }
    if with_statistics:
        document["statistics"] = statistics(result)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
