"""Checks that work on every format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..selectors import Subject
from . import PythonCheck, Violation


def report_problem(subject: Subject, params: Any) -> Iterator[Violation]:
    """A parse problem is its own finding: the selector already found it."""
    yield Violation(subject.anchor)


CHECKS = {
    "report-problem": PythonCheck(report_problem),
}
