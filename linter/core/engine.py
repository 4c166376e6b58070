"""The engine: every rule on every lint unit (select -> check -> finding).

It knows no format and no rule: a rule's selector and Python check come from
its format (`FormatRegistry`), schema and assert checks from `core/checks/`;
rules are data. The pipeline around it (discover, parse, assemble, suppress)
is `runner.py`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from linter.core.budget import BudgetExceeded, CheckBudget, UnitClock
from linter.core.check import PythonCheck, Violation, build_params
from linter.core.embedding import embedding_of, held_identity
from linter.core.errorlog import ErrorLog
from linter.core.errors import UsageError
from linter.core.findings import Finding
from linter.core.fix import Fix, Fixer
from linter.core.format import COMMON, FormatRegistry
from linter.core.messages import render_message, tool_finding
from linter.core.model import LineIndex, Span
from linter.core.regex_guard import TIMEOUT_SECONDS, RegexTimeout
from linter.core.rules import Rule
from linter.core.run_types import Progress, RunContext
from linter.core.subject import Subject
from linter.core.units import BUILT_BY, LintUnit
from linter.core.workspace import Limits


class CompiledRule:
    """A rule with its selector and check resolved, ready to run many times."""

    def __init__(self, rule: Rule, formats: FormatRegistry) -> None:
        self.rule = rule
        options = dict(rule.target.options)
        fmt = rule.target.format
        if rule.target.select == "problems":
            options["rule_id"] = rule.id
        self.options = options
        where = rule.source or rule.id
        try:
            self.selector = formats.selector(fmt, rule.target.select)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        # Rules with the same selector and options share its subjects within a unit.
        self.subjects_key = (fmt, rule.target.select, repr(sorted(options.items())))
        self.params: Any = rule.params
        if rule.check_kind != "python" and not self.selector.nodes:
            raise UsageError(
                f"{where}: {rule.check_kind} checks read a node, "
                f"and `select: {rule.target.select}` yields subjects without one: use a python check"
            )
        if rule.check_kind == "schema":
            from linter.core.checks.schema import SchemaCheck

            self.check: Any = SchemaCheck(rule.check_body, trusted=rule.builtin)
        elif rule.check_kind == "assert":
            from linter.core.checks.assertions import AssertCheck

            self.check = AssertCheck(rule.check_body)
        else:
            try:
                check: PythonCheck = formats.python_check(fmt, rule.check_body)
            except UsageError as exc:
                raise UsageError(f"{where}: {exc}") from None
            refusal = check.refusal(rule.check_body, rule.target.select, formats.selectors(fmt))
            if refusal:
                raise UsageError(f"{where}: {refusal}")
            self.check = check.fn
            self.params = build_params(check.params, rule.params, f"{where}: params")
        self.fixer, self.fix_params = _fixer(rule, formats, where)
        # Message templates may name any param; a Python check's defaults live
        # in its typed params, so the values come from those, not the rule file.
        self.message_params: dict[str, Any] = (
            {f.name: getattr(self.params, f.name) for f in dataclasses.fields(self.params)}
            if dataclasses.is_dataclass(self.params) else dict(rule.params)
        )

    def run(
        self, unit: LintUnit, ctx: RunContext, subjects: dict[Any, list[Subject]] | None = None, clock: UnitClock | None = None
    ) -> Iterable[Finding]:
        """The rule's findings on one unit; `subjects` memoises selectors per unit
        (twenty container rules need the containers selected only once)."""
        if subjects is None:
            selected: Iterable[Subject] = self.selector(unit, self.options, ctx)
        else:
            cached = subjects.get(self.subjects_key)
            if cached is None:
                cached = subjects[self.subjects_key] = list(self.selector(unit, self.options, ctx))
            if not cached:
                return  # most rules select nothing in most units
            selected = cached
        texts: dict[str, LineIndex] | None = None
        held = held_identity(unit.files)
        for subject in selected:
            if clock is not None:
                clock.check()
            for violation in self.check(subject, self.params):
                finding = self._finding(subject, violation)
                if held:  # two Ingresses of one file with the same snippet are two findings
                    finding.logical = f"{held}/{finding.logical}"
                if self.rule.fix is not None:
                    texts = texts if texts is not None else _written_texts(unit)
                    finding.fix = self._fix(subject, violation, texts)
                yield finding

    def _fix(self, subject: Subject, violation: Violation, texts: dict[str, LineIndex]) -> Fix | None:
        """The finding's fix: the check's edits, else its rule's fixer's; only
        edits to one file the unit holds as written (not a rendered one)."""
        assert self.rule.fix is not None
        edits = violation.edits
        if not edits and self.fixer is not None:
            edits = tuple(self.fixer.fn(subject, violation, self.fix_params, texts))
        files = {e.file for e in edits}
        if len(files) != 1 or not files <= texts.keys():
            return None
        return Fix(self.rule.fix.safety, edits)

    def _finding(self, subject: Subject, violation: Violation) -> Finding:
        rule = self.rule
        variables: dict[str, Any] = dict(subject.context)
        variables.update(violation.vars)
        variables.setdefault("params", self.message_params)
        for key, value in self.message_params.items():
            variables.setdefault(key, value)
        logical = subject.logical + (f"/{violation.logical}" if violation.logical else "")
        extra: dict[str, Any] = {"scope": subject.scope} if subject.scope else {}
        if violation.security_severity is not None:
            extra["security_severity"] = violation.security_severity
        return Finding(
            rule_id=rule.id,
            rule_name=rule.name,
            severity=violation.severity or rule.severity,
            message=render_message(rule.message, variables),
            span=violation.span,
            logical=logical,
            tags=tuple(rule.tags),
            extra=extra,
        )


def _written_texts(unit: LintUnit) -> dict[str, LineIndex]:
    """The texts of the unit's files as they are on disk, by display path (a
    file held in another, a ConfigMap's nginx.conf, is not: its positions are
    the holder's, its text is not)."""
    return {f.path: f.source.line_index for f in unit.files if embedding_of(f) is None}


def _fixer(rule: Rule, formats: FormatRegistry, where: str) -> tuple[Fixer | None, Any]:
    """The rule's named fixer and its built params (None when it names none)."""
    if rule.fix is None or rule.fix.python is None:
        return None, None
    try:
        fixer = formats.fixer(rule.target.format, rule.fix.python)
    except UsageError as exc:
        raise UsageError(f"{where}: fix: {exc}") from None
    params = build_params(fixer.params, dict(rule.fix.params), f"{where}: fix.params") if fixer.params else None
    return fixer, params


def internal_error_finding(rules: list[Rule], rule: Rule, unit: LintUnit, exc: BaseException, log: ErrorLog | None = None) -> Finding | None:
    """DL006 for a rule that raised on a unit (None when the config disables DL006)."""
    where = (log or ErrorLog()).where(f"{rule.id} on {unit.path}", exc)
    detail = f"internal error in rule {rule.id} ({type(exc).__name__}); {where}"
    return tool_finding(rules, "DL006", detail, Span.start(unit.path), rule.id)


def regex_timeout_finding(rules: list[Rule], rule: Rule, unit: LintUnit, exc: RegexTimeout) -> Finding | None:
    """DL005 for a rule whose own regex overran its time bound on a unit."""
    pattern = str(exc) if len(str(exc)) <= 60 else str(exc)[:57] + "..."
    detail = (
        f"rule {rule.id}'s pattern {pattern!r} timed out (over {TIMEOUT_SECONDS:g} s on one value: catastrophic "
        "backtracking?) and is not run again; the rule did not (fully) run on this file"
    )
    return tool_finding(rules, "DL005", detail, Span.start(unit.path), rule.id)


def _reports_problems(rule: Rule) -> bool:
    """The built-in DL rules replay what parsing found: cheap, and never skipped."""
    return rule.builtin and rule.id.startswith("DL")


def evaluate(
    rules: list[Rule],
    units: list[LintUnit],
    ctx: RunContext,
    formats: FormatRegistry,
    progress: Progress | None = None,
    limits: Limits | None = None,
    log: ErrorLog | None = None,
    compiled: dict[str, CompiledRule] | None = None,
) -> list[Finding]:
    """Every rule on every unit, unit by unit (so progress can be shown);
    a rule is compiled only when some unit can use it (into `compiled`, when
    the caller keeps them for its next call). A unit whose checks
    overrun the per-file time budget gets the remaining rules skipped (a DL005
    says which), except the DL rules that replay parse problems."""
    findings: list[Finding] = []
    compiled = {} if compiled is None else compiled
    budget = CheckBudget((limits or Limits()).max_seconds_per_file)
    log = log or ErrorLog()
    shared: dict[tuple[str, Span], Finding] = {}  # (rule, place) -> the finding a unit with `reports_on` made there
    applicable: dict[str, list[Rule]] = {}  # a unit's format -> the rules that look at its units, in rule order
    for unit in units:
        subjects: dict[Any, list[Subject]] = {}
        clock = budget.clock(unit)
        first = len(findings)
        for_format = applicable.get(unit.format)
        if for_format is None:
            for_format = applicable[unit.format] = [r for r in rules if r.target.format in (COMMON, unit.format)]
        for rule in for_format:
            if clock.exhausted and not _reports_problems(rule):
                budget.skip(unit, rule)
                continue
            if rule.id not in compiled:
                compiled[rule.id] = CompiledRule(rule, formats)
            started = clock.start()
            try:
                findings.extend(compiled[rule.id].run(unit, ctx, subjects, clock))
            except BudgetExceeded:
                budget.skip(unit, rule)
            except UsageError:
                raise
            except RegexTimeout as exc:
                timed_out = regex_timeout_finding(rules, rule, unit, exc)
                if timed_out is not None:
                    findings.append(timed_out)
            except Exception as exc:  # one rule's bug must not lose the run
                error = internal_error_finding(rules, rule, unit, exc, log)
                if error is not None:
                    findings.append(error)
            finally:
                clock.stop(started)
        if unit.reports_on is not None:
            findings[first:] = _first_of_shared(findings[first:], unit, shared)
        if progress is not None:
            progress("checked", 1)
    return findings + budget.findings(rules)


def _first_of_shared(found: list[Finding], unit: LintUnit, shared: dict[tuple[str, Span], Finding]) -> list[Finding]:
    """A shared unit's findings on its own files that no earlier shared unit
    made (the tool's own DL findings, such as an internal error, are kept
    wherever they point). Each finding lists the builds that made it
    (`extra["built_by"]`: the overlays a base's finding was seen in)."""
    reports_on = unit.reports_on or frozenset()
    built_by = unit.meta.get(BUILT_BY)
    kept = []
    for finding in found:
        place = (finding.rule_id, finding.span)
        if not (finding.span.file in reports_on or finding.rule_id.startswith("DL")):
            continue
        first = shared.get(place)
        if first is None:
            shared[place] = first = finding
            kept.append(finding)
        if built_by:
            builds = first.extra.setdefault("built_by", [])
            if isinstance(builds, list) and built_by not in builds:
                builds.append(built_by)
    return kept


def finding_order(finding: Finding) -> tuple[Any, ...]:
    """A total order, so merged results of parallel runs and shards equal a serial run's."""
    s = finding.span
    return (*finding.sort_key(), s.end_line, s.end_column, finding.logical)
