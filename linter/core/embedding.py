"""Files held inside other files, and what their holder knows of where they
are deployed: the format-neutral vocabulary between a holding format (a
ConfigMap in a manifest) and the format of the file it holds (a redis.conf),
so a rule can check one against the other without either format importing
the other."""

from __future__ import annotations

from dataclasses import dataclass

from linter.core.model import ParsedFile, SourceFile, Span

EMBEDDED = "embedded"  # ParsedFile.meta key of a held file: its `Embedded`


@dataclass(frozen=True, slots=True)
class MemoryBound:
    """The memory the process reading a held config may use: the limit of a
    container that mounts it, and where that limit is written."""

    who: str  # "container 'redis' in StatefulSet/cache"
    limit_bytes: int
    span: Span  # the limit's value


@dataclass(frozen=True, slots=True)
class Embedded:
    name: str  # the name it would have on disk (`redis.conf`)
    source: SourceFile  # laid out at its own lines and columns of the holder
    memory_bounds: tuple[MemoryBound, ...] = ()


def embedding_of(parsed: ParsedFile) -> Embedded | None:
    """How a parsed file is held in another (None for a file on disk)."""
    found = parsed.meta.get(EMBEDDED)
    return found if isinstance(found, Embedded) else None
