"""Reading files safely: confined to the scanned root, bounded in size, decoded
the same way. The workspace only reads; `loader.Loader` parses and caches.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import math
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.core.model import LineIndex, ParseProblem, SourceFile, Span


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one hostile file can cost (config key `limits:`). Exceeding
    one is a DL005 finding naming it; the rest of the run goes on."""

    max_file_bytes: int = 10 * 1024 * 1024  # larger files are skipped
    max_yaml_alias_nodes: int = 100_000  # nodes built by alias expansion, per file
    max_yaml_nodes: int = 1_000_000  # nodes written in one YAML file (memory: about 0.5 KB each)
    max_depth: int = 200  # YAML / XML nesting
    max_xml_elements: int = 200_000  # per XML file
    max_includes: int = 500  # nginx include targets per main file
    max_include_depth: int = 16  # nested nginx includes
    max_include_bytes: int = 50 * 1024 * 1024  # bytes read through one main file's includes
    max_seconds_per_file: float = 30.0  # checks on one lint unit; then its remaining rules are skipped


def limit_value(name: str, value: object) -> int | float:
    """A `limits:` value as `Limits` holds it (an integral float such as 1e6 as
    an int), or ValueError saying why not. The config schema bounds the range;
    this catches what a schema cannot: NaN and infinities (every comparison
    with NaN is false, so it would pass any bound and disable the limit)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    if next(f for f in dataclasses.fields(Limits) if f.name == name).type == "int":
        if not float(value).is_integer():
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)
    return float(value)


class ReadFailure(Exception):
    def __init__(self, problem: ParseProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


# A format's reader of the encoding a file declares for itself (an XML prolog's
# `encoding="..."`, a UTF-16 byte order mark): its name, or None.
EncodingSniffer = Callable[[bytes], str | None]


def decode(data: bytes, display: str, sniff: EncodingSniffer | None = None) -> str:
    """The text in the encoding the file declares (when its format lets it
    declare one), else UTF-8 (with or without BOM); or ReadFailure saying where
    it is not."""
    declared = sniff(data) if sniff is not None else None
    if declared is not None:
        text = _decode_declared(data, declared, display)
        if text is not None:
            return text
    if b"\x00" in data[:8192]:
        raise ReadFailure(ParseProblem("DL001", "binary file (NUL bytes): not a text configuration", Span.start(display)))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")  # valid up to the first bad byte
        line, column = LineIndex(before).position(len(before))  # lines as the model counts them
        raise ReadFailure(
            ParseProblem("DL001", f"not valid UTF-8 (byte 0x{data[exc.start]:02X}); save the file as UTF-8", Span.point(display, line, column))
        ) from None


# The encodings a file may declare, by their codec names: the text encodings
# config files are written in, each decoded in linear time. Python's other
# codecs (punycode, unicode_escape, idna, utf-7, "undefined", ...) are not ways
# to store a config: some raise, some are quadratic, some move every position.
TEXT_ENCODINGS = frozenset({
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "ascii",
    *(f"iso8859-{n}" for n in (*range(1, 12), *range(13, 17))),
    *(f"cp{n}" for n in (*range(1250, 1259), 437, 850, 852, 866, 874, 932, 949, 950)),
    "koi8-r", "koi8-u", "mac-roman", "tis-620",
    "shift_jis", "euc_jp", "euc_kr", "gb2312", "gbk", "gb18030", "big5", "big5hkscs",
})


def _decode_declared(data: bytes, declared: str, display: str) -> str | None:
    """`data` in its declared encoding; None when that is UTF-8 after all."""
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        name = ""
    if name not in TEXT_ENCODINGS:
        message = f"the declared encoding '{declared}' is not a text encoding deploylint reads; save the file as UTF-8"
        raise ReadFailure(ParseProblem("DL001", message, Span.start(display)))
    if name == "utf-8":
        return None
    try:
        return data.decode(name).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not valid {declared} (the encoding the file declares) at byte {exc.start}"
        raise ReadFailure(ParseProblem("DL001", message, Span(display, line, 1, line, 1))) from None


def file_digest(path: Path | str, limit: int) -> str:
    """What a read of the file sees: the SHA-256 of its bytes (at most `limit`
    + 1 of them, as `Workspace.read` reads), or why there are none. What a
    result cache compares to tell an unchanged file (`result_cache.py`)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    except FileNotFoundError:
        return "absent"
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "not-regular"
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    finally:
        os.close(fd)
    return hashlib.sha256(data).hexdigest()


def read_user_file(path: Path, display: str, what: str) -> str:
    """One of the user's own files (a config, a custom rule) decoded as linted
    files are; a failure is a UsageError `display[:line]: why`."""
    from linter.core.errors import UsageError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{display}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        return decode(data, display)
    except ReadFailure as exc:
        raise UsageError(f"{display}:{exc.problem.span.line}: {exc.problem.message}") from None


def is_directory(path: Path) -> bool:
    """Whether a path a linted file names is a directory; a name the system
    refuses (too long, a NUL in it) is none, not an error that ends the run."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def path_exists(path: Path) -> bool:
    """Whether a path a linted file names exists (a refused name does not)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


@dataclass
class Workspace:
    root: Path
    limits: Limits = field(default_factory=Limits)
    options: dict[str, Any] = field(default_factory=dict)
    # Display path -> text read in place of the file's (the fix loop lints its
    # fixed texts before it writes any).
    texts: Mapping[str, str] = field(default_factory=dict)
    # Absolute path -> digest of every file read, when a result cache records
    # what a group's lint depended on (`result_cache.py`); None: not recorded.
    reads: dict[str, str] | None = None
    project: Path | None = None  # where walks for related files stay (None: the root)
    _real_root: Path | None = None
    # Directory -> its real path: see `_resolved`.
    _real_dirs: dict[Path, Path] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def walk_root(self) -> Path:
        """Where a search for related files (the build roots of a tree) walks."""
        return self.project if self.project is not None else self.root

    @property
    def real_root(self) -> Path:
        if self._real_root is None:
            self._real_root = self.root.resolve()
        return self._real_root

    def display_path(self, path: Path) -> str:
        from linter.core.discover import relative

        return relative(path.absolute(), self.root.absolute())

    def confined(self, path: Path) -> Path | None:
        """The real path if it lies inside the root (symlinks resolved), else None."""
        try:
            real = self._resolved(path)
        except (OSError, RuntimeError, ValueError):  # ValueError: a NUL in the name
            return None
        try:
            real.relative_to(self.real_root)
        except ValueError:
            return None
        return real

    def _resolved(self, path: Path) -> Path:
        """`path.resolve()`, each directory resolved once: resolving checks every
        component (an lstat each), and a run's files share few directories.
        A file that is itself a link (or is missing) is resolved whole."""
        name = path.name
        try:
            regular = name not in ("", ".", "..") and stat.S_ISREG(os.lstat(path).st_mode)
        except OSError:
            regular = False
        if not regular:
            return path.resolve()
        parent = path.parent
        real_parent = self._real_dirs.get(parent)
        if real_parent is None:
            real_parent = self._real_dirs[parent] = parent.resolve()
        return real_parent / name

    def read(self, path: Path, display: str | None = None, sniff: EncodingSniffer | None = None) -> SourceFile:
        display = display or self.display_path(path)
        if self.confined(path) is None:  # discovery and includes check this too; reads never trust a caller
            raise ReadFailure(ParseProblem("DL001", "outside the scanned root (after resolving symlinks); not read", Span.start(display)))
        if display in self.texts:
            return SourceFile(display, str(path), self.texts[display])
        if self.reads is None:
            return SourceFile(display, str(path), decode(self._bytes(path, display), display, sniff))
        try:
            data = self._bytes(path, display)
        except ReadFailure:
            self._record(path)
            raise
        self.reads[str(path.absolute())] = hashlib.sha256(data).hexdigest()
        return SourceFile(display, str(path), decode(data, display, sniff))

    def read_by_tool(self, directory: Path) -> None:
        """Note that a tool outside the workspace (a renderer) reads the files
        under `directory`, so a recorded lint depends on each of them."""
        if self.reads is None:
            return
        for current, dirnames, filenames in os.walk(directory, followlinks=False):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(current) / name
                if self.confined(path) is not None:
                    self._record(path)

    def _record(self, path: Path) -> None:
        assert self.reads is not None
        self.reads[str(path.absolute())] = file_digest(path, self.limits.max_file_bytes)

    def _bytes(self, path: Path, display: str) -> bytes:
        limit = self.limits.max_file_bytes
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # reading a FIFO, socket or device could block or never end
                raise ReadFailure(ParseProblem("DL001", "not a regular file (a FIFO, socket or device); not read", Span.start(display)))
            size = info.st_size
            data = b""
            if size <= limit:
                with path.open("rb") as fh:
                    data = fh.read(limit + 1)  # bounded even if the file grows meanwhile
                size = max(size, len(data))
        except OSError as exc:
            raise ReadFailure(ParseProblem("DL001", f"cannot read file: {exc.strerror or exc}", Span.start(display))) from None
        if size > limit:
            message = f"file is {size:,} bytes, over the {limit:,}-byte limit (max_file_bytes); skipped"
            raise ReadFailure(ParseProblem("DL005", message, Span.start(display)))
        return data
