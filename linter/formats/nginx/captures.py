"""The capture groups of a regex `location` (PCRE syntax), as far as an
`alias` built from them needs: where each group starts in the URI.

nginx normalises the URI before matching (no `/../` segment is left), so a
capture can begin with `..` only when the pattern lets it start right after a
character other than `/` (`~ /images(.*)` captures `../x` from `/images../x`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter.formats.nginx.pcre import operators

_NAMED = re.compile(r"\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')")
# The start of a group body that cannot match a dot: a digit or word class, or a
# literal character other than '.' (bracket classes: see `_class_excludes_dot`).
_DOTLESS_START = re.compile(r"^(?:\\[dw]|[A-Za-z0-9_\-])")
_CLASS = re.compile(r"^\[(\^?)((?:\\.|[^\]\\])+)\]")
# `$1`..`$9` (nginx reads one digit: `$10` is `$1` then `0`), `${name}`, `$name`.
_REFERENCE = re.compile(r"\$(?:\{(\w+)\}|([1-9])|([A-Za-z_]\w*))")


@dataclass(frozen=True, slots=True)
class Capture:
    number: int
    name: str | None
    after_slash: bool  # the pattern has a literal '/' right before the group
    body: str  # the group's pattern from just after its opening (to the end of the pattern)

    @property
    def may_start_with_dots(self) -> bool:
        if self.after_slash or self.body.startswith(("/", "\\/")):
            return False
        return _DOTLESS_START.match(self.body) is None and not _class_excludes_dot(self.body)


def _class_excludes_dot(body: str) -> bool:
    """The body starts with a bracket class that cannot match '.' (`[a-z]`, `[^/.]`)."""
    match = _CLASS.match(body)
    if match is None:
        return False
    negated, members = match.group(1) == "^", match.group(2)
    has_dot = "." in members  # (a range spanning "." such as "+-/" is not read)
    return has_dot if negated else not has_dot


def captures(pattern: str) -> list[Capture]:
    """The capturing groups of a PCRE pattern, numbered as PCRE numbers them."""
    out: list[Capture] = []
    for i, ch in operators(pattern):
        if ch == "(":
            named = _NAMED.match(pattern, i)
            if named or pattern[i + 1 : i + 2] != "?":
                start = named.end() if named else i + 1
                name = (named.group(1) or named.group(2)) if named else None
                out.append(Capture(len(out) + 1, name, pattern[i - 1 : i] == "/", pattern[start:]))
    return out


@dataclass(frozen=True, slots=True)
class Reference:
    """`$1` or `$name` in a value, and the text written before it."""

    capture: Capture
    before: str


def references(value: str, groups: list[Capture]) -> list[Reference]:
    """The captures a value (an alias path) uses, in order; other variables are skipped."""
    by_key = {str(c.number): c for c in groups} | {c.name: c for c in groups if c.name}
    out = []
    for match in _REFERENCE.finditer(value):
        capture = by_key.get(match.group(1) or match.group(2) or match.group(3))
        if capture is not None:
            out.append(Reference(capture, value[: match.start()]))
    return out
