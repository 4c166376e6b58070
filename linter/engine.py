"""The engine: discover → parse → assemble → select → check → suppress.

It knows no format and no rule: formats plug in through `parsers`, `selectors`
and `checks`; rules are data. Output is a `RunResult` the reporters format.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .baseline import Baseline
from .budget import CheckBudget
from .checks import PythonCheck, Violation, build_params, python_check
from .discover import Candidate, discover
from .errorlog import ErrorLog
from .errors import UsageError
from .findings import Finding, Severity, printable
from .model import ParsedFile, ParseProblem, SourceFile, Span
from .parsers import encoding_sniffer, parser_module
from .rules import Rule
from .selectors import Subject, get_selector
from .units import LintUnit
from .workspace import Limits, ReadFailure, Workspace, decode

Progress = Callable[[str, int], None]


@dataclass(slots=True)
class RunContext:
    """What selectors and checks may know about the run beyond their unit."""

    units: list[LintUnit]
    options: dict[str, Any] = field(default_factory=dict)
    # Per-run memo for selectors that derive something from every unit (e.g. the
    # autoscaler targets); dies with the run, so no parsed tree outlives it.
    cache: dict[str, Any] = field(default_factory=dict)

    def units_of(self, fmt: str) -> list[LintUnit]:
        return [u for u in self.units if u.format == fmt]


@dataclass(slots=True)
class Settings:
    root: Path
    rules: list[Rule]  # enabled rules, severities and params already resolved
    excludes: tuple[str, ...] = ()
    format_hint: str | None = None
    ignore_unknown: bool = False
    limits: Limits = field(default_factory=Limits)
    options: dict[str, Any] = field(default_factory=dict)  # pod_templates, nginx_prefix, ...
    stdin: tuple[str, str | bytes] | None = None  # (display name, content) for `-`
    inline_suppressions: bool = True  # False: comments and annotations are ignored (strict CI)
    rule_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)  # rule ID -> path globs (config)
    config_source: str = "the config"  # named in config-ignore suppressions
    baseline: Baseline | None = None
    jobs: int = 1  # worker processes; 0: one per CPU (small runs stay in-process)
    shard: tuple[int, int] | None = None  # (index, total), 1-based: lint only this shard's files
    progress: Progress | None = None  # called with ("parsed"|"units"|"checked", count)


@dataclass(slots=True)
class RunResult:
    findings: list[Finding]
    files: list[str]  # display paths of every file linted
    rules: list[Rule]
    unparsable: int = 0
    formats: dict[str, str] = field(default_factory=dict)  # display path -> format

    @property
    def shown(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]


class _Vars(dict):  # type: ignore[type-arg]
    """Message template variables; an unknown `{name}` stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(template: str, variables: dict[str, Any]) -> str:
    """The message, with control characters from the linted files escaped and
    any provider-shaped credential redacted (a key pasted where a name goes
    would otherwise reach a parse error's message)."""
    try:
        return printable(_mask_credentials(template.format_map(_Vars(variables))))
    except (ValueError, IndexError, AttributeError):
        return template


def _mask_credentials(text: str) -> str:
    from .secrets import find_credentials, redact

    end = len(text)
    for match in reversed(find_credentials(text)):
        if match.end <= end:  # of overlapping matches, the rightmost is redacted whole
            text = text[: match.start] + redact(text[match.start : match.end]) + text[match.end :]
            end = match.start
    return text


class CompiledRule:
    """A rule with its selector and check resolved, ready to run many times."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        options = dict(rule.target.options)
        fmt = rule.target.format
        if rule.target.select == "problems":
            options["rule_id"] = rule.id
        self.options = options
        self.selector = get_selector(fmt, rule.target.select)
        # Rules with the same selector and options share its subjects within a unit.
        self.subjects_key = (fmt, rule.target.select, repr(sorted(options.items())))
        self.params: Any = rule.params
        if rule.check_kind == "schema":
            from .checks.schema import SchemaCheck

            self.check: Any = SchemaCheck(rule.check_body)
        elif rule.check_kind == "assert":
            from .checks.assertions import AssertCheck

            self.check = AssertCheck(rule.check_body)
        else:
            check: PythonCheck = python_check(fmt, rule.check_body)
            self.check = check.fn
            self.params = build_params(check.params, rule.params, f"{rule.source or rule.id}: params")

    def run(
        self, unit: LintUnit, ctx: RunContext, subjects: dict[Any, list[Subject]] | None = None, budget: CheckBudget | None = None
    ) -> Iterable[Finding]:
        """The rule's findings on one unit; `subjects` memoises selectors per unit
        (twenty container rules need the containers selected only once)."""
        if subjects is None:
            selected: Iterable[Subject] = self.selector(unit, self.options, ctx)
        else:
            cached = subjects.get(self.subjects_key)
            if cached is None:
                cached = subjects[self.subjects_key] = list(self.selector(unit, self.options, ctx))
            selected = cached
        for subject in selected:
            if budget is not None:
                budget.check(unit)
            for violation in self.check(subject, self.params):
                yield self._finding(subject, violation)

    def _finding(self, subject: Subject, violation: Violation) -> Finding:
        rule = self.rule
        variables: dict[str, Any] = dict(subject.context)
        variables.update(violation.vars)
        variables.setdefault("params", rule.params)
        for key, value in rule.params.items():
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


def _failed_file(candidate: Candidate, problem: ParseProblem) -> ParsedFile:
    source = SourceFile(candidate.relpath, candidate.abspath, "")
    return ParsedFile(source, candidate.format or "unknown", [], [problem])


def find_candidates(settings: Settings, paths: list[str]) -> tuple[list[Candidate], list[Candidate]]:
    """The files to lint and, when sharding, the other shards' files (which
    may still hold context for cross-file rules, see `context.py`)."""
    candidates = discover(paths, settings.root, excludes=settings.excludes, format_hint=settings.format_hint) if paths else []
    if settings.shard is None:
        return candidates, []
    from .shard import split_shard

    return split_shard(candidates, *settings.shard)


UNPARSABLE = ("DL001", "DL005", "DL006")  # problems that leave a file unparsed


def parse_all(settings: Settings, workspace: Workspace, paths: list[str]) -> tuple[list[ParsedFile], int]:
    """Read and parse every candidate; failures become parsed files holding a problem."""
    return parse_candidates(settings, workspace, find_candidates(settings, paths)[0], with_stdin=True)


def parse_candidates(
    settings: Settings, workspace: Workspace, candidates: list[Candidate], *, with_stdin: bool, progress: Progress | None = None
) -> tuple[list[ParsedFile], int]:
    parsed: list[ParsedFile] = []
    unparsable = 0
    for candidate in candidates:
        if candidate.format is None:
            if settings.ignore_unknown:
                continue
            raise UsageError(f"{candidate.relpath}: cannot tell the file's format (use --format-hint, or --ignore-unknown)")
        result = workspace.load(Path(candidate.abspath), candidate.format)
        if isinstance(result, ParseProblem):
            result = _failed_file(candidate, result)
        result.source.path = candidate.relpath
        parsed.append(result)
        if progress is not None:
            progress("parsed", 1)
    if with_stdin and settings.stdin is not None:
        parsed.append(_stdin_file(settings, workspace))
    for p in parsed:
        if any(problem.rule_id in UNPARSABLE for problem in p.problems):
            unparsable += 1
    return parsed, unparsable


def _stdin_file(settings: Settings, workspace: Workspace) -> ParsedFile:
    """Standard input; bytes are decoded like a file's (NUL, UTF-8 and BOM checks)."""
    from .discover import detect_format

    assert settings.stdin is not None
    name, content = settings.stdin
    head = content[:8192] if isinstance(content, str) else content[:8192].decode("utf-8", "replace")
    fmt = settings.format_hint or detect_format(Path(name), head)
    if fmt is None:
        raise UsageError(f"{name}: cannot tell the format of standard input (use --format-hint)")
    if isinstance(content, bytes):
        try:
            content = decode(content, name, encoding_sniffer(fmt))
        except ReadFailure as exc:
            return ParsedFile(SourceFile(name, name, ""), fmt, [], [exc.problem])
    return workspace.parse_guarded(SourceFile(name, name, content), fmt)


def assemble(parsed: list[ParsedFile], workspace: Workspace) -> list[LintUnit]:
    by_format: dict[str, list[ParsedFile]] = {}
    for p in parsed:
        by_format.setdefault(p.format, []).append(p)
    units: list[LintUnit] = []
    for fmt in sorted(by_format):
        files = by_format[fmt]
        if fmt == "unknown":
            units.extend(LintUnit(fmt, f.path, [f]) for f in files)
            continue
        try:
            units.extend(parser_module(fmt).build_units(files, workspace))
        except Exception as exc:  # an assembly bug loses this format's checks, not the run
            units.extend(_unassembled(files, fmt, exc, workspace.error_log))
    return units


def _unassembled(files: list[ParsedFile], fmt: str, exc: Exception, log: ErrorLog) -> list[LintUnit]:
    """Each file alone, as a unit only format-independent rules (DL, secrets) look at."""
    where = log.where(f"{fmt} assembly", exc)
    message = f"internal error assembling the {fmt} files ({type(exc).__name__}); {where}"
    for f in files:
        f.problems.append(ParseProblem("DL006", message, Span.point(f.path, 1, 1)))
    return [LintUnit("unknown", f.path, [f]) for f in files]


def internal_error_finding(rule: Rule, unit: LintUnit, exc: BaseException, log: ErrorLog | None = None) -> Finding:
    where = (log or ErrorLog()).where(f"{rule.id} on {unit.path}", exc)
    return Finding(
        rule_id="DL006",
        rule_name="internal-error",
        severity=Severity.ERROR,
        message=f"internal error in rule {rule.id} ({type(exc).__name__}); {where}",
        span=Span.point(unit.path, 1, 1),
        logical=f"{rule.id}",
    )


def _reports_problems(rule: Rule) -> bool:
    """The built-in DL rules replay what parsing found: cheap, and never skipped."""
    return rule.builtin and rule.id.startswith("DL")


def evaluate(
    rules: list[Rule],
    units: list[LintUnit],
    ctx: RunContext,
    progress: Progress | None = None,
    limits: Limits | None = None,
    log: ErrorLog | None = None,
) -> list[Finding]:
    """Every rule on every unit, unit by unit (so progress can be shown);
    a rule is compiled only when some unit can use it. A unit whose checks
    overrun the per-file time budget gets the remaining rules skipped (a DL005
    says which), except the DL rules that replay parse problems."""
    findings: list[Finding] = []
    compiled: dict[str, CompiledRule] = {}
    budget = CheckBudget((limits or Limits()).max_seconds_per_file)
    log = log or ErrorLog()
    for unit in units:
        subjects: dict[Any, list[Subject]] = {}
        for rule in rules:
            if rule.target.format not in ("any", unit.format):
                continue
            if budget.exhausted(unit) and not _reports_problems(rule):
                budget.skip(unit, rule)
                continue
            if rule.id not in compiled:
                compiled[rule.id] = CompiledRule(rule)
            try:
                with budget.charge(unit, rule):
                    findings.extend(compiled[rule.id].run(unit, ctx, subjects, budget))
            except UsageError:
                raise
            except Exception as exc:  # one rule's bug must not lose the run
                findings.append(internal_error_finding(rule, unit, exc, log))
        if progress is not None:
            progress("checked", 1)
    return findings + budget.findings(rules)


def finding_order(finding: Finding) -> tuple[Any, ...]:
    """A total order, so merged results of parallel runs and shards equal a serial run's."""
    s = finding.span
    return (*finding.sort_key(), s.end_line, s.end_column, finding.logical)


def lint_units(
    units: list[LintUnit], settings: Settings, ctx: RunContext, progress: Progress | None = None, log: ErrorLog | None = None
) -> list[Finding]:
    """Evaluate and suppress: the findings of some units, in no particular order."""
    findings = evaluate(settings.rules, units, ctx, progress, settings.limits, log)
    from .suppress import apply_suppressions

    return apply_suppressions(findings, units, settings)


def run(paths: list[str], settings: Settings) -> RunResult:
    with paused_gc():
        candidates, outside = find_candidates(settings, paths)
        if settings.progress is not None:
            settings.progress("files", len(candidates))
        if settings.jobs != 1 and settings.stdin is None:
            from . import parallel

            jobs = parallel.effective_jobs(settings.jobs, candidates)
            if jobs > 1:
                return parallel.run_parallel(candidates, outside, settings, jobs)
        return merge_results([lint_candidates(candidates, outside, settings, with_stdin=True)], settings)


@dataclass(slots=True)
class PartialResult:
    """What linting some of the files yields; several merge into a RunResult."""

    findings: list[Finding]
    formats: dict[str, str]  # display path -> format
    unparsable: int


def lint_candidates(candidates: list[Candidate], outside: list[Candidate], settings: Settings, *, with_stdin: bool) -> PartialResult:
    """The pipeline on some files; `outside` are files linted elsewhere (other
    workers or shards) whose cross-file context the rules may still need."""
    workspace = Workspace(settings.root, settings.limits, settings.options)
    progress = settings.progress
    if settings.options.get("secret_patterns"):  # in every worker process: the classifier is per process
        from .secrets import load_policy, use_policy

        use_policy(load_policy(*map(Path, settings.options["secret_patterns"])))
    parsed, unparsable = parse_candidates(settings, workspace, candidates, with_stdin=with_stdin, progress=progress)
    units = assemble(parsed, workspace)
    if progress is not None:
        progress("units", len(units))
    context = units
    if outside:
        from .context import outside_context

        context = units + outside_context(outside, workspace, settings.rules)
    findings = lint_units(units, settings, RunContext(context, settings.options), progress, workspace.error_log)
    return PartialResult(findings, {f.path: f.format for u in units for f in u.files}, unparsable)


def merge_results(parts: list[PartialResult], settings: Settings) -> RunResult:
    findings = [f for part in parts for f in part.findings]
    findings.sort(key=finding_order)
    formats: dict[str, str] = {}
    for part in parts:
        formats.update(part.formats)
    return RunResult(findings, sorted(formats), settings.rules, sum(p.unparsable for p in parts), formats)


@contextmanager
def paused_gc() -> Iterator[None]:
    """The parsed trees are large, long-lived and free of reference cycles: the
    cyclic collector would rescan them again and again (two thirds of a large
    run's time), so it is paused for the run and allowed to catch up after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
