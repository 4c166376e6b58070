"""Baselines: adopt deploylint on an existing tree by recording today's
findings and reporting only new ones.

A baseline holds fingerprints (`Finding.fingerprint()`: rule + the file's path
in the repository + logical path, never a line number nor a secret value, so
the same baseline works from any directory) with a count each, so editing
unrelated lines does not resurrect old findings, and a second copy of a known
problem is still reported.

`baseline prune` drops the entries no finding matches any more. Each entry
records the day it was `added` (kept when the baseline is written again) and may carry an `until` day (`baseline write --until`, or edited in):
after it, the entry stops suppressing and is a DL010 finding at its line of
the baseline file, so a baseline cannot quietly become permanent.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from linter.core.errors import UsageError
from linter.core.findings import Finding, Suppression
from linter.core.messages import tool_finding
from linter.core.model import Span
from linter.core.rules import Rule

FORMAT_VERSION = 1


@dataclass(slots=True, frozen=True)
class ExpiredEntry:
    fingerprint: str
    rule: str
    file: str
    until: str
    span: Span  # the entry's key in the baseline file


@dataclass(slots=True)
class Baseline:
    counts: dict[str, int]  # fingerprint -> how many findings it covers
    source: str = "baseline"
    expired: tuple[ExpiredEntry, ...] = ()  # entries past their `until`: they suppress nothing
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


def baseline_document(findings: list[Finding], today: date, until: date | None = None,
                      previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON written by `deploylint baseline write`: no messages, no values.
    An entry already in `previous` keeps its `added` day (and its `until`,
    unless a new one is given)."""
    counts: Counter[str] = Counter()
    about: dict[str, dict[str, Any]] = {}
    for finding in findings:
        key = finding.fingerprint()
        counts[key] += 1
        about[key] = {"rule": finding.rule_id, "file": finding.repository_path or finding.span.file}
    entries: dict[str, dict[str, Any]] = {}
    for key in sorted(counts):
        old = previous.get(key) if previous else None
        old = old if isinstance(old, dict) else {}
        entry = {**about[key], "count": counts[key], "added": old.get("added") or today.isoformat()}
        kept_until = until.isoformat() if until is not None else old.get("until")
        if kept_until:
            entry["until"] = kept_until
        entries[key] = entry
    return {"version": FORMAT_VERSION, "tool": "deploylint", "findings": entries}


def previous_entries(path: Path) -> dict[str, Any]:
    """The entries of the baseline already at `path` ({} when there is none or it is not one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    entries = data.get("findings") if isinstance(data, dict) else None
    return entries if isinstance(entries, dict) else {}


def write_baseline(path: Path, findings: list[Finding], today: date | None = None, until: date | None = None) -> None:
    from linter.core.atomic import write_output

    document = baseline_document(findings, today or date.today(), until, previous_entries(path))
    write_output(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


def pruned_document(previous: dict[str, Any], findings: list[Finding]) -> tuple[dict[str, Any], int]:
    """The baseline's entries that still match today's findings (counts lowered
    to what is left), with how many entries were dropped."""
    today_counts = Counter(f.fingerprint() for f in findings)
    kept: dict[str, Any] = {}
    for key, entry in sorted(previous.items()):
        if key in today_counts and isinstance(entry, dict):
            count = entry.get("count", 1)
            kept[key] = {**entry, "count": min(count if isinstance(count, int) else 1, today_counts[key])}
    return {"version": FORMAT_VERSION, "tool": "deploylint", "findings": kept}, len(previous) - len(kept)


def prune_baseline(path: Path, findings: list[Finding]) -> tuple[int, int]:
    """Rewrite the baseline at `path` without the entries no finding matches
    any more; (dropped, kept). Read strictly: a broken baseline is an error."""
    from linter.core.atomic import write_output

    read_baseline(path)
    document, dropped = pruned_document(previous_entries(path), findings)
    write_output(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return dropped, len(document["findings"])


def _day(value: object) -> date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _key_span(path: Path, text: str, key: str) -> Span:
    at = text.find(json.dumps(key))
    if at < 0:
        return Span.start(path.as_posix())
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(path.as_posix(), line, column, line, column + len(json.dumps(key)))


def read_baseline(path: Path, today: date | None = None) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file not found (create it with `deploylint baseline write {path}`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a deploylint baseline: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or data.get("version") != FORMAT_VERSION:
        raise UsageError(f"{path}: not a deploylint baseline (version {FORMAT_VERSION} with a `findings` mapping)")
    today = today or date.today()
    counts: dict[str, int] = {}
    expired: list[ExpiredEntry] = []
    for key, entry in entries.items():
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if not isinstance(count, int) or count < 1:
            raise UsageError(f"{path}: findings.{key}.count: expected a positive integer")
        until = entry.get("until")
        if until is not None:
            end = _day(until)
            if end is None:
                raise UsageError(f"{path}: findings.{key}.until: expected a date (YYYY-MM-DD), got {json.dumps(until)}")
            if today > end:
                expired.append(ExpiredEntry(key, str(entry.get("rule", "")), str(entry.get("file", "")), end.isoformat(),
                                            _key_span(path, text, key)))
                continue
        counts[key] = count
    return Baseline(counts, path.name, tuple(expired))


def expired_findings(baseline: Baseline, rules: list[Rule]) -> list[Finding]:
    """A DL010 finding for each baseline entry past its `until` day."""
    found = []
    for entry in baseline.expired:
        detail = (f"baseline entry for {entry.rule or 'a finding'} in {entry.file or 'an unnamed file'} no longer applies: "
                  f"it expired after {entry.until}; what it hid is reported again")
        finding = tool_finding(rules, "DL010", detail, entry.span, f"baseline/{entry.fingerprint}")
        if finding is not None:
            found.append(finding)
    return found
