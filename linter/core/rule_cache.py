"""A cache of the built-in rule files, already parsed.

Parsing the ~70 built-in rule files is about a tenth of a pre-commit run
(12 ms of YAML); reading them back from one JSON file takes under 2 ms. The
cache lives in the user's cache directory (`$DEPLOYLINT_CACHE_DIR`, else
`$XDG_CACHE_HOME/deploylint`, else `~/.cache/deploylint`), one file per rules
directory, named by a hash of the deploylint version and every rule file's
name, size and modification time, so any edit or upgrade makes a new one.
It is only an accelerator: a missing, unreadable, corrupt or unwritable cache
means the files are parsed as before. `DEPLOYLINT_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from linter import __version__

FORMAT = 1


def cache_dir() -> Path | None:
    if os.environ.get("DEPLOYLINT_NO_CACHE"):
        return None
    explicit = os.environ.get("DEPLOYLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "deploylint"


def _names(paths: list[Path]) -> tuple[str, str]:
    """(the rules directory's cache-file prefix, the full cache-file name)."""
    directory = hashlib.sha256(str(paths[0].parent.parent if paths else "").encode()).hexdigest()[:12]
    stamp = hashlib.sha256(f"{FORMAT}\0{__version__}".encode())
    for path in paths:
        stat = path.stat()
        stamp.update(f"\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode("utf-8", "surrogatepass"))
    return f"rules-{directory}-", f"rules-{directory}-{stamp.hexdigest()[:20]}.json"


def _read(file: Path, paths: list[Path]) -> list[Any] | None:
    try:
        cached = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("sources") != [str(p) for p in paths]:
        return None
    data = cached.get("rules")
    return data if isinstance(data, list) and len(data) == len(paths) else None


def _write(directory: Path, prefix: str, name: str, paths: list[Path], data: list[Any]) -> None:
    try:
        text = json.dumps({"sources": [str(p) for p in paths], "rules": data}, ensure_ascii=False)
    except (TypeError, ValueError):
        return  # something JSON cannot hold (a date): parse every time
    if json.loads(text)["rules"] != data:
        return  # or cannot hold exactly (a non-string key)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, directory / name)
        for old in directory.glob(f"{prefix}*.json"):  # earlier versions of these rules
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def builtin_rule_data(paths: list[Path], parse: Callable[[Path], Any]) -> list[Any]:
    """Every rule file's parsed data, in `paths` order: from the cache when it
    matches the files, else parsed with `parse` (and the cache refreshed)."""
    directory = cache_dir()
    if directory is None or not paths:
        return [parse(p) for p in paths]
    try:
        prefix, name = _names(paths)
    except OSError:
        return [parse(p) for p in paths]
    cached = _read(directory / name, paths)
    if cached is not None:
        return cached
    data = [parse(p) for p in paths]
    _write(directory, prefix, name, paths, data)
    return data
