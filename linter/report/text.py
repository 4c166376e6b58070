"""Human output, like ruff: `path:line:col: error[ID] message`, then a summary.

Two variants, named as ruff names its own: `concise` (the default, one line a
finding) and `full` (each finding followed by its rule's title, the fix and
where to read more). Neither quotes the linted file: a flagged line may hold
the very secret a finding is about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from linter.core.findings import Finding, Severity, printable
from linter.core.fix import SAFE
from linter.core.rules import Rule
from linter.core.run_types import RunResult

from . import rule_counts

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def format_finding(finding: Finding, colour: bool, show_path: Callable[[str], str] = str) -> str:
    s = finding.span
    where = f"{printable(show_path(s.file))}:{s.line}:{s.column}:"
    label = f"{finding.severity.value}[{finding.rule_id}]"
    if finding.fix is not None and finding.fix.safety == SAFE:
        label += " [*]"  # as ruff marks what --fix fixes
    suffix = ""
    if finding.suppression is not None:
        reason = f": {printable(finding.suppression.reason)}" if finding.suppression.reason else ""
        suffix = f" [suppressed ({finding.suppression.kind}){reason}]"
    if colour:
        where = f"{_BOLD}{where}{_RESET}"
        label = f"{_BOLD}{_COLOURS[finding.severity]}{label}{_RESET}"
        suffix = f"{_DIM}{suffix}{_RESET}" if suffix else ""
    return f"{where} {label} {printable(finding.message)}{suffix}"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.strip().splitlines() if line.strip()), "")


def rule_notes(rule: Rule | None, rule_id: str, colour: bool) -> list[str]:
    """The lines `full` adds under a finding: what the rule is about and how to fix it."""
    notes = []
    if rule is not None:
        notes.append(f"{rule.name}: {rule.title}")
        fix = _first_line(rule.help.get("fix", ""))
        if fix:
            notes.append(f"fix: {fix}")
    notes.append(f"help: deploylint rule {rule_id}")
    prefix = f"{_DIM}  = " if colour else "  = "
    end = _RESET if colour else ""
    return [f"{prefix}{printable(note)}{end}" for note in notes]


def summary(result: RunResult) -> str:
    shown = result.shown
    counts = Counter(f.severity for f in shown)
    parts = [_plural(counts[sev], sev.value) for sev in Severity if counts[sev]]
    head = _plural(len(shown), "finding") + (f" ({', '.join(parts)})" if parts else "")
    unexplained = sum(1 for f in result.suppressed if f.suppression is not None and not f.suppression.reason)
    suppressed = f"{len(result.suppressed)} suppressed" + (f" ({unexplained} without a reason)" if unexplained else "")
    tail = [suppressed, _plural(len(result.files), "file")]
    if result.unparsable:
        tail.append(f"{result.unparsable} could not be parsed")
    if result.bare_ignores:
        tail.append(f"{_plural(result.bare_ignores, 'bare ignore comment')} without a rule list (no effect)")
    return ", ".join([head] + tail)


def fix_summary(result: RunResult) -> str:
    """How many findings were fixed, and how many more the fixes could fix."""
    safe, unsafe = fix_counts(result)
    lines = [f"{_plural(result.fixed, 'finding')} fixed"] if result.fixed else []
    if safe:
        more = f" ({unsafe} more with `--fix --unsafe-fixes`)" if unsafe else ""
        lines.append(f"{safe} fixable with `--fix` [*]{more}")
    elif unsafe:
        lines.append(f"{unsafe} fixable with `--fix --unsafe-fixes`")
    return "".join(line + "\n" for line in lines)


def fix_counts(result: RunResult) -> tuple[int, int]:
    """Shown findings with a safe fix, and with an unsafe one."""
    fixes = [f.fix for f in result.shown if f.fix is not None]
    safe = sum(1 for fix in fixes if fix.safety == SAFE)
    return safe, len(fixes) - safe


def statistics(result: RunResult) -> str:
    return "\n".join(f"{n:>5}  {rid:<8} {name}" for rid, name, n in rule_counts(result.shown))


def render(
    result: RunResult, *, colour: bool = False, show_suppressed: bool = False, with_statistics: bool = False,
    full: bool = False, show_path: Callable[[str], str] = str,
) -> str:
    """`show_path`: how a finding's path is shown (`location.cwd_relative`)."""
    return "".join(render_lines(result, colour=colour, show_suppressed=show_suppressed, with_statistics=with_statistics,
                                full=full, show_path=show_path))


def render_lines(
    result: RunResult, *, colour: bool = False, show_suppressed: bool = False, with_statistics: bool = False,
    full: bool = False, show_path: Callable[[str], str] = str,
) -> Iterator[str]:
    """The report line by line, each with its line break (written as it is
    made: a large run's report is not held whole in memory)."""
    findings = result.findings if show_suppressed else result.shown
    rules = {r.id: r for r in result.rules}
    for finding in findings:
        yield format_finding(finding, colour, show_path) + "\n"
        if full:
            yield from (note + "\n" for note in rule_notes(rules.get(finding.rule_id), finding.rule_id, colour))
    if with_statistics and result.shown:
        yield "\n" + statistics(result) + "\n"
    if findings or (with_statistics and result.shown):
        yield "\n"
    yield fix_summary(result) + summary(result) + "\n"  # the summary stays the last line
