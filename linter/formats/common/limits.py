"""A setting of a held config against the memory limits of the containers
that read it (RDS105, PG110): one violation per container whose limit the
setting takes too much of, an error when past the limit itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from linter.core.check import Violation
from linter.core.embedding import MemoryBound, memory_excesses
from linter.core.findings import Severity
from linter.core.model import Span


def limit_violations(span: Span, variables: dict[str, object], size: int, bounds: tuple[MemoryBound, ...], max_share: float,
                     human: Callable[[int], str]) -> Iterator[Violation]:
    """`variables` name the setting for the message; `human` writes a size in
    the units of the setting's format."""
    for excess in memory_excesses(size, bounds, max_share):
        bound = excess.bound
        yield Violation(
            span,
            {**variables, "who": bound.who, "limit": human(bound.limit_bytes), "where": bound.where, "share": f"{max_share:.0%}"},
            logical=bound.who,
            severity=Severity.ERROR if excess.past_limit else None,
        )
