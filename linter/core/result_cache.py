"""The result cache: a group's findings kept for the next run, like ruff's.

The unit cached is a shard group (`shard.groups`: the files whose findings
depend on each other, an nginx installation, a directory of manifests). An
entry is named by a hash of
- the run's stamp: the deploylint version and code, the effective rules with
  their severities and params (custom rules included, as loaded), every
  setting that changes a finding, the contents of the secret-pattern and Helm
  values files the config names, what each format says of its environment
  (`Format.environment`: a renderer on PATH), and the shape of the tree under
  the scanned root (every file's name and each `.gitignore`'s text: a new file
  may join a glob, a build or a deployment, so adding, removing or renaming a
  file makes every entry stale);
- the group's files: their paths and the SHA-256 of their bytes.
An entry holds the group's findings before the baseline is applied (the
baseline is applied to cached and fresh findings alike), its per-file formats
and counts, and every other file its lint read through the workspace (a
Kustomize base, an nginx include, a ClickHouse base, a sibling manifest read as
context), each with its hash: a hit is a hit only when those still hash the
same (read and hash, no parse). An entry whose group has a dated suppression
(`until=`) holds only on the day it was written.

Not cached: a group with an internal error or a time-limit finding (DL006,
DL005: they depend on the moment), or anything the JSON form cannot hold
exactly. A fix that writes a secret (a password's hash) is kept with its
replacement as reports show it (`TextEdit.shown`): no report prints the
secret, and runs that fix files (or read standard input) never use the cache.

Where: `.deploylint_cache/` in the anchor of the run's paths (the repository's
top level, else the config's directory, else the scanned root), with a
`.gitignore` of `*` and a `CACHEDIR.TAG`; `$DEPLOYLINT_CACHE_DIR/results` when
that is set (the directory the built-in rule cache uses, `rule_cache.py`, which
holds per-user data; results are per project). `DEPLOYLINT_NO_CACHE=1` or
`--no-cache` turns it off. A project cache directory that is a symlink is not
used (a checkout could point it anywhere, and pruning deletes files).

Every entry is authenticated with a per-user key kept in the user cache
directory (an HMAC), so an entry committed to a repository, or written by
someone else, is a miss and never hides a finding. Entries are written to a
temp file and renamed into place (concurrent runs and `--jobs` workers never
see half an entry); a corrupt, truncated or forged entry is a miss. The
directory is kept under `MAX_BYTES`: past it, the oldest entries go first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linter import __version__
from linter.core.findings import Finding, Severity, Suppression
from linter.core.fix import Fix, TextEdit
from linter.core.model import Span
from linter.core.workspace import file_digest

if TYPE_CHECKING:
    from linter.core.discover import Candidate
    from linter.core.run_types import PartialResult, Settings

FORMAT = 1
DIR_NAME = ".deploylint_cache"
MAX_BYTES = 256 * 1024 * 1024  # the directory's bound; pruned to 3/4 of it when over
_KEY_FILE = "result-cache.key"
_CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is deploylint's result cache (https://bford.info/cachedir/).\n"
# Findings whose text depends on the moment of the run, not on the files.
_UNSTABLE_RULES = ("DL005", "DL006")
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(slots=True)
class Entry:
    """One group's cached result."""

    findings: list[Finding]  # before the baseline is applied
    checked: int  # the first `checked` findings are the rules' (a baseline may suppress them)
    formats: dict[str, str]  # display path -> format
    unparsable: int
    bare_ignores: int
    depends: dict[str, str]  # absolute path of another file read -> its digest
    day: str | None = None  # the only day the entry holds (a dated suppression), or None


@dataclass
class ResultCache:
    """The cache directory of a run, with the run's stamp (see the module docstring)."""

    directory: Path
    secret: bytes
    stamp: str = ""
    max_bytes: int = MAX_BYTES
    _digests: dict[str, str] = field(default_factory=dict)  # this run's file digests, by absolute path

    @classmethod
    def open(cls, anchor: Path) -> ResultCache | None:
        """The cache for a run anchored at `anchor`; None when off or unusable."""
        from linter.core.rule_cache import cache_dir

        user = cache_dir()
        if user is None:
            return None
        if os.environ.get("DEPLOYLINT_CACHE_DIR"):
            directory = user / "results"
        else:
            directory = anchor / DIR_NAME
            if directory.is_symlink():
                return None
        secret = _user_secret(user)
        if secret is None or not _prepare(directory):
            return None
        return cls(directory, secret, max_bytes=MAX_BYTES)

    # --- keys ---------------------------------------------------------------
    def prepare(self, settings: Settings) -> None:
        """Compute the run's stamp once, before any worker starts."""
        self.stamp = run_stamp(settings)

    def digest(self, path: str, limit: int) -> str:
        """The file's digest this run (each file is hashed once per process)."""
        known = self._digests.get(path)
        if known is None:
            known = self._digests[path] = file_digest(path, limit)
        return known

    def group_key(self, members: list[Candidate], settings: Settings, walked: frozenset[str]) -> str:
        """The entry name of a group: the run's stamp, the directories the run
        walks (their files are linted, so not read as context), the files."""
        h = hashlib.sha256(self.stamp.encode())
        h.update(json.dumps(sorted(walked)).encode("utf-8", "surrogatepass"))
        for c in members:
            h.update(f"\0{c.relpath}\0{c.format}\0{c.explicit}\0{c.unreadable}\0".encode("utf-8", "surrogatepass"))
            h.update(self.digest(c.abspath, settings.limits.max_file_bytes).encode())
        return h.hexdigest()

    # --- entries -------------------------------------------------------------
    def get(self, key: str, settings: Settings, today: date) -> Entry | None:
        """The entry, if present, authentic, well formed and still valid."""
        try:
            data = (self.directory / f"{key}.json").read_bytes()
        except OSError:
            return None
        mac, _, body = data.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(key, body)):
            return None
        try:
            entry = _entry_from(json.loads(body))
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        if entry.day is not None and entry.day != today.isoformat():
            return None
        limit = settings.limits.max_file_bytes
        if any(self.digest(path, limit) != digest for path, digest in entry.depends.items()):
            return None
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Store an entry (atomically); one the JSON form cannot hold exactly is not stored."""
        document = _entry_document(entry)
        if document is None:
            return
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        target = self.directory / f"{key}.json"
        tmp = self.directory / f".{key}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._mac(key, body) + b"\n" + body)
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)

    def prune(self) -> None:
        """Keep the directory under its bound: the least recently written entries go first."""
        try:
            entries = [(e.stat().st_mtime_ns, e.stat().st_size, e.path) for e in os.scandir(self.directory)
                       if e.name.endswith(".json") and e.is_file(follow_symlinks=False)]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(entries):
            if total <= self.max_bytes * 3 // 4:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size

    def _mac(self, key: str, body: bytes) -> bytes:
        return hmac.new(self.secret, key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()


def cacheable(findings: list[Finding]) -> bool:
    """Whether a group's findings may be kept (see the module docstring)."""
    return not any(f.rule_id in _UNSTABLE_RULES for f in findings)


# --- the run's stamp -------------------------------------------------------------
def run_stamp(settings: Settings) -> str:
    """A hash of everything beside a group's own files that its findings depend on."""
    h = hashlib.sha256()

    def add(label: str, value: object) -> None:
        h.update(f"{label}\0{json.dumps(value, sort_keys=True, default=repr)}\0".encode("utf-8", "surrogatepass"))

    add("deploylint", [FORMAT, __version__, sys.version, _code_stamp()])
    # repr, not asdict: the same fields, a third of the time (the stamp is made on every run).
    add("rules", repr(settings.rules))
    options = dict(settings.options)
    add("options", options)
    for name in ("secret_patterns", "helm_values"):
        add(name, [file_digest(p, settings.limits.max_file_bytes) for p in options.get(name) or ()])
    add("settings", [str(settings.root.absolute()), settings.excludes, settings.format_hint, settings.ignore_unknown,
                     dataclasses.asdict(settings.limits), settings.inline_suppressions, settings.respect_gitignore,
                     sorted(settings.rule_ignores.items()), settings.catalogue, dataclasses.asdict(settings.suppression_policy),
                     settings.config_source, repr(settings.repository), str(settings.project)])
    add("environment", [(fmt.name, fmt.environment()) for fmt in settings.formats])
    add("tree", tree_shape(settings.project or settings.root))
    return h.hexdigest()


def _code_stamp() -> list[tuple[str, int, int]]:
    """deploylint's own files, by size and time (an edited checkout is a new
    version; a wheel's files lie inside the package)."""
    from linter.core.resources import rules_dir, schemas_dir

    found = []
    for base in sorted({_PACKAGE, rules_dir(), schemas_dir()}):
        for current, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".yaml", ".json")):
                    info = os.stat(os.path.join(current, name))
                    found.append((os.path.join(current, name), info.st_size, info.st_mtime_ns))
    return found


def tree_shape(root: Path) -> str:
    """The names under `root` (and where its symlinks point), with the text of
    each `.gitignore`: what decides which files a glob, a walk for build roots
    or a deployment's directory finds. Directories discovery never enters are
    left out (a file read from one is a recorded dependency all the same)."""
    from linter.core.discover import DEFAULT_EXCLUDES

    skipped = {*DEFAULT_EXCLUDES, DIR_NAME}
    h = hashlib.sha256()
    pending = [str(root)]
    while pending:
        directory = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            h.update(f"unlisted:{exc.errno}\0".encode())
            continue
        h.update(os.fsencode(directory) + b"\1")
        for entry in entries:
            h.update(os.fsencode(entry.name) + b"\0")
            if entry.is_symlink():
                h.update(b"->" + os.fsencode(os.readlink(entry.path)) + b"\0")
            elif entry.is_dir():
                if entry.name not in skipped:
                    pending.append(entry.path)
            elif entry.name == ".gitignore":
                h.update(file_digest(entry.path, 1 << 20).encode())
    return h.hexdigest()


# --- files ------------------------------------------------------------------------
def _prepare(directory: Path) -> bool:
    """Create the directory with its `.gitignore` and `CACHEDIR.TAG`; False if it cannot be used."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "# Created by deploylint: its result cache.\n*\n"), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
            marker = directory / name
            if not marker.exists():
                tmp = directory / f".{name}.{os.getpid()}.tmp"
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, marker)
    except OSError:
        return False
    return directory.is_dir() and not directory.is_symlink()


def _user_secret(user: Path) -> bytes | None:
    """The per-user key entries are authenticated with (made on first use, private)."""
    path = user / _KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip()) or None
    except (OSError, ValueError):
        pass
    try:
        user.mkdir(parents=True, exist_ok=True)
        tmp = user / f".{_KEY_FILE}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(os.urandom(32).hex())
        os.link(tmp, path)  # first writer wins; a concurrent run reads the winner's key
    except FileExistsError:
        pass
    except OSError:
        return None
    finally:
        if "tmp" in locals():
            tmp.unlink(missing_ok=True)
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip()) or None
    except (OSError, ValueError):
        return None


# --- the JSON form ----------------------------------------------------------------
def _span_doc(s: Span) -> list[Any]:
    return [s.file, s.line, s.column, s.end_line, s.end_column]


def _span_from(d: list[Any]) -> Span:
    file, line, column, end_line, end_column = d
    return Span(str(file), int(line), int(column), int(end_line), int(end_column))


def _finding_doc(f: Finding) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": f.rule_id, "name": f.rule_name, "severity": f.severity.value, "message": f.message,
                           "span": _span_doc(f.span), "logical": f.logical, "tags": list(f.tags), "extra": f.extra,
                           "repository_path": f.repository_path}
    if f.suppression is not None:
        s = f.suppression
        doc["suppression"] = [s.kind, s.reason, _span_doc(s.span) if s.span is not None else None, s.fields]
    if f.fix is not None:
        # An edit that writes a secret (a password's hash) is kept as shown
        # (`TextEdit.shown`): reports never print such a replacement, and
        # only --fix, which never uses the cache, would write it.
        doc["fix"] = [f.fix.safety, [[e.file, e.line, e.column, e.end_line, e.end_column, e.replacement if e.shown is None else e.shown,
                                      [_span_doc(h) for h in e.hidden], e.shown] for e in f.fix.edits]]
    return doc


def _finding_from(d: dict[str, Any]) -> Finding:
    suppression = None
    if "suppression" in d:
        kind, reason, span, fields = d["suppression"]
        suppression = Suppression(kind, reason, _span_from(span) if span is not None else None, dict(fields))
    fix = None
    if "fix" in d:
        safety, edits = d["fix"]
        fix = Fix(safety, tuple(TextEdit(file, line, column, end_line, end_column, text, tuple(_span_from(h) for h in hidden), shown)
                                for file, line, column, end_line, end_column, text, hidden, shown in edits))
    return Finding(d["id"], d["name"], Severity(d["severity"]), d["message"], _span_from(d["span"]), d["logical"],
                   suppression, tuple(d["tags"]), d["extra"], d["repository_path"], fix)


def _entry_document(entry: Entry) -> dict[str, Any] | None:
    """The entry as JSON data, or None when reading it back would not give the
    findings it was made from (secret replacements aside, as shown)."""
    document = {"format": FORMAT, "findings": [_finding_doc(f) for f in entry.findings], "checked": entry.checked,
                "formats": entry.formats,
                "unparsable": entry.unparsable, "bare_ignores": entry.bare_ignores, "depends": entry.depends, "day": entry.day}
    try:
        again = _entry_from(json.loads(json.dumps(document)))
    except (TypeError, ValueError, KeyError, IndexError):
        return None
    return document if [_finding_doc(f) for f in again.findings] == document["findings"] else None


def _entry_from(d: Any) -> Entry:
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ValueError("not an entry of this format")
    formats, depends = d["formats"], d["depends"]
    if not (isinstance(formats, dict) and isinstance(depends, dict)):
        raise ValueError("malformed entry")
    return Entry([_finding_from(f) for f in d["findings"]], int(d["checked"]), {str(k): str(v) for k, v in formats.items()},
                 int(d["unparsable"]),
                 int(d["bare_ignores"]), {str(k): str(v) for k, v in depends.items()}, d["day"] if isinstance(d["day"], str) else None)


def as_entry(result: PartialResult, checked: int, depends: dict[str, str], dated: bool, today: date) -> Entry:
    return Entry(result.findings, checked, result.formats, result.unparsable, result.bare_ignores, depends,
                 today.isoformat() if dated else None)
