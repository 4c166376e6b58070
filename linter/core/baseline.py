"""Baselines: adopt deploylint on an existing tree by recording today's
findings and reporting only new ones.

A baseline holds fingerprints (`Finding.fingerprint()`: rule + the file's path
in the repository + logical path, never a line number nor a secret value, so
the same baseline works from any directory) with a count each, so editing
unrelated lines does not resurrect old findings, and a second copy of a known
problem is still reported.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.core.errors import UsageError
from linter.core.findings import Finding, Suppression

FORMAT_VERSION = 1


@dataclass(slots=True)
class Baseline:
    counts: dict[str, int]  # fingerprint -> how many findings it covers
    source: str = "baseline"
    _left: Counter[str] = field(init=False)  # what each fingerprint may still suppress in this run

    def __post_init__(self) -> None:
        self._left = Counter(self.counts)

    def consume(self, finding: Finding) -> Suppression | None:
        """A baseline suppression if the finding was known (each entry covers
        as many findings as it counted)."""
        key = finding.fingerprint()
        if self._left[key] <= 0:
            return None
        self._left[key] -= 1
        return Suppression("baseline", f"in baseline {self.source}")


def baseline_document(findings: list[Finding]) -> dict[str, Any]:
    """The JSON written by `deploylint baseline write`: no messages, no values."""
    counts: Counter[str] = Counter()
    about: dict[str, dict[str, str]] = {}
    for finding in findings:
        key = finding.fingerprint()
        counts[key] += 1
        about[key] = {"rule": finding.rule_id, "file": finding.repository_path or finding.span.file}
    entries = {key: {**about[key], "count": counts[key]} for key in sorted(counts)}
    return {"version": FORMAT_VERSION, "tool": "deploylint", "findings": entries}


def write_baseline(path: Path, findings: list[Finding]) -> None:
    from linter.core.atomic import write_output

    write_output(path, json.dumps(baseline_document(findings), indent=2, sort_keys=True) + "\n")


def read_baseline(path: Path) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file not found (create it with `deploylint baseline write {path}`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a deploylint baseline: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or data.get("version") != FORMAT_VERSION:
        raise UsageError(f"{path}: not a deploylint baseline (version {FORMAT_VERSION} with a `findings` mapping)")
    counts: dict[str, int] = {}
    for key, entry in entries.items():
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if not isinstance(count, int) or count < 1:
            raise UsageError(f"{path}: findings.{key}.count: expected a positive integer")
        counts[key] = count
    return Baseline(counts, path.name)
