"""Reading PCRE patterns (nginx `location ~`, `map`, `if`) just far enough to
tell their operators from their literals."""

from __future__ import annotations

from collections.abc import Iterator


def operators(pattern: str) -> Iterator[tuple[int, str]]:
    """(index, character) of the pattern's characters that may be operators:
    not escaped and not inside a character class (where a `]` first, or
    first after `^`, is a literal)."""
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            if pattern[i : i + 1] == "^":
                i += 1
            if pattern[i : i + 1] == "]":
                i += 1
            continue
        else:
            yield i, c
        i += 1
