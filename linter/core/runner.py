"""The pipeline on some files: discover -> read and parse -> assemble ->
evaluate -> suppress. `lint.run` runs it once, or in worker processes
(`parallel.py`) that each run it on a partition; `shard.py` picks a CI shard's files.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.context import deployment_context
from linter.core.discover import Candidate, discover
from linter.core.embedding import EMBEDDED, Embedded, consumer_context, embedding_of, place_held_files
from linter.core.engine import CompiledRule, evaluate, finding_order
from linter.core.errorlog import ErrorLog
from linter.core.errors import UsageError
from linter.core.findings import Finding
from linter.core.loader import Loader, RunFacts
from linter.core.model import ParsedFile, ParseProblem, SourceFile, Span
from linter.core.run_types import PartialResult, Progress, RunContext, RunResult, Settings
from linter.core.units import LintUnit
from linter.core.workspace import ReadFailure, Workspace, decode
from linter.formats.common.secrets import load_policy, policy_in_effect

if TYPE_CHECKING:
    from linter.core.result_cache import ResultCache


def _failed_file(candidate: Candidate, problem: ParseProblem) -> ParsedFile:
    source = SourceFile(candidate.relpath, candidate.abspath, "")
    return ParsedFile(source, candidate.format or "unknown", [], [problem])


def find_candidates(settings: Settings, paths: list[str]) -> list[Candidate]:
    """The files to lint (this shard's, when sharding)."""
    candidates = discover(paths, settings.root, excludes=settings.excludes, formats=settings.formats, format_hint=settings.format_hint,
                          respect_gitignore=settings.respect_gitignore, texts=settings.texts) if paths else []
    if settings.shard is None:
        return candidates
    from linter.core.shard import split_shard

    return split_shard(candidates, *settings.shard, settings.formats)


UNPARSABLE = ("DL001", "DL005", "DL006")  # problems that leave a file unparsed
UNKNOWN_FORMAT = "cannot tell the file's format, so it was not linted (name it with --format-hint, or skip such files with --ignore-unknown)"


def parse_all(settings: Settings, loader: Loader, paths: list[str]) -> tuple[list[ParsedFile], int]:
    """Read and parse every candidate; failures become parsed files holding a problem."""
    return parse_candidates(settings, loader, find_candidates(settings, paths), with_stdin=True)


def parse_candidates(
    settings: Settings, loader: Loader, candidates: list[Candidate], *, with_stdin: bool, progress: Progress | None = None
) -> tuple[list[ParsedFile], int]:
    parsed: list[ParsedFile] = []
    unparsable = 0
    for candidate in candidates:
        if candidate.unreadable:
            problem = f"{candidate.unreadable}; its files were not linted"
            parsed.append(_failed_file(candidate, ParseProblem("DL001", problem, Span.start(candidate.relpath))))
            continue
        if candidate.format is None:  # named on the command line: a DL008 warning, the run goes on
            if not settings.ignore_unknown:
                parsed.append(_failed_file(candidate, ParseProblem("DL008", UNKNOWN_FORMAT, Span.start(candidate.relpath))))
            continue
        result = loader.load(Path(candidate.abspath), candidate.format)
        if isinstance(result, ParseProblem):
            result = _failed_file(candidate, result)
        result.source.path = candidate.relpath
        parsed.append(result)
        parsed.extend(embedded_files(result, loader, settings.root))
        if progress is not None:
            progress("parsed", 1)
    if with_stdin and settings.stdin is not None:
        parsed.append(_stdin_file(settings, loader))
    for p in parsed:  # files, not the configs they hold (whose DL001 is a finding of its own)
        if EMBEDDED not in p.meta and any(problem.rule_id in UNPARSABLE for problem in p.problems):
            unparsable += 1
    return parsed, unparsable


def embedded_files(holder: ParsedFile, loader: Loader, root: Path) -> list[ParsedFile]:
    """The files a parsed file holds, each parsed by the format its name and
    content say (never the holder's own: a manifest inside a manifest is data)."""
    fmt = loader.formats.find(holder.format)
    if fmt is None or any(p.rule_id in UNPARSABLE for p in holder.problems):
        return []
    return _parse_held(fmt.embedded(holder), holder.format, loader, root)


def _parse_held(held_files: list[Embedded], holder_format: str, loader: Loader, root: Path) -> list[ParsedFile]:
    found = []
    for held in held_files:
        inner = loader.formats.detect(Path(held.name), held.source.text[:8192].lstrip(), root)
        if inner is not None and inner != holder_format:
            held.source.held_as = held.name
            parsed = loader.parse_guarded(held.source, inner)
            parsed.meta[EMBEDDED] = replace(held, holder_format=holder_format)
            found.append(parsed)
    return found


def held_in_units(units: list[LintUnit], loader: Loader) -> list[LintUnit]:
    """The units of the files held in objects the units made (a chart's
    render): each value once, however many renders printed it."""
    seen: set[tuple[str, int, int]] = set()
    parsed: list[ParsedFile] = []
    for unit in units:
        fmt = loader.formats.find(unit.format)
        fresh = []
        try:
            found = fmt.held_in_unit(unit, loader) if fmt is not None else []
        except Exception as exc:  # a bug here loses this unit's held files, not the run
            where = loader.error_log.where(f"{unit.format} held files", exc)
            message = f"internal error finding the files held in {unit.path} ({type(exc).__name__}); {where}"
            unit.main.problems.append(ParseProblem("DL006", message, Span.start(unit.path)))
            continue
        for held in found:
            at = (held.value.file, held.value.line, held.value.column) if held.value is not None else (held.source.path, 0, 0)
            if at not in seen:
                seen.add(at)
                fresh.append(held)
        parsed += _parse_held(fresh, unit.format, loader, loader.workspace.root)
    return assemble(parsed, loader) if parsed else []


def _stdin_file(settings: Settings, loader: Loader) -> ParsedFile:
    """Standard input; bytes are decoded like a file's (NUL, UTF-8 and BOM checks)."""
    assert settings.stdin is not None
    name, content = settings.stdin
    head = content[:8192] if isinstance(content, str) else content[:8192].decode("utf-8", "replace")
    fmt = settings.format_hint or settings.formats.detect(Path(name), head, settings.root)
    if fmt is None:
        raise UsageError(f"{name}: cannot tell the format of standard input (use --format-hint)")
    if isinstance(content, bytes):
        try:
            content = decode(content, name, settings.formats.get(fmt).declared_encoding)
        except ReadFailure as exc:
            return ParsedFile(SourceFile(name, name, ""), fmt, [], [exc.problem])
    return loader.parse_guarded(SourceFile(name, name, content), fmt)


def assemble(parsed: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    """Parsed files grouped into lint units by their format (nginx include
    trees, ClickHouse merges); a file no format read is a unit of its own."""
    by_format: dict[str, list[ParsedFile]] = {}
    held: dict[tuple[str, str], list[ParsedFile]] = {}
    for index, p in enumerate(parsed):
        embedding = embedding_of(p)
        if embedding is None:
            by_format.setdefault(p.format, []).append(p)
        else:
            # A held file shares its holder's path: it is assembled alone, or
            # with the files of its group when its format makes one
            # installation of them, never with another file of that path.
            fmt = loader.formats.find(p.format)
            together = fmt is not None and fmt.held_installation and embedding.group
            group = embedding.group if together else f"#{index}"
            held.setdefault((p.format, group), []).append(p)
    groups = [(name, by_format[name]) for name in sorted(by_format)]
    groups += [(fmt, files) for (fmt, _), files in held.items()]
    units: list[LintUnit] = []
    for name, files in groups:
        fmt = loader.formats.find(name)
        if fmt is None:
            units.extend(LintUnit(name, f.path, [f]) for f in files)
            continue
        try:
            units.extend(fmt.build_units(files, loader))
        except Exception as exc:  # an assembly bug loses this format's checks, not the run
            units.extend(_unassembled(files, name, exc, loader.error_log))
    return units


def _unassembled(files: list[ParsedFile], fmt: str, exc: Exception, log: ErrorLog) -> list[LintUnit]:
    """Each file alone, as a unit only format-independent rules (DL, secrets) look at."""
    where = log.where(f"{fmt} assembly", exc)
    message = f"internal error assembling the {fmt} files ({type(exc).__name__}); {where}"
    for f in files:
        f.problems.append(ParseProblem("DL006", message, Span.start(f.path)))
    return [LintUnit("unknown", f.path, [f]) for f in files]


@dataclass(slots=True)
class _Linted:
    result: PartialResult
    # The first `checked` findings are the rules' (a baseline may suppress
    # them); the rest are the suppressions' own (DL002, DL010, DL011).
    checked: int
    units: list[LintUnit]


def _pipeline(candidates: list[Candidate], settings: Settings, *, with_stdin: bool, walked: frozenset[str],
              reads: dict[str, str] | None = None, compiled: dict[str, CompiledRule] | None = None,
              facts: RunFacts | None = None) -> _Linted:
    """Parse, assemble, evaluate and suppress some files (recording in `reads`
    every file read, when given; keeping the rules compiled in `compiled`, and
    the facts of the files on disk in `facts`, for the next group)."""
    patterns = settings.options.get("secret_patterns")
    with policy_in_effect(load_policy(*map(Path, patterns)) if patterns else None):
        loader = Loader(Workspace(settings.root, settings.limits, settings.options, settings.texts, reads, settings.project), settings.formats,
                        facts=facts if facts is not None else RunFacts())
        progress = settings.progress
        parsed, unparsable = parse_candidates(settings, loader, candidates, with_stdin=with_stdin, progress=progress)
        units = assemble(parsed, loader)
        units += held_in_units(units, loader)
        if progress is not None:
            progress("units", len(units))
        context = units + deployment_context(units, candidates, loader, settings, walked)
        # The builds consuming a linted file (a generated ConfigMap's redis.conf), however the run was split.
        context += consumer_context(units, loader, {rule.target.format for rule in settings.rules})
        ctx = RunContext(context, settings.options)
        place_held_files(units, ctx, settings.formats, loader.error_log)
        checked = evaluate(settings.rules, units, ctx, settings.formats, progress, settings.limits, loader.error_log, compiled)
        from linter.core.suppress import apply_suppressions

        findings = apply_suppressions(checked, units, settings)
    from linter.core.suppress import bare_ignores

    bare = bare_ignores(units) if settings.inline_suppressions else 0
    result = PartialResult(findings, _formats_of(units), unparsable, bare)
    return _Linted(result, len(checked), units)


def _formats_of(units: list[LintUnit]) -> dict[str, str]:
    """Each linted file's format, by display path: a file's own, never that of
    a config it holds (a ConfigMap's nginx.conf shares the ConfigMap's path)."""
    formats: dict[str, str] = {}
    for held in (False, True):
        for unit in units:
            for f in unit.files:
                if (embedding_of(f) is not None) == held:
                    formats.setdefault(f.path, f.format)
    return formats


def lint_candidates(candidates: list[Candidate], settings: Settings, *, with_stdin: bool,
                    walked: frozenset[str] = frozenset()) -> PartialResult:
    """The pipeline on some files (the others of their deployments, linted by
    another worker or shard or not at all, are read as context: `context.py`),
    group by group so memory is bounded by the largest group, not the run."""
    if with_stdin and settings.stdin is not None:  # standard input joins the files it is linted with
        return _pipeline(candidates, settings, with_stdin=True, walked=walked).result
    cache = settings.cache if not settings.texts else None  # the fix loop lints texts that are not on disk
    return _lint_grouped(candidates, settings, cache, walked)


def _lint_grouped(candidates: list[Candidate], settings: Settings, cache: ResultCache | None, walked: frozenset[str]) -> PartialResult:
    """The pipeline group by group (`shard.groups`: the files whose findings
    depend on each other), each group's trees dropped once its rules ran. A
    group's lint is the lint a worker given just that group makes
    (`parallel.py`), so the output is the one of all files at once. With a
    cache, a group's result is taken from it when its files and everything its
    lint read are unchanged; the baseline is applied last, to cached and fresh
    findings alike, so entries do not depend on it."""
    from linter.core.result_cache import as_entry, cacheable
    from linter.core.shard import groups

    today = date.today()
    unbaselined = replace(settings, baseline=None)
    limit = settings.limits.max_file_bytes
    compiled: dict[str, CompiledRule] = {}  # the groups share their compiled rules, as one run's units do
    facts = RunFacts()
    keeping = cache is not None
    entries = []
    for members in groups(candidates, settings.formats).values():
        key = cache.group_key(members, settings, walked) if cache is not None else ""
        entry = cache.get(key, settings, today) if cache is not None else None
        if entry is not None:
            if settings.progress is not None:
                settings.progress("parsed", len(members))
            entries.append(entry)
            continue
        reads: dict[str, str] = {}  # recorded only for the cache
        linted = _pipeline(members, unbaselined, with_stdin=False, walked=walked, reads=reads if cache is not None else None,
                           compiled=compiled, facts=facts)
        own = {c.abspath for c in members}
        # A dated suppression (`until=`) makes the findings the day's.
        dated = cache is not None and any("until=" in f.source.text for unit in linted.units for f in unit.files)
        entry = as_entry(linted.result, linted.checked, {p: d for p, d in reads.items() if p not in own}, dated, today)
        del linted  # this group's trees go now
        entries.append(entry)
        if cache is None:
            continue
        # A time-limit or internal error taints the rest of the run (a rule
        # that timed out is not run again on later groups): nothing more is kept.
        keeping = keeping and cacheable(entry.findings)
        unchanged = all(reads.get(c.abspath, cache.digest(c.abspath, limit)) == cache.digest(c.abspath, limit) for c in members)
        if keeping and unchanged:  # a file edited while it was linted is not kept
            cache.put(key, entry)
    findings: list[Finding] = []
    formats: dict[str, str] = {}
    for entry in entries:
        if settings.baseline is not None:
            for finding in entry.findings[:entry.checked]:
                if not finding.suppressed:
                    finding.suppression = settings.baseline.consume(finding)
        findings.extend(entry.findings)
        formats.update(entry.formats)
    return PartialResult(findings, formats, sum(e.unparsable for e in entries), sum(e.bare_ignores for e in entries))


def merge_results(parts: list[PartialResult], settings: Settings) -> RunResult:
    findings = [f for part in parts for f in part.findings]
    findings.sort(key=finding_order)
    formats: dict[str, str] = {}
    for part in parts:
        formats.update(part.formats)
    return RunResult(findings, sorted(formats), settings.rules, sum(p.unparsable for p in parts), formats,
                     sum(p.bare_ignores for p in parts))


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
