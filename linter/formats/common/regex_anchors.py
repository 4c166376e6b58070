"""The literal texts every match of a regex starts with, for a cheap `in` test
before the regex scans a text.

Provider credential patterns start with a vendor prefix (`sk-ant-`, `AKIA`,
`ghp_`, `-----BEGIN `) after a lookbehind; the lookbehind keeps `re` from
skipping ahead to that prefix itself, so each pattern would be tried at every
position of every message and value. A text that holds none of a pattern's
anchors cannot match it: skipping the scan then changes no result.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

# The parser `re` compiles with (private, but stable in shape since 3.x);
# anything it does not give us as expected means "no anchors": scan always.
_sre: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")

_MAX_ANCHORS = 32  # alternatives multiply; past this a set of texts is no cheaper than the scan
_MIN_LENGTH = 2  # a one-letter anchor is in almost every text


def anchors(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Texts one of which every match of `pattern` begins with (after its
    zero-width assertions), or None when no such useful set can be told."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _sre.parse(pattern.pattern, pattern.flags)
        found, _ = _prefixes(list(parsed), skip_assertions=True)
    except Exception:  # noqa: BLE001 - an unfamiliar parse tree: no anchors, scan as before
        return None
    if not found or min(len(a) for a in found) < _MIN_LENGTH:
        return None
    return tuple(sorted(found))


def _prefixes(items: list[tuple[Any, Any]], *, skip_assertions: bool = False) -> tuple[set[str], bool]:
    """The literal prefixes of a sequence of parsed items, and whether the
    whole sequence was literal (so what follows it extends the prefixes)."""
    found = {""}
    for op, arg in items:
        if skip_assertions and op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT) and all(p == "" for p in found):
            continue
        if op is _sre.LITERAL:
            options = {chr(arg)}
            whole = True
        elif op is _sre.IN and arg and all(o is _sre.LITERAL for o, _ in arg):
            options, whole = {chr(c) for _, c in arg}, True
        elif op is _sre.SUBPATTERN and not arg[1] & re.IGNORECASE:  # (group, add_flags, del_flags, items)
            options, whole = _prefixes(list(arg[3]))
        elif op is _sre.BRANCH:
            branches = [_prefixes(list(alternative)) for alternative in arg[1]]
            options = set().union(*(b for b, _ in branches))
            whole = all(w for _, w in branches)
        else:
            return found, False
        found = {p + o for p in found for o in options}
        if len(found) > _MAX_ANCHORS:
            return {""}, False  # the empty text begins every match: no anchors
        if not whole:
            return found, False
    return found, True
