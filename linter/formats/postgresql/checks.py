"""PostgreSQL checks (PG001-PG111)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.embedding import memory_excesses, placement_of
from linter.core.findings import Severity
from linter.core.model import Span
from linter.core.subject import Subject
from linter.formats.common.limits import limit_violations
from linter.formats.common.line_includes import IncludeProblem
from linter.formats.common.lines import Line
from linter.formats.postgresql.model import Cluster
from linter.formats.postgresql.selectors import HbaRecord
from linter.formats.postgresql.sizes import BLOCK, KB, human, parse_size

_ON = frozenset({"on", "true", "yes", "1"})
_OFF = frozenset({"off", "false", "no", "0", ""})


def _cluster(subject: Subject) -> Cluster | None:
    return subject.data if isinstance(subject.data, Cluster) else None


def _record(subject: Subject) -> HbaRecord | None:
    return subject.data if isinstance(subject.data, HbaRecord) else None


def _at(line: Line) -> Span:
    return line.args[0].span if line.args else line.name.span


def include_unresolved(subject: Subject, params: Any) -> Iterator[Violation]:
    """PG001: an include that could not be followed hides part of the config."""
    if isinstance(subject.data, IncludeProblem):
        yield Violation(subject.data.span, {"detail": subject.data.message}, severity=Severity.WARNING if subject.data.warning else None)


@dataclass(frozen=True, slots=True)
class SslParams:
    require_files: bool = True  # ssl_cert_file and ssl_key_file written out, not the data directory's defaults


def ssl_off(subject: Subject, params: SslParams) -> Iterator[Violation]:
    """PG101: TLS off, or on without its certificate and key named."""
    cluster = _cluster(subject)
    if cluster is None:
        return
    ssl = cluster.setting("ssl")
    if ssl is None and not cluster.unset("ssl"):
        return
    if ssl is None or ssl.arg(0).lower() not in _ON:
        where = _at(ssl) if ssl is not None else cluster.start
        yield Violation(where, {"detail": "ssl is off" if ssl is not None else "ssl is not set (the default is off)"})
        return
    if params.require_files:
        missing = [name for name in ("ssl_cert_file", "ssl_key_file") if not cluster.value(name)]
        if missing:
            yield Violation(_at(ssl), {"detail": f"ssl = on without {' and '.join(missing)}"})


def password_encryption(subject: Subject, params: Any) -> Iterator[Violation]:
    """PG102: passwords stored as MD5 hashes."""
    cluster = _cluster(subject)
    line = cluster.setting("password_encryption") if cluster else None
    if line is not None and line.arg(0).lower() != "scram-sha-256":
        yield Violation(_at(line), {"value": line.arg(0)})


@dataclass(frozen=True, slots=True)
class WeakAuthParams:
    weak_methods: tuple[str, ...] = ("trust", "password", "md5")
    # pg_hba.conf alone (no postgresql.conf in the repository): assume the server listens beyond loopback
    assume_listening: bool = True


def weak_auth_exposed(subject: Subject, params: WeakAuthParams) -> Iterator[Violation]:
    """PG103: a weak method for remote clients while the server listens beyond loopback."""
    record = _record(subject)
    if record is None:
        return
    entry, method = record.entry, record.entry.method
    if method is None or not entry.host or entry.loopback() or method.value.lower() not in params.weak_methods:
        return
    listening = record.cluster.listening()
    if listening is None or listening is True and not params.assume_listening:
        return
    where = "listen_addresses is unknown (no postgresql.conf)"
    if not isinstance(listening, bool):
        where = f"listen_addresses = '{listening.arg(0)}' ({listening.name.span.file}:{listening.name.span.line})"
    yield Violation(method.span, {"method": method.value, "listen": where})


def open_to_internet(subject: Subject, params: Any) -> Iterator[Violation]:
    """PG104: a record admitting clients from any address."""
    record = _record(subject)
    if record is None or not record.entry.host or not record.entry.world():
        return
    method = record.entry.method
    if method is not None and method.value.lower() == "reject":
        return
    address = record.entry.address
    assert address is not None
    yield Violation(address.span, {"address": address.value if record.entry.mask is None else f"{address.value} {record.entry.mask.value}"})


def host_without_ssl(subject: Subject, params: Any) -> Iterator[Violation]:
    """PG105: a `host`/`hostnossl` record for remote clients accepts unencrypted connections."""
    record = _record(subject)
    if record is None:
        return
    entry = record.entry
    if entry.type.value not in ("host", "hostnossl") or entry.loopback():
        return
    if entry.method is not None and entry.method.value.lower() == "reject":
        return
    yield Violation(entry.type.span, {})


def log_connections(subject: Subject, params: Any) -> Iterator[Violation]:
    """PG106: connection attempts are not logged."""
    cluster = _cluster(subject)
    if cluster is None:
        return
    line = cluster.setting("log_connections")
    if cluster.unset("log_connections"):
        yield Violation(cluster.start, {"detail": "log_connections is not set (the default is off)"})
    elif line is not None and line.arg(0).strip().lower() in _OFF:
        shown = line.arg(0) or "''"
        yield Violation(_at(line), {"detail": f"log_connections = {shown}"})


@dataclass(frozen=True, slots=True)
class PoolParams:
    # The checklist's asyncpg pool: pool_size 20 + max_overflow 10 per process.
    pool_size: int = 20
    max_overflow: int = 10
    app_instances: int = 3  # processes holding a pool (the checklist's minReplicas 3)
    default_max_connections: int = 100


def max_connections(subject: Subject, params: PoolParams) -> Iterator[Violation]:
    """PG107: max_connections below what the application pools may open."""
    cluster = _cluster(subject)
    if cluster is None:
        return
    line = cluster.setting("max_connections")
    if line is None and not cluster.unset("max_connections"):
        return
    reserved_text = cluster.value("superuser_reserved_connections", "3")
    reserved = int(reserved_text) if reserved_text.isdigit() else 3
    value_text = line.arg(0) if line is not None else str(params.default_max_connections)
    if not value_text.isdigit():
        yield Violation(_at(line) if line else cluster.start, {"detail": f"max_connections '{value_text}' is not a number"})
        return
    need = params.app_instances * (params.pool_size + params.max_overflow) + reserved
    if int(value_text) < need:
        detail = (f"max_connections {value_text} is below the {need} the pools need "
                  f"({params.app_instances} × ({params.pool_size} + {params.max_overflow}) + {reserved} reserved)")
        yield Violation(_at(line) if line else cluster.start, {"detail": detail})


@dataclass(frozen=True, slots=True)
class SharedBuffersParams:
    min_bytes: int = 256 * 1024**2  # the stock 128MB is sized for a small machine


def shared_buffers(subject: Subject, params: SharedBuffersParams) -> Iterator[Violation]:
    """PG108: shared_buffers left at the stock size, below `min_bytes`, or unreadable."""
    cluster = _cluster(subject)
    if cluster is None:
        return
    line = cluster.setting("shared_buffers")
    if line is None:
        if cluster.unset("shared_buffers"):
            yield Violation(cluster.start, {"detail": "shared_buffers is not set (the default is 128MB)"})
        return
    size = parse_size(line.arg(0), BLOCK)
    if size.bytes is None:
        yield Violation(_at(line), {"detail": f"shared_buffers '{line.arg(0)}' is {size.problem}"})
    elif size.bytes < params.min_bytes:
        yield Violation(_at(line), {"detail": f"shared_buffers {human(size.bytes)} is below {human(params.min_bytes)}"})


@dataclass(frozen=True, slots=True)
class BufferShareParams:
    # The manual: more than 40% of RAM is unlikely to work better (the kernel's cache does the rest).
    max_share: float = 0.4


def shared_buffers_above_limit(subject: Subject, params: BufferShareParams) -> Iterator[Violation]:
    """PG110: shared_buffers above (a share of) the memory limit of a
    container that mounts this postgresql.conf. Shared memory is charged to
    the container: above the limit itself the server is killed as it fills
    its buffers (an error); above `max_share` the backends' work_mem and
    the kernel's cache of the data are starved (a warning)."""
    cluster = _cluster(subject)
    bounds = placement_of(cluster.conf.main).memory_bounds if cluster is not None and cluster.conf is not None else ()
    line = cluster.setting("shared_buffers") if cluster is not None else None
    size = parse_size(line.arg(0), BLOCK).bytes if line is not None else None
    if not bounds or line is None or not size:
        return
    yield from limit_violations(_at(line), {"value": line.arg(0)}, size, bounds, params.max_share, human)


@dataclass(frozen=True, slots=True)
class MemoryEstimateParams:
    # The rest of the limit is headroom: maintenance_work_mem, autovacuum, the connections themselves.
    max_share: float = 0.9


# The server's defaults, in bytes, for what a config leaves out.
_DEFAULTS = {"shared_buffers": 128 * 1024**2, "work_mem": 4 * 1024**2}
_BASE_UNITS = {"shared_buffers": BLOCK, "work_mem": KB}
_DEFAULT_MAX_CONNECTIONS = 100


def memory_estimate_above_limit(subject: Subject, params: MemoryEstimateParams) -> Iterator[Violation]:
    """PG111: shared_buffers + max_connections × work_mem (every connection
    sorting at once, an estimate, not a bound) above a share of the memory
    limit of a container that mounts this postgresql.conf. Reported at
    work_mem (else max_connections) when the config writes it."""
    cluster = _cluster(subject)
    bounds = placement_of(cluster.conf.main).memory_bounds if cluster is not None and cluster.conf is not None else ()
    if cluster is None or not bounds:
        return
    sizes: dict[str, int | None] = {}
    for name, base in _BASE_UNITS.items():
        line = cluster.setting(name)
        sizes[name] = parse_size(line.arg(0), base).bytes if line is not None else _DEFAULTS[name]
    connections_line = cluster.setting("max_connections")
    connections_text = connections_line.arg(0) if connections_line is not None else str(_DEFAULT_MAX_CONNECTIONS)
    work_mem, buffers = sizes["work_mem"], sizes["shared_buffers"]
    at = cluster.setting("work_mem") or connections_line
    if work_mem is None or buffers is None or not connections_text.isdigit() or at is None:
        return  # unreadable (PG107/PG108 say so), or nothing written that the estimate could point at
    estimate = buffers + int(connections_text) * work_mem
    for excess in memory_excesses(estimate, bounds, params.max_share):
        bound = excess.bound
        detail = (f"shared_buffers {human(buffers)} + max_connections {connections_text} × work_mem {human(work_mem)} "
                  f"= {human(estimate)} is above {params.max_share:.0%} of the memory limit of {bound.who} "
                  f"({human(bound.limit_bytes)}, {bound.where})")
        yield Violation(_at(at), {"detail": detail}, logical=bound.who)


def archiving(subject: Subject, params: Any) -> Iterator[Violation]:
    """PG109: no WAL archiving, so no point-in-time recovery."""
    cluster = _cluster(subject)
    if cluster is None:
        return
    wal_level = cluster.setting("wal_level")
    if wal_level is not None and wal_level.arg(0).lower() == "minimal":
        yield Violation(_at(wal_level), {"detail": "wal_level = minimal cannot be archived"}, logical="wal_level")
        return
    mode = cluster.setting("archive_mode")
    if mode is None and not cluster.unset("archive_mode"):
        return  # the main file may set what the fragment leaves out
    if mode is None or mode.arg(0).lower() not in (*_ON, "always"):
        where = _at(mode) if mode is not None else cluster.start
        yield Violation(where, {"detail": "archive_mode is not on"}, logical="archive_mode")
    elif _known_empty(cluster, "archive_command") and _known_empty(cluster, "archive_library"):
        yield Violation(_at(mode), {"detail": "archive_mode is on but neither archive_command nor archive_library is set"}, logical="archive_mode")


def _known_empty(cluster: Cluster, name: str) -> bool:
    """Written empty, or known unset (its default is empty)."""
    return (cluster.setting(name) is not None or cluster.unset(name)) and not cluster.value(name).strip()


_SETTINGS = (Cluster,)
_RECORDS = (HbaRecord,)

CHECKS = {
    "include-unresolved": PythonCheck(include_unresolved, takes=(IncludeProblem,)),
    "ssl-off": PythonCheck(ssl_off, SslParams, takes=_SETTINGS),
    "password-encryption": PythonCheck(password_encryption, takes=_SETTINGS),
    "weak-auth-exposed": PythonCheck(weak_auth_exposed, WeakAuthParams, takes=_RECORDS),
    "open-to-internet": PythonCheck(open_to_internet, takes=_RECORDS),
    "host-without-ssl": PythonCheck(host_without_ssl, takes=_RECORDS),
    "log-connections": PythonCheck(log_connections, takes=_SETTINGS),
    "max-connections": PythonCheck(max_connections, PoolParams, takes=_SETTINGS),
    "shared-buffers": PythonCheck(shared_buffers, SharedBuffersParams, takes=_SETTINGS),
    "archiving": PythonCheck(archiving, takes=_SETTINGS),
    "shared-buffers-above-limit": PythonCheck(shared_buffers_above_limit, BufferShareParams, takes=_SETTINGS),
    "memory-estimate-above-limit": PythonCheck(memory_estimate_above_limit, MemoryEstimateParams, takes=_SETTINGS),
}
