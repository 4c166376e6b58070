"""SARIF 2.1.0 for GitHub code scanning (design §4), built with sarif-om.

One run per invocation; `tool.driver.rules` lists every enabled rule with its
help; each result has a full region (columns are Unicode code points, end
exclusive) under `%SRCROOT%` and a `partialFingerprints` entry that survives
unrelated edits. Suppressed findings are left out (GitHub ignores
`suppressions`) unless asked for.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from linter import __version__
from linter.core.findings import Finding
from linter.core.rules import Rule
from linter.core.run_types import RunResult

from . import fingerprints
from .location import repository_path

INFORMATION_URI = "https://deploylint.dev"
FINGERPRINT_KEY = "deploylint/v1"
MAX_RESULTS = 25_000  # GitHub rejects a run with more results
MAX_TAGS = 10  # GitHub keeps only the first 10 tags of a rule (and rejects more than 20)


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


def _descriptor(rule: Rule) -> Any:
    import sarif_om as om

    tags = list(dict.fromkeys(rule.tags))
    properties: dict[str, Any] = {"precision": rule.precision}
    if rule.security_severity is not None:
        # GitHub reads it as a string; "security" must be among the kept tags.
        properties["security-severity"] = f"{rule.security_severity:.1f}"
        if "security" not in tags:
            tags.insert(0, "security")
    properties["tags"] = tags[:MAX_TAGS]
    return om.ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        short_description=om.MultiformatMessageString(text=rule.title),
        full_description=om.MultiformatMessageString(text=rule.help.get("why", rule.title)),
        help=om.MultiformatMessageString(text=rule_help_text(rule), markdown=rule_help_markdown(rule)),
        help_uri=f"{INFORMATION_URI}/rules/{rule.id}",
        default_configuration=om.ReportingConfiguration(level=rule.severity.value),
        properties=properties,
    )


def artifact_uri(path: str, prefix: str = "") -> tuple[str, str | None]:
    """(uri, uriBaseId): repository-relative paths under %SRCROOT%, others absolute."""
    posix = repository_path(path, prefix)
    if posix.startswith("/"):
        return "file://" + quote(posix), None
    return quote(posix), "%SRCROOT%"


def _result(finding: Finding, index: dict[str, int], prefix: str, fingerprint: str) -> Any:
    import sarif_om as om

    s = finding.span
    uri, base = artifact_uri(s.file, prefix)
    result = om.Result(
        rule_id=finding.rule_id,
        level=finding.severity.value,
        message=om.Message(text=finding.message),
        locations=[
            om.Location(
                physical_location=om.PhysicalLocation(
                    artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=base),
                    region=om.Region(start_line=s.line, start_column=s.column, end_line=s.end_line, end_column=s.end_column),
                )
            )
        ],
        partial_fingerprints={FINGERPRINT_KEY: fingerprint},
    )
    if finding.rule_id in index:
        result.rule_index = index[finding.rule_id]
    escalated = finding.extra.get("security_severity")
    if escalated is not None:  # a check raised this result above its rule's default
        result.properties = {"security-severity": f"{float(escalated):.1f}"}  # type: ignore[arg-type]
    if finding.suppression is not None:
        kind = "inSource" if finding.suppression.kind in ("inline", "file", "annotation") else "external"
        result.suppressions = [om.Suppression(kind=kind, justification=finding.suppression.reason or None)]
    return result


def to_plain(obj: Any) -> Any:
    """sarif-om objects to JSON-ready data, camelCase names from its metadata."""
    import attr

    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        for a in attr.fields(type(obj)):
            value = getattr(obj, a.name)
            if value is None or (isinstance(value, (list, dict)) and not value and a.name != "results"):
                continue
            # sarif-om's defaults (index -1, kind "fail", ...) are SARIF's own
            # defaults: omit them, except `level`, whose absence means "the
            # rule's default level" rather than the literal default. Lists and
            # dicts default through attrs' Factory.
            default = a.default
            factory = getattr(default, "factory", None)
            if callable(factory):
                default = factory()
            if default is not attr.NOTHING and value == default and a.name != "level":
                continue
            out[a.metadata.get("schema_property_name", a.name)] = to_plain(value)
        return out
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    return obj


def _kept(result: RunResult, include_suppressed: bool) -> tuple[list[Finding], int]:
    """The findings to report, at most MAX_RESULTS: when there are more, the
    most severe are kept (GitHub would reject the whole file), in report order."""
    findings = [f for f in result.findings if include_suppressed or not f.suppressed]
    if len(findings) <= MAX_RESULTS:
        return findings, 0
    ranked = sorted(range(len(findings)), key=lambda i: (-findings[i].severity.rank, i))
    keep = sorted(ranked[:MAX_RESULTS])
    return [findings[i] for i in keep], len(findings) - MAX_RESULTS


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


def _truncation_notice(dropped: int) -> Any:
    import sarif_om as om

    text = f"{dropped} lower-severity results were left out: a code scanning run holds at most {MAX_RESULTS}"
    return om.Invocation(
        execution_successful=True,
        tool_execution_notifications=[om.Notification(message=om.Message(text=text), level="warning")],
    )


def render(result: RunResult, *, include_suppressed: bool = False, category: str | None = None, uri_prefix: str = "") -> str:
    """The SARIF log. `uri_prefix` is where the scan root sits in the
    repository (`location.source_root_prefix`)."""
    import sarif_om as om

    findings, dropped = _kept(result, include_suppressed)
    rules = _reported_rules(result, findings)
    index = {r.id: i for i, r in enumerate(rules)}
    prefix = uri_prefix.strip("/")
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="deploylint",
                version=__version__,
                semantic_version=__version__,
                information_uri=INFORMATION_URI,
                rules=[_descriptor(r) for r in rules],
            )
        ),
        results=[_result(f, index, prefix, fp) for f, fp in zip(findings, fingerprints(findings))],
        column_kind="unicodeCodePoints",
    )
    if dropped:
        run.invocations = [_truncation_notice(dropped)]
    if category:
        run.automation_details = om.RunAutomationDetails(id=category.rstrip("/") + "/")
    log = om.SarifLog(
        version="2.1.0",
        schema_uri="https://json.schemastore.org/sarif-2.1.0.json",
        runs=[run],
    )
    return json.dumps(to_plain(log), indent=2, ensure_ascii=False) + "\n"
