"""Splitting the discovered files: CI shards (`--shard I/N`) and worker partitions.

Files that are assembled together stay together: an nginx tree (the files
under the directory holding its `nginx.conf`) and a ClickHouse installation
(`config.xml`/`users.xml` with their `config.d/`, `users.d/`) form one group;
every other file is its own group. A group's shard comes from a stable hash of
its key (a path relative to the scanned root), so a file keeps its shard when
others are added or removed, on every machine and Python version.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from .discover import Candidate
from .errors import UsageError

# Directories whose files belong to the installation one level up.
_NGINX_SUBDIRS = frozenset({"conf.d", "sites-enabled", "sites-available", "snippets", "includes", "servers", "vhosts", "http.d", "stream.d"})
_CLICKHOUSE_SUBDIRS = frozenset({"config.d", "users.d", "conf.d"})
_NGINX_MAIN = ("nginx.conf",)
_CLICKHOUSE_MAIN = ("config.xml", "config.yaml", "users.xml", "users.yaml")


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); shards are numbered from 1, as CI matrices usually are."""
    try:
        index_text, total_text = text.split("/")
        index, total = int(index_text), int(total_text)
    except ValueError:
        raise UsageError(f"--shard: expected I/N (e.g. 1/4), got '{text}'") from None
    if total < 1 or not 1 <= index <= total:
        raise UsageError(f"--shard: I must be between 1 and N (got {index}/{total})")
    return index, total


@lru_cache(maxsize=4096)
def _has_any(directory: str, names: tuple[str, ...]) -> bool:
    return any(os.path.isfile(os.path.join(directory, n)) for n in names)


def _installation(abspath: str, relpath: str, main_files: tuple[str, ...], subdirs: frozenset[str]) -> str:
    """The relative directory of the installation a file belongs to: the nearest
    ancestor (up to three levels, within the scanned tree) holding a main file,
    else the file's directory, lifted out of a known include directory."""
    rel_parts = relpath.split("/")[:-1]
    directory = os.path.dirname(abspath)
    for depth in range(min(3, len(rel_parts)) + 1):
        if _has_any(directory, main_files):
            return "/".join(rel_parts[: len(rel_parts) - depth])
        directory = os.path.dirname(directory)
    if rel_parts and rel_parts[-1] in subdirs:
        rel_parts = rel_parts[:-1]
    return "/".join(rel_parts)


def group_key(candidate: Candidate) -> str:
    """Files with the same key are linted together."""
    if candidate.format == "nginx":
        return "nginx:" + _installation(candidate.abspath, candidate.relpath, _NGINX_MAIN, _NGINX_SUBDIRS)
    if candidate.format == "clickhouse":
        return "clickhouse:" + _installation(candidate.abspath, candidate.relpath, _CLICKHOUSE_MAIN, _CLICKHOUSE_SUBDIRS)
    return "file:" + candidate.relpath


def groups(candidates: list[Candidate]) -> dict[str, list[Candidate]]:
    """Candidates by group key, in discovery order within a group."""
    out: dict[str, list[Candidate]] = {}
    for c in candidates:
        out.setdefault(group_key(c), []).append(c)
    return out


def stable_hash(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()[:8], "big")


def split_shard(candidates: list[Candidate], root: Path, index: int, total: int) -> tuple[list[Candidate], list[Candidate]]:
    """(this shard's files, the other shards' files), each in discovery order."""
    mine: set[str] = set()
    for key, members in groups(candidates).items():
        if stable_hash(key) % total == index - 1:
            mine.update(c.relpath for c in members)
    return [c for c in candidates if c.relpath in mine], [c for c in candidates if c.relpath not in mine]


def _weight(members: list[Candidate]) -> int:
    total = 0
    for c in members:
        try:
            total += os.path.getsize(c.abspath) + 2048  # fixed per-file cost, in bytes' worth
        except OSError:
            total += 2048
    return total


def partition(candidates: list[Candidate], parts: int) -> list[list[Candidate]]:
    """Balanced, deterministic partitions for worker processes: whole groups,
    heaviest first, each to the lightest partition so far (ties: lowest index)."""
    weighted = sorted(((_weight(m), key, m) for key, m in groups(candidates).items()), key=lambda t: (-t[0], t[1]))
    loads = [0] * parts
    chosen: list[set[str]] = [set() for _ in range(parts)]
    for weight, _key, members in weighted:
        target = min(range(parts), key=lambda i: (loads[i], i))
        loads[target] += weight
        chosen[target].update(c.relpath for c in members)
    return [[c for c in candidates if c.relpath in names] for names in chosen]
