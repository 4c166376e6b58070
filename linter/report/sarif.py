"""SARIF 2.1.0 for GitHub code scanning (design §4), built as plain dicts.

One run per invocation; `tool.driver.rules` lists every enabled rule with its
help; each result has a full region (columns are Unicode code points, end
exclusive) under `%SRCROOT%` and a `partialFingerprints` entry that survives
unrelated edits. Suppressed findings are left out (GitHub ignores
`suppressions`) unless asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

from linter import __version__
from linter.core.findings import Finding
from linter.core.fix import SAFE, Fix
from linter.core.rules import Rule
from linter.core.run_types import RunResult

from . import fingerprints
from .location import repository_path

INFORMATION_URI = "https://deploylint.dev"
FINGERPRINT_KEY = "deploylint/v1"
MAX_RESULTS = 25_000  # GitHub rejects a run with more results
MAX_TAGS = 10  # GitHub keeps only the first 10 tags of a rule (and rejects more than 20)


T = TypeVar("T")


def help_uri(rule_id: str) -> str:
    """The page documenting a built-in rule (docs/rules/<ID>.md, published)."""
    return f"{INFORMATION_URI}/rules/{rule_id}"


def rule_help_text(rule: Rule) -> str:
    h = rule.help
    parts = [rule.title, "", h.get("why", "")]
    if h.get("bad"):
        parts += ["", "Example (flagged):", h["bad"].rstrip()]
    if h.get("good"):
        parts += ["", "Use instead:", h["good"].rstrip()]
    parts += ["", "Fix: " + h.get("fix", "")]
    return "\n".join(parts).strip()


def rule_help_markdown(rule: Rule) -> str:
    h = rule.help
    parts = [f"**{rule.id} {rule.name}**: {rule.title}", "", h.get("why", "")]
    if h.get("bad"):
        parts += ["", "Example (flagged):", "```", h["bad"].rstrip(), "```"]
    if h.get("good"):
        parts += ["", "Use instead:", "```", h["good"].rstrip(), "```"]
    parts += ["", "**Fix:** " + h.get("fix", "")]
    if rule.references:
        parts += ["", "References:"] + [f"- <{r}>" for r in rule.references]
    return "\n".join(parts).strip()


def _descriptor(rule: Rule) -> dict[str, Any]:
    tags = list(dict.fromkeys(rule.tags))
    properties: dict[str, Any] = {"precision": rule.precision}
    if rule.security_severity is not None:
        # GitHub reads it as a string; "security" must be among the kept tags.
        properties["security-severity"] = f"{rule.security_severity:.1f}"
        if "security" not in tags:
            tags.insert(0, "security")
    properties["tags"] = tags[:MAX_TAGS]
    return {
        "id": rule.id,
        "defaultConfiguration": {"level": rule.severity.value},
        "fullDescription": {"text": rule.help.get("why", rule.title)},
        "help": {"text": rule_help_text(rule), "markdown": rule_help_markdown(rule)},
        "helpUri": help_uri(rule.id),
        "name": rule.name,
        "properties": properties,
        "shortDescription": {"text": rule.title},
    }


def artifact_uri(path: str, prefix: str = "") -> tuple[str, str | None]:
    """(uri, uriBaseId): repository-relative paths under %SRCROOT%, others absolute."""
    posix = repository_path(path, prefix)
    if posix.startswith("/"):
        return "file://" + quote(posix), None
    return quote(posix), "%SRCROOT%"


def _region(finding: Finding) -> dict[str, int]:
    s = finding.span
    region = {"endColumn": s.end_column, "endLine": s.end_line, "startColumn": s.column, "startLine": s.line}
    return {k: v for k, v in region.items() if v is not None}


def _artifact(path: str, prefix: str) -> dict[str, str]:
    uri, base = artifact_uri(path, prefix)
    return {"uri": uri} if base is None else {"uri": uri, "uriBaseId": base}


def _fix(fix: Fix, prefix: str) -> dict[str, Any] | None:
    """A SARIF `fix`: the edits as replacements of exact regions (an insertion
    is an empty region); None for a fix that writes a secret, whose text no
    report may carry."""
    if fix.secret:
        return None
    how = "deploylint --fix" if fix.safety == SAFE else "deploylint --fix --unsafe-fixes"
    replacements = [
        {"deletedRegion": {"startLine": e.line, "startColumn": e.column, "endLine": e.end_line, "endColumn": e.end_column},
         "insertedContent": {"text": e.replacement}}
        for e in sorted(fix.edits, key=lambda e: e.start())
    ]
    return {
        "description": {"text": f"{fix.safety.capitalize()} fix ({how})"},
        "artifactChanges": [{"artifactLocation": _artifact(fix.file, prefix), "replacements": replacements}],
    }


def _result(finding: Finding, index: dict[str, int], prefix: str, fingerprint: str) -> dict[str, Any]:
    artifact = _artifact(finding.span.file, prefix)
    result: dict[str, Any] = {
        "message": {"text": finding.message},
        "level": finding.severity.value,
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(finding)}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    built_by = finding.extra.get("built_by")
    if isinstance(built_by, list) and built_by:  # the overlays (or charts) a base's finding was seen in
        result["relatedLocations"] = [
            {"id": number, "message": {"text": f"built by {path}"},
             "physicalLocation": {"artifactLocation": _artifact(path, prefix), "region": {"startLine": 1}}}
            for number, path in enumerate(built_by, 1)
        ]
    escalated = finding.extra.get("security_severity")
    if isinstance(escalated, (int, float)):  # a check raised this result above its rule's default
        result["properties"] = {"security-severity": f"{float(escalated):.1f}"}
    result["ruleId"] = finding.rule_id
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.suppression is not None:
        kind = "inSource" if finding.suppression.kind in ("inline", "file", "annotation") else "external"
        suppression = {"kind": kind}
        if finding.suppression.reason:
            suppression["justification"] = finding.suppression.reason
        result["suppressions"] = [suppression]
    fix = _fix(finding.fix, prefix) if finding.fix is not None else None
    if fix is not None:
        result["fixes"] = [fix]
    return result


def capped(items: list[T], rank: Callable[[T], int]) -> tuple[list[T], int]:
    """(at most MAX_RESULTS of `items`, how many were left out): when there
    are more, the highest `rank` are kept (GitHub would reject the whole
    file), in their order. A single run and merge-sarif cap alike."""
    if len(items) <= MAX_RESULTS:
        return items, 0
    ranked = sorted(range(len(items)), key=lambda i: (-rank(items[i]), i))
    keep = sorted(ranked[:MAX_RESULTS])
    return [items[i] for i in keep], len(items) - MAX_RESULTS


def _kept(result: RunResult, include_suppressed: bool) -> tuple[list[Finding], int]:
    """The findings to report, the most severe when over the cap."""
    return capped([f for f in result.findings if include_suppressed or not f.suppressed], lambda f: f.severity.rank)


def _reported_rules(result: RunResult, findings: list[Finding]) -> list[Rule]:
    """Every enabled rule, plus any rule a finding names that is not enabled
    (an internal-error finding), so every result has its descriptor."""
    rules = list(result.rules)
    known = {r.id for r in rules}
    missing = sorted({f.rule_id for f in findings} - known)
    if missing:
        from linter.core.rules import load_rules

        rules += [r for r in load_rules() if r.id in missing]
    return rules


def truncation_notice(dropped: int) -> dict[str, Any]:
    """The run's invocation saying how many results the cap left out."""
    text = f"{dropped} {_NOTICE_TAIL}{MAX_RESULTS}"
    return {
        "executionSuccessful": True,
        "toolExecutionNotifications": [{"message": {"text": text}, "level": "warning"}],
    }


_NOTICE_TAIL = "lower-severity results were left out: a code scanning run holds at most "
_NOTICE = re.compile(r"(\d+) " + re.escape(_NOTICE_TAIL) + r"\d+")


def dropped_by_notices(invocations: list[dict[str, Any]]) -> int:
    """How many results the truncation notices among `invocations` say were left out."""
    total = 0
    for invocation in invocations:
        for notification in invocation.get("toolExecutionNotifications") or []:
            match = _NOTICE.fullmatch(notification.get("message", {}).get("text", ""))
            if match:
                total += int(match.group(1))
    return total


def dump_log(log: dict[str, Any]) -> str:
    """A SARIF log as text: compact, so that json's C encoder writes it (an
    indented dump runs the pure-Python encoder, the largest cost of the report)."""
    return json.dumps(log, ensure_ascii=False, separators=(",", ":")) + "\n"


def render(result: RunResult, *, include_suppressed: bool = False, category: str | None = None, uri_prefix: str = "") -> str:
    """The SARIF log. `uri_prefix` is where the scan root sits in the
    repository (`location.source_root_prefix`). Keys are in the order of
    SARIF's schema listing (required first), as earlier releases wrote them."""
    findings, dropped = _kept(result, include_suppressed)
    rules = _reported_rules(result, findings)
    index = {r.id: i for i, r in enumerate(rules)}
    prefix = uri_prefix.strip("/")
    driver: dict[str, Any] = {"name": "deploylint", "informationUri": INFORMATION_URI}
    if rules:
        driver["rules"] = [_descriptor(r) for r in rules]
    driver["semanticVersion"] = __version__
    driver["version"] = __version__
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if category:
        run["automationDetails"] = {"id": category.rstrip("/") + "/"}
    run["columnKind"] = "unicodeCodePoints"
    if dropped:
        run["invocations"] = [truncation_notice(dropped)]
    run["results"] = []  # last of the run's keys: filled in below, one result at a time
    log = {"runs": [run], "version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json"}
    return _with_results(dump_log(log), (_result(f, index, prefix, fp) for f, fp in zip(findings, fingerprints(findings))))


def _with_results(log_text: str, results: Iterator[dict[str, Any]]) -> str:
    """The log with `results` in its (last, empty) results array, each encoded
    as it is made: tens of thousands of result dicts alive at once were most of
    a large report's memory."""
    at = log_text.rindex(_EMPTY_RESULTS) + len(_EMPTY_RESULTS) - 1
    encoded = ",".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in results)
    return log_text[:at] + encoded + log_text[at:]


_EMPTY_RESULTS = '"results":[]'
