"""Reading and parsing files, once per run.

Discovery's files and the files they refer to (nginx `include`, ClickHouse
`config.d/`) all go through `Loader.load`: every read is confined and bounded
by the workspace, parsed by its format, and parsed at most once per run. A
parser's bug on one file becomes a DL006 problem for that file, not a dead run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from linter.core.errorlog import ErrorLog
from linter.core.format import FormatRegistry
from linter.core.model import ParsedFile, ParseProblem, SourceFile, Span
from linter.core.workspace import ReadFailure, Workspace


@dataclass
class Loader:
    workspace: Workspace
    formats: FormatRegistry
    error_log: ErrorLog = field(default_factory=ErrorLog)  # the run's internal-error log
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
