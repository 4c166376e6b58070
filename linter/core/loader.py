"""Reading and parsing files, once per run.

Discovery's files and the files they refer to (nginx `include`, ClickHouse
`config.d/`) all go through `Loader.load`: every read is confined and bounded
by the workspace, parsed by its format, and parsed at most once per run. A
parser's bug on one file becomes a DL006 problem for that file, not a dead run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from linter.core.errorlog import ErrorLog
from linter.core.format import FormatRegistry
from linter.core.model import ParsedFile, ParseProblem, SourceFile, Span
from linter.core.workspace import ReadFailure, Workspace

T = TypeVar("T")


@dataclass
class RunFacts:
    """Facts about the files on disk that every group of a run asks for again
    (where the kustomizations are, what each one reaches), computed once per
    run. The files a fact was read from are replayed into each asking group's
    record (`Workspace.reads`), so a cached group depends on them as if it had
    read them itself."""

    _known: dict[str, tuple[object, dict[str, str]]] = field(default_factory=dict)

    def once(self, key: str, workspace: Workspace, compute: Callable[[], T]) -> T:
        found = self._known.get(key)
        if found is None:
            outer, workspace.reads = workspace.reads, ({} if workspace.reads is not None else None)
            try:
                value = compute()
            finally:
                recorded, workspace.reads = workspace.reads, outer
            found = self._known[key] = (value, recorded or {})
        if workspace.reads is not None:
            workspace.reads.update(found[1])
        return cast(T, found[0])


@dataclass
class Loader:
    workspace: Workspace
    formats: FormatRegistry
    error_log: ErrorLog = field(default_factory=ErrorLog)  # the run's internal-error log
    facts: RunFacts = field(default_factory=RunFacts)  # shared by the loaders of one run's groups
    _parsed: dict[str, ParsedFile | ParseProblem] = field(default_factory=dict)

    def load(self, path: Path, fmt: str) -> ParsedFile | ParseProblem:
        """Parse a file once per run; a failure is returned as a problem."""
        key = str(path.absolute())
        cached = self._parsed.get(key)
        if cached is not None:
            return cached
        try:
            source = self.workspace.read(path, sniff=self.formats.get(fmt).declared_encoding)
        except ReadFailure as exc:
            result: ParsedFile | ParseProblem = exc.problem
        else:
            result = self.parse_guarded(source, fmt)
        self._parsed[key] = result
        return result

    def parse(self, source: SourceFile, fmt: str) -> ParsedFile:
        """Parse with the file's format; every problem the parser placed in this
        file is fitted inside it (a parser's end-of-file or end-of-line position
        may lie one past the text, where no editor can show it)."""
        parsed = self.formats.get(fmt).parse(source, self)
        for problem in parsed.problems:
            if problem.span.file == source.path:
                problem.span = source.line_index.fit(problem.span)
        return parsed

    def parse_guarded(self, source: SourceFile, fmt: str) -> ParsedFile:
        """Parse; a parser bug on this file becomes a DL006 problem, not a dead run."""
        try:
            return self.parse(source, fmt)
        except Exception as exc:  # noqa: BLE001 - one parser bug must not end the run
            where = self.error_log.where(f"{fmt} parser on {source.path}", exc)
            problem = ParseProblem("DL006", f"internal error in the {fmt} parser ({type(exc).__name__}); {where}", Span.start(source.path))
        return ParsedFile(source, fmt, [], [problem])
