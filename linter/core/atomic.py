"""Writing an output file (a report, a baseline) without destroying what it
writes to.

A regular file (or a name not taken yet) is replaced all at once: the text goes
to a temp file beside it, renamed over it. An interrupted run (an exception,
SIGINT, SIGTERM) never leaves half a file nor a temp file behind; one killed
outright (SIGKILL) leaves a temp file named with its process id, which the next
write to the same target removes. The temp name is random and created
exclusively (O_EXCL): nothing planted in a shared directory can redirect the
write; the umask applies as for any file.

A character device or FIFO (`-o /dev/null`, `-o /dev/stdout`, a pipe's reader)
is written through, never replaced. A symlink is followed when it points inside
the directory the user named, so the link stays and its target is replaced;
one pointing elsewhere (a link planted in a checkout) is refused.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from linter.core.errors import UsageError


def write_output(target: Path, text: str | Iterable[str]) -> None:
    """Write `text` (UTF-8; a string, or its pieces in order) to `target` as
    above; a failure is the user's one-line error."""
    try:
        info: os.stat_result | None = target.stat()  # through symlinks
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _cannot(target, exc) from None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        _write_through(target, text)
    elif info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(f"cannot write {target}: not a regular file, FIFO or character device")
    else:
        write_atomically(_followed(target), text)


def _followed(target: Path) -> Path:
    """The file a symlink `target` names, if it lies inside the target's own directory."""
    if not target.is_symlink():
        return target
    real = Path(os.path.realpath(target))
    folder = Path(os.path.realpath(target.parent))
    if not real.is_relative_to(folder):
        raise UsageError(f"cannot write {target}: a symlink to outside its directory; not followed")
    return real


def _pieces(text: str | Iterable[str]) -> Iterable[str]:
    return (text,) if isinstance(text, str) else text


def _write_through(target: Path, text: str | Iterable[str]) -> None:
    try:
        with open(target, "w", encoding="utf-8") as fh:
            fh.writelines(_pieces(text))
    except OSError as exc:
        raise _cannot(target, exc) from None


def write_atomically(target: Path, text: str | Iterable[str]) -> None:
    """Replace the regular file `target` (or create it) with `text`, all at once."""
    _remove_stale_temps(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    with _termination_as_exit():
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise _cannot(target, exc) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.writelines(_pieces(text))
            os.replace(tmp, target)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise _cannot(target, exc) from None
            raise


def _remove_stale_temps(target: Path) -> None:
    """Temp files of earlier writes to `target` whose process is gone (killed outright)."""
    own = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.[0-9a-f]{{12}}\.tmp")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return  # creating the temp file will say why
    for name in names:
        match = own.fullmatch(name)
        if match is not None and not _alive(int(match.group(1))):
            (target.parent / name).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or no such number): not ours to judge
    return True


@contextmanager
def _termination_as_exit() -> Iterator[None]:
    """SIGTERM raises SystemExit (128 + 15) while a temp file exists, so it is
    removed; elsewhere SIGTERM keeps its handler. Signals can only be handled
    in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cannot(target: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {target}: {exc.strerror or exc}")
