"""PostgreSQL memory settings: `128MB`, `4GB`, or a bare number in the
parameter's own unit (8 kB blocks for shared_buffers, kB for work_mem). Units
are the server's, 1024-based and case-sensitive; a value beyond what the
server accepts (INT_MAX of its unit) is reported, not computed."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SIZE = re.compile(r"(\d+)[ \t]*(B|kB|MB|GB|TB)?")
_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
INT_MAX = 2**31 - 1
BLOCK = 8192
KB = 1024


@dataclass(frozen=True, slots=True)
class Size:
    bytes: int | None
    problem: str = ""


def parse_size(text: str, base_unit: int) -> Size:
    """Bytes of a memory setting whose bare numbers count `base_unit` bytes."""
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        return Size(None, "not a size (a number with B, kB, MB, GB or TB)")
    value = int(m.group(1)) * (_UNITS[m.group(2)] if m.group(2) else base_unit)
    if value // base_unit > INT_MAX:
        return Size(None, "out of the range the server accepts")
    return Size(value)


def human(size: int) -> str:
    for unit in ("TB", "GB", "MB", "kB"):
        if size >= _UNITS[unit] and size % _UNITS[unit] == 0:
            return f"{size // _UNITS[unit]}{unit}"
    return f"{size}B"
