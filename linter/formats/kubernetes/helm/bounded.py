"""Running a renderer as a child process within the run's limits: killed
after `seconds`, and its output read no further than `max_bytes` (a template
that loops forever or prints 100 MB costs one finding, not the run)."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 16
_MAX_STDERR = 1 << 16


@dataclass(frozen=True, slots=True)
class Outcome:
    returncode: int | None  # None: killed (over time or over size)
    stdout: bytes
    stderr: str
    timed_out: bool = False
    too_large: bool = False


def run_bounded(argv: list[str], *, seconds: float, max_bytes: int, cwd: Path | None = None,
                env: dict[str, str] | None = None) -> Outcome:
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=cwd, env=env)
    assert process.stdout is not None and process.stderr is not None
    out: list[bytes] = []
    err: list[bytes] = []
    over = threading.Event()

    def read_stdout() -> None:
        size = 0
        assert process.stdout is not None
        while chunk := process.stdout.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                over.set()
                process.kill()
                return
            out.append(chunk)

    def read_stderr() -> None:
        assert process.stderr is not None
        while chunk := process.stderr.read(_CHUNK):
            if sum(map(len, err)) < _MAX_STDERR:
                err.append(chunk)

    readers = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        process.kill()
        process.wait()
    for reader in readers:
        reader.join(timeout=5)
    process.stdout.close()
    process.stderr.close()
    stderr = b"".join(err)[:_MAX_STDERR].decode("utf-8", "replace")
    if timed_out or over.is_set():
        return Outcome(None, b"", stderr, timed_out=timed_out, too_large=over.is_set())
    return Outcome(process.returncode, b"".join(out), stderr)
