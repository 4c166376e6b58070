"""User-supplied regular expressions run with a time bound.

Python's `re` cannot be interrupted: one pattern like `(a|aa)+$` on a long
value backtracks for minutes and freezes the run. Patterns from rule files
(`assert` checks' `matches` / `not_matches`) are compiled with the `regex`
module instead, whose matcher honours a timeout, and the text they see is
capped. A pattern that times out once is treated as broken for the rest of the
run (every later call fails fast), so a hostile pattern costs one timeout, not
one per value. `regex` is imported only when a user pattern is compiled (it
costs tens of milliseconds, and most runs have none).
"""

from __future__ import annotations

from typing import Any

MAX_INPUT_CHARS = 64 * 1024  # a config value longer than this is checked on its start
TIMEOUT_SECONDS = 0.25


class RegexTimeout(Exception):
    pass


class GuardedPattern:
    def __init__(self, pattern: str) -> None:
        import regex

        self.pattern = pattern
        # V0 keeps the `re` syntax and semantics users expect.
        self._compiled: Any = regex.compile(pattern, flags=regex.V0)
        self.broken = False

    def search(self, text: str) -> bool:
        if self.broken:
            raise RegexTimeout(self.pattern)
        try:
            return self._compiled.search(text[:MAX_INPUT_CHARS], timeout=TIMEOUT_SECONDS) is not None
        except TimeoutError:
            self.broken = True
            raise RegexTimeout(self.pattern) from None


def compile_error(pattern: str) -> str | None:
    """Why a pattern does not compile (None when it does)."""
    import regex

    try:
        regex.compile(pattern, flags=regex.V0)
    except regex.error as exc:
        return str(exc)
    return None
