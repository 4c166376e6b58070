"""A progress bar on standard error (never on stdout: reports stay clean).

With `--progress` it is always shown; by default it appears on a terminal only
once a run has taken longer than `AUTO_DELAY` seconds, so quick pre-commit
runs print nothing. On a terminal it redraws one line; elsewhere (CI logs) it
writes a line at every tenth of the way.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

AUTO_DELAY = 2.0
_REDRAW_INTERVAL = 0.1
_WIDTH = 28


class ProgressBar:
    """Receives the engine's progress events: ("files", n) once, then
    ("parsed", k), ("units", m) and ("checked", k) as the run goes."""

    def __init__(self, stream: TextIO | None = None, *, forced: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.forced = forced
        self.started = time.monotonic()
        self.counts = {"files": 0, "parsed": 0, "units": 0, "checked": 0}
        self.last_draw = 0.0
        self.last_tenth = -1
        self.drawn = False

    def __call__(self, event: str, count: int) -> None:
        self.counts[event] = self.counts.get(event, 0) + count
        now = time.monotonic()
        if not self.forced and (not self.tty or now - self.started < AUTO_DELAY):
            return
        if self.tty:
            if now - self.last_draw >= _REDRAW_INTERVAL:
                self.last_draw = now
                self._write("\r\x1b[K" + self.line())
                self.drawn = True
        else:
            tenth = int(self.fraction() * 10)
            if tenth > self.last_tenth:
                self.last_tenth = tenth
                self._write(self.line() + "\n")

    def fraction(self) -> float:
        """Parsing and checking each count for half of the way."""
        c = self.counts
        parsed = c["parsed"] / c["files"] if c["files"] else 0.0
        checked = c["checked"] / c["units"] if c["units"] else 0.0
        return min(1.0, 0.5 * parsed + 0.5 * checked)

    def line(self) -> str:
        c = self.counts
        done = int(self.fraction() * _WIDTH)
        bar = "#" * done + "." * (_WIDTH - done)
        elapsed = time.monotonic() - self.started
        return (f"deploylint [{bar}] {c['parsed']}/{c['files']} files parsed, "
                f"{c['checked']}/{c['units']} units checked ({elapsed:.1f} s)")

    def close(self) -> None:
        """Erase the bar (terminal) so the report starts on a clean line."""
        if self.drawn:
            self._write("\r\x1b[K")
            self.drawn = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed: progress is best effort
            pass
