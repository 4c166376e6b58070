"""Checks on an object's API and fields against the target release: the
findings `api-objects` and `schema-objects` subjects carry, one per problem."""

from __future__ import annotations

from collections.abc import Iterator

from linter.core.check import CheckFn, PythonCheck, Violation
from linter.core.subject import Subject
from linter.formats.kubernetes.api_subjects import ApiUse, SchemaReport
from linter.formats.kubernetes.apis import describe
from linter.formats.kubernetes.schema_walk import ENUM, REQUIRED, TYPE, UNKNOWN


def api_version(subject: Subject, params: object) -> Iterator[Violation]:
    """At `apiVersion:`: what the target makes of it and what to use instead."""
    use: ApiUse = subject.data
    key = use.obj.node.get("apiVersion")
    span = key.anchor_span if key is not None else subject.anchor
    yield Violation(span, {"api_version": use.obj.api_version, "state": use.status.state, **describe(use.status, use.target)})


def _problems_of(kind: str) -> CheckFn:
    """The check reporting one kind of schema problem, each at its key."""

    def check(subject: Subject, params: object) -> Iterator[Violation]:
        report: SchemaReport = subject.data
        for problem in report.problems:
            if problem.kind == kind:
                yield Violation(problem.span, dict(problem.vars), logical=problem.path)

    check.__name__ = kind.replace("-", "_")
    return check


API_CHECKS = {
    "api-version": PythonCheck(api_version, takes=(ApiUse,)),
    **{f"schema-{kind}": PythonCheck(_problems_of(kind), takes=(SchemaReport,)) for kind in (UNKNOWN, TYPE, REQUIRED, ENUM)},
}
