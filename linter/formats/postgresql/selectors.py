"""PostgreSQL selectors: a cluster's settings, its pg_hba.conf records, unresolved includes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linter.core.subject import Selector, Subject
from linter.formats.common.line_includes import IncludeProblem
from linter.formats.common.lines import Line
from linter.formats.postgresql.model import Cluster, HbaEntry

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit


@dataclass(frozen=True, slots=True)
class HbaRecord:
    """One pg_hba.conf record with the cluster it admits clients to."""

    entry: HbaEntry
    cluster: Cluster


def _cluster(unit: LintUnit) -> Cluster | None:
    return unit.model if isinstance(unit.model, Cluster) else None


def clusters(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """A cluster whose postgresql.conf (or auto.conf) is known: its settings."""
    cluster = _cluster(unit)
    if cluster is not None and cluster.conf is not None:
        yield Subject(None, {"file": cluster.path}, "settings", span=cluster.start, data=cluster)


def hba_entries(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every pg_hba.conf record, in file order."""
    cluster = _cluster(unit)
    if cluster is None:
        return
    for index, entry in enumerate(cluster.entries(), 1):
        context = {"type": entry.type.value, "file": entry.type.span.file}
        yield Subject(None, context, f"hba#{index}", span=entry.line.span, data=HbaRecord(entry, cluster))


def _hba_includes(cluster: Cluster) -> Iterator[IncludeProblem]:
    """pg_hba.conf `include*` lines (PostgreSQL 16): not followed, since what
    they name is told apart from postgresql.conf fragments only by who includes it."""
    lines: list[Line] = cluster.hba.meta.get("lines", []) if cluster.hba is not None else []
    for line in lines:
        if line.key in ("include", "include_if_exists", "include_dir") and line.args:
            target = line.args[0]
            message = f"pg_hba.conf {line.key} '{target.value}' is not followed; the records it adds are not checked"
            yield IncludeProblem("not-followed", message, target.span, target.value)


def include_problems(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    cluster = _cluster(unit)
    if cluster is None:
        return
    problems = [*(cluster.conf.problems if cluster.conf is not None else []), *_hba_includes(cluster)]
    for problem in problems:
        yield Subject(None, {"detail": problem.message}, problem.logical, span=problem.span, data=problem)


SELECTORS = {
    "clusters": Selector(clusters, yields=(Cluster,), nodes=False),
    "hba-entries": Selector(hba_entries, yields=(HbaRecord,), nodes=False),
    "include-problems": Selector(include_problems, yields=(IncludeProblem,), nodes=False),
}
