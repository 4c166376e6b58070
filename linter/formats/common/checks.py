"""Checks that work on every format: parse problems and provider credentials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.model import ParseProblem, SourceFile
from linter.core.subject import Subject
from linter.formats.common.credentials import known_credential


def report_problem(subject: Subject, params: Any) -> Iterator[Violation]:
    """A parse problem is its own finding: the selector already found it."""
    yield Violation(subject.anchor)


CHECKS = {
    "known-credential": PythonCheck(known_credential, takes=(SourceFile,)),
    "report-problem": PythonCheck(report_problem, takes=(ParseProblem,)),
}
