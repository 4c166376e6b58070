"""Splitting the discovered files: CI shards (`--shard I/N`) and worker partitions.

Files that are assembled together stay together: each format says which
(`Format.shard_key`: every nginx file in one group, since include trees share
files; one ClickHouse installation with its overrides); every other file is a
group of its own. Groups are dealt out by their estimated cost (bytes times
the format's `cost_per_byte`, plus a per-file allowance), heaviest first, to
the least loaded part: one large group (all the nginx files) gets a shard
with fewer other files instead of its share of them on top. The split depends
only on the files' paths and sizes, so every shard of a CI run computes the
same one; adding a file may move others to another shard.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from linter.core.discover import Candidate
from linter.core.errors import UsageError

if TYPE_CHECKING:
    from linter.core.format import FormatRegistry


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); shards are numbered from 1, as CI matrices usually are."""
    try:
        index_text, total_text = text.split("/")
        index, total = int(index_text), int(total_text)
    except ValueError:
        raise UsageError(f"--shard: expected I/N (e.g. 1/4), got '{text}'") from None
    if total < 1:
        raise UsageError(f"--shard: N must be at least 1 (got {index}/{total})")
    if not 1 <= index <= total:
        raise UsageError(f"--shard: I must be between 1 and N (got {index}/{total})")
    return index, total


def group_key(candidate: Candidate, formats: FormatRegistry, by_directory: dict[tuple[str, str], str] | None = None) -> str:
    """Files with the same key are linted together (`Format.shard_key`);
    `by_directory` keeps the keys of formats whose key is their directory's."""
    fmt = formats.find(candidate.format or "")
    if fmt is None:
        return "file:" + candidate.relpath
    if by_directory is None or not fmt.shard_key_by_directory:
        return fmt.shard_key(candidate.relpath, candidate.abspath)
    place = (fmt.name, os.path.dirname(candidate.abspath))
    found = by_directory.get(place)
    if found is None:
        found = by_directory[place] = fmt.shard_key(candidate.relpath, candidate.abspath)
    return found


def groups(candidates: list[Candidate], formats: FormatRegistry) -> dict[str, list[Candidate]]:
    """Candidates by group key, in discovery order within a group."""
    out: dict[str, list[Candidate]] = {}
    by_directory: dict[tuple[str, str], str] = {}
    for c in candidates:
        out.setdefault(group_key(c, formats, by_directory), []).append(c)
    return out


def split_shard(candidates: list[Candidate], index: int, total: int, formats: FormatRegistry) -> list[Candidate]:
    """This shard's files, in discovery order."""
    mine = {c.relpath for c in partition(candidates, total, formats)[index - 1]}
    return [c for c in candidates if c.relpath in mine]


PER_FILE_WEIGHT = 2048  # a file's fixed cost (open, parse set-up, units), in bytes' worth


def weight(members: list[Candidate], formats: FormatRegistry | None = None) -> int:
    """The work of linting some files: their bytes (times their format's
    `cost_per_byte`, when `formats` is given) plus a per-file allowance."""
    total = 0
    for c in members:
        fmt = formats.find(c.format or "") if formats is not None else None
        try:
            size = os.path.getsize(c.abspath)
        except OSError:
            size = 0
        total += round(size * (fmt.cost_per_byte if fmt is not None else 1.0)) + PER_FILE_WEIGHT
    return total


def partition(candidates: list[Candidate], parts: int, formats: FormatRegistry) -> list[list[Candidate]]:
    """Balanced, deterministic partitions (shards, workers): whole groups,
    costliest first, each to the least loaded partition so far (ties: lowest
    index), each partition in discovery order."""
    weighted = sorted(((weight(m, formats), key, m) for key, m in groups(candidates, formats).items()), key=lambda t: (-t[0], t[1]))
    loads = [0] * parts
    chosen: list[set[str]] = [set() for _ in range(parts)]
    for group_weight, _key, members in weighted:
        target = min(range(parts), key=lambda i: (loads[i], i))
        loads[target] += group_weight
        chosen[target].update(c.relpath for c in members)
    return [[c for c in candidates if c.relpath in names] for names in chosen]
