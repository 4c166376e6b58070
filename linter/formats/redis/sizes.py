"""Redis memory sizes: `1gb` is 1024³ bytes, `1g` is 10⁹ (the server's
memtoll), case-insensitive. The server refuses a size over a signed 64-bit
integer; so do we, with a reason rather than a crash or a huge number."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SIZE = re.compile(r"(-?\d+)(k|kb|m|mb|g|gb)?", re.I)
_MULTIPLIERS = {"": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}
MAX_BYTES = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Size:
    """A size as read: bytes, or why it is not one."""

    bytes: int | None
    problem: str = ""


def parse_size(text: str) -> Size:
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        return Size(None, "not a size (bytes, or a number with k, kb, m, mb, g or gb)")
    value = int(m.group(1)) * _MULTIPLIERS[(m.group(2) or "").lower()]
    if value < 0:
        return Size(None, "a negative size")
    if value > MAX_BYTES:
        return Size(None, "a size over 2^63-1 bytes (the server refuses it)")
    return Size(value)


def human(size: int) -> str:
    for unit, factor in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size} bytes"
