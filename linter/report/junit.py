"""`--format junit`: JUnit XML, read by Jenkins, GitLab (`artifacts:reports:junit`)
and Azure Pipelines.

One test suite per linted file, one test case per rule that ran on it (the
file's format's rules and the format-blind ones): a case with findings fails,
with one `<failure>` per finding (position and message); one whose findings
were all suppressed is skipped; the rest pass, so a CI's test view shows what
was checked as well as what broke. Messages are already redacted; nothing of
the linted file is quoted.
"""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import quoteattr

from linter.core.findings import Finding, printable
from linter.core.format import COMMON
from linter.core.rules import Rule
from linter.core.run_types import RunResult

from .location import repository_path


def _text(value: str) -> str:
    """XML 1.0 cannot carry control characters even escaped: show them as escapes."""
    return printable(value)


def _attr(value: str) -> str:
    return quoteattr(_text(value))


def _escape(value: str) -> str:
    return _text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _case_rules(fmt: str | None, rules: list[Rule], found: dict[str, list[Finding]]) -> list[tuple[str, str]]:
    """(rule ID, name) of every case of one file: the rules that ran on it, and
    any rule that reported there (a DL finding on a file of no format)."""
    cases = {r.id: r.name for r in rules if r.target.format in (COMMON, fmt)}
    for rule_id, findings in found.items():
        cases.setdefault(rule_id, findings[0].rule_name)
    return sorted(cases.items())


def _case(path: str, rule_id: str, name: str, findings: list[Finding]) -> list[str]:
    head = f"    <testcase classname={_attr(path)} name={_attr(f'{rule_id} {name}')} file={_attr(path)} time=\"0\""
    shown = [f for f in findings if not f.suppressed]
    if not findings:
        return [head + "/>"]
    if not shown:
        return [head + ">", f"      <skipped message={_attr(f'{len(findings)} suppressed')}/>", "    </testcase>"]
    lines = [head + f" line=\"{shown[0].span.line}\">"]
    for f in shown:
        s = f.span
        where = f"{path}:{s.line}:{s.column}"
        lines.append(f"      <failure type={_attr(f.severity.value)} message={_attr(f.message)}>{_escape(f'{where}: {f.rule_id} {f.message}')}</failure>")
    lines.append("    </testcase>")
    return lines


def render(result: RunResult, *, uri_prefix: str = "") -> str:
    by_file: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in result.findings:
        by_file[finding.span.file][finding.rule_id].append(finding)
    files = sorted(set(result.files) | set(by_file))
    suites: list[str] = []
    total = failed = 0
    for file in files:
        found = by_file.get(file, {})
        path = repository_path(file, uri_prefix)
        cases = _case_rules(result.formats.get(file), result.rules, found)
        failing = sum(1 for rule_id, _ in cases if any(not f.suppressed for f in found.get(rule_id, [])))
        skipped = sum(1 for rule_id, _ in cases if found.get(rule_id) and all(f.suppressed for f in found[rule_id]))
        total, failed = total + len(cases), failed + failing
        suites.append(f"  <testsuite name={_attr(path)} tests=\"{len(cases)}\" failures=\"{failing}\" errors=\"0\" "
                      f"skipped=\"{skipped}\" time=\"0\" file={_attr(path)}>")
        for rule_id, name in cases:
            suites += _case(path, rule_id, name, found.get(rule_id, []))
        suites.append("  </testsuite>")
    head = ['<?xml version="1.0" encoding="UTF-8"?>',
            f'<testsuites name="deploylint" tests="{total}" failures="{failed}" errors="0" time="0">']
    return "\n".join([*head, *suites, "</testsuites>"]) + "\n"
