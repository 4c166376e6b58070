"""CH105 and CH106: the server's memory cap, and the default profile's
per-query cap, against the memory limit of the container that runs the
server (a config held in a ConfigMap, placed in its deployment).

ClickHouse caps its own memory at `max_server_memory_usage` bytes, lowered
to `max_server_memory_usage_to_ram_ratio` (default 0.9) of the memory it
sees, which in a container is the cgroup's limit; a ratio of 0 and an
absolute value of 0 (or none) leave it uncapped. The cap that takes effect
is the smaller of the two. Above the container's limit the kernel kills the
server before ClickHouse refuses a query (an error); an absolute value above
the limit that the ratio lowers never takes effect, and says otherwise (a
warning). A query's own cap (`max_memory_usage` of the default profile)
above what the server may take never stops a query: the server-wide cap (or
the kernel) does, once that query has taken the memory every other query
needed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from linter.core.check import Violation
from linter.core.embedding import MemoryBound, embedding_of, memory_excesses, placement_of
from linter.core.findings import Severity
from linter.core.model import Node, Span
from linter.core.subject import Subject
from linter.formats.clickhouse.parser import ClickHouseConfig
from linter.formats.clickhouse.selectors import child, default_profile_name, first, is_substituted, scalar, tag_span, text

ABSOLUTE = "max_server_memory_usage"
RATIO = "max_server_memory_usage_to_ram_ratio"
DEFAULT_RATIO = 0.9


def server_memory_above_limit(subject: Subject, params: Any) -> Iterator[Violation]:
    config = subject.data
    if not isinstance(config, ClickHouseConfig) or not (config.held or config.placed):
        return
    absolute_node, ratio_node = child(subject.node, ABSOLUTE), child(subject.node, RATIO)
    absolute = _number(absolute_node, int)
    ratio = _number(ratio_node, float)
    if (absolute_node is not None and absolute is None) or (ratio_node is not None and ratio is None):
        return  # substituted or unreadable: the server's own error, not a size to judge
    ratio = DEFAULT_RATIO if ratio_node is None else ratio
    assert ratio is not None
    # The containers mounting a key that writes either (a base and its fragment may be mounted apart).
    bounds = {(b.who, b.limit_bytes, b.span.file, b.span.line): b
              for node in (absolute_node, ratio_node) if node is not None for b in _bounds(config, tag_span(node))}
    for bound in bounds.values():
        yield from _judge(bound, int(absolute or 0), ratio, absolute_node, ratio_node)


def _judge(bound: MemoryBound, absolute: int, ratio: float, absolute_node: Node | None, ratio_node: Node | None) -> Iterator[Violation]:
    limit = bound.limit_bytes
    caps = [c for c in (absolute if absolute > 0 else None, ratio * limit if ratio > 0 else None) if c is not None]
    effective = min(caps) if caps else math.inf
    shown = f"the memory limit of {bound.who} ({_size(limit)}, {bound.where})"
    if effective > limit:
        # The element that lets the cap pass the limit: a ratio above 1 (or 0), else the absolute value.
        if ratio_node is not None and (ratio > 1 or ratio == 0):
            cap = "no cap" if not caps else f"a cap of {_size(int(effective))}"
            detail = f"<{RATIO}> {text(ratio_node)} leaves the server {cap}, above {shown}"
            at = _value(ratio_node)
        else:
            assert absolute_node is not None
            detail = f"<{ABSOLUTE}> {text(absolute_node)} is above {shown}"
            at = _value(absolute_node)
        yield Violation(at, {"detail": detail + ": the kernel kills the server before it refuses a query"},
                        logical=bound.who, severity=Severity.ERROR)
    elif absolute_node is not None and absolute > limit:
        detail = (f"<{ABSOLUTE}> {text(absolute_node)} is above {shown}: the server lowers it to "
                  f"{_size(int(effective))} ({ratio:g} of the limit, <{RATIO}>), so the value written never applies")
        yield Violation(_value(absolute_node), {"detail": detail}, logical=bound.who)


@dataclass(frozen=True, slots=True)
class QueryShareParams:
    max_share: float = DEFAULT_RATIO  # of the limit: the server's own cap with the default ratio


def query_memory_above_limit(subject: Subject, params: QueryShareParams) -> Iterator[Violation]:
    """CH106: the default profile's max_memory_usage above a share of the
    memory limit of a container mounting the key that sets it."""
    config = subject.data
    if not isinstance(config, ClickHouseConfig) or not (config.held or config.placed) or subject.node is None:
        return
    name = default_profile_name(config)
    value_node = first(child(subject.node, "profiles", name, "max_memory_usage"))
    if value_node is None or is_substituted(value_node):
        return
    size = _number(value_node, int)
    if not size:
        return  # 0 is no cap (CH101), and what is not a number is the server's error
    for excess in memory_excesses(int(size), tuple(_bounds(config, tag_span(value_node))), params.max_share):
        bound = excess.bound
        detail = (f"settings profile '{name}' lets one query take <max_memory_usage> {text(value_node)} "
                  f"({_size(int(size))}), above {params.max_share:.0%} of the memory limit of {bound.who} "
                  f"({_size(bound.limit_bytes)}, {bound.where})")
        yield Violation(_value(value_node), {"detail": detail}, logical=bound.who)


def _bounds(config: ClickHouseConfig, at: Span) -> list[MemoryBound]:
    """The memory limits of the containers mounting the key that wrote `at`."""
    for parsed in (*config.held, *config.placed):
        held = embedding_of(parsed)
        if held is None:
            wrote = parsed.path == at.file
        else:
            wrote = held.value is not None and held.value.line <= at.line <= held.value.end_line
        if wrote:
            return list(placement_of(parsed).memory_bounds)
    return []


def _number(node: Node | None, kind: type[int] | type[float]) -> int | float | None:
    value = text(node)
    try:
        number = kind(value)
    except ValueError:
        return None
    return number if number >= 0 and math.isfinite(number) else None


def _value(node: Node) -> Span:
    value = scalar(first(node))
    return value.span if value is not None and value.text else tag_span(node)


def _size(size: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size / 2**30:.1f}GiB" if size >= 2**30 else f"{size} bytes"
