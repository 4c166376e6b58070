"""Redis checks (RDS001-RDS301). Passwords are shown only through `redact`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.embedding import placement_of
from linter.core.findings import Severity
from linter.core.model import Span
from linter.core.subject import Subject
from linter.formats.common.limits import limit_violations
from linter.formats.common.line_includes import IncludeProblem
from linter.formats.common.lines import Line, Token
from linter.formats.common.secrets import classify, redact, shown_token
from linter.formats.redis.model import RedisConfig, is_loopback
from linter.formats.redis.sizes import human, parse_size


def _config(subject: Subject) -> RedisConfig | None:
    return subject.data if isinstance(subject.data, RedisConfig) else None


def _value_span(line: Line) -> Span:
    return line.args[0].span if line.args else line.name.span


def include_unresolved(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS001: an include that could not be followed hides part of the config."""
    if isinstance(subject.data, IncludeProblem):
        yield Violation(subject.data.span, {"detail": subject.data.message}, severity=Severity.WARNING if subject.data.warning else None)


def aof_disabled(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS101: `appendonly yes` is not set (the default is no)."""
    config = _config(subject)
    if config is None:
        return
    line = config.tree.last("appendonly")
    if line is None:
        if config.tree.hides_content:
            return
        yield Violation(config.tree.start, {"detail": "appendonly is not set (the default is no)"})
    elif line.arg(0).lower() != "yes":
        yield Violation(_value_span(line), {"detail": f"appendonly {line.arg(0)}"})


def aof_fsync_never(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS102: `appendfsync no` leaves flushing to the kernel."""
    config = _config(subject)
    line = config.tree.last("appendfsync") if config else None
    if line is not None and line.arg(0).lower() == "no":
        yield Violation(_value_span(line), {})


def maxmemory_unset(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS103: no memory cap (absent or 0), or one the server refuses."""
    config = _config(subject)
    if config is None:
        return
    line = config.tree.last("maxmemory")
    if line is None:
        if not config.tree.hides_content:
            yield Violation(config.tree.start, {"detail": "maxmemory is not set (no limit)"})
        return
    size = parse_size(line.arg(0))
    if size.bytes is None:
        yield Violation(_value_span(line), {"detail": f"maxmemory is {size.problem}"})
    elif size.bytes == 0:
        yield Violation(_value_span(line), {"detail": "maxmemory 0 means no limit"})


@dataclass(frozen=True, slots=True)
class MemoryShareParams:
    max_share: float = 0.8  # of the container's memory limit; the rest is for forks, buffers and the process itself


def maxmemory_above_limit(subject: Subject, params: MemoryShareParams) -> Iterator[Violation]:
    """RDS105: `maxmemory` above (a share of) the memory limit of a container
    that mounts this config: the kernel kills Redis before it evicts."""
    config = _config(subject)
    line = config.tree.last("maxmemory") if config is not None else None
    if config is None or line is None:
        return
    size = parse_size(line.arg(0)).bytes
    yield from limit_violations(_value_span(line), {"maxmemory": line.arg(0)}, size or 0, placement_of(config.tree.main).memory_bounds,
                                params.max_share, human)


@dataclass(frozen=True, slots=True)
class PolicyParams:
    allowed: tuple[str, ...] = ("allkeys-lru", "allkeys-lfu")


def maxmemory_policy(subject: Subject, params: PolicyParams) -> Iterator[Violation]:
    """RDS104: the eviction policy is not one of `allowed` (the default is noeviction)."""
    config = _config(subject)
    if config is None:
        return
    line = config.tree.last("maxmemory-policy")
    if line is None and config.tree.hides_content:
        return
    policy = line.arg(0).lower() if line is not None else "noeviction"
    if policy not in params.allowed:
        where = _value_span(line) if line is not None else config.tree.start
        shown = policy if line is not None else "noeviction (the default)"
        yield Violation(where, {"policy": shown, "allowed": ", ".join(params.allowed)})


def has_auth(config: RedisConfig) -> bool:
    """A password for the default user, an ACL file, or an ACL user with a password."""
    if config.tree.value("requirepass") or config.tree.value("aclfile"):
        return True
    for line in config.tree.all("user"):
        rules = [v.lower() for v in line.values[1:]]
        if "on" in rules and any(r.startswith((">", "#")) for r in rules):
            return True
    return False


def no_auth_exposed(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS201: reachable from other hosts with no password or ACL user."""
    config = _config(subject)
    exposed = config.exposed() if config else None
    if config is None or exposed is None or has_auth(config) or config.tree.hides_content:
        return
    # Quote what exposes it, not the whole line: a `bind` line's other words may be anything pasted there.
    values = [v for v in exposed.values if not is_loopback(v.removeprefix("-"))][:1] if exposed.key == "bind" else exposed.values
    yield Violation(exposed.span, {"setting": " ".join([exposed.key, *map(shown_token, values)])})


_PASSWORD_DIRECTIVES = ("requirepass", "masterauth")


def _password_tokens(config: RedisConfig) -> Iterator[tuple[str, Token, str]]:
    """(directive, token, password) for every password written in the config."""
    for name in _PASSWORD_DIRECTIVES:
        for line in config.tree.all(name):
            if line.args:
                yield name, line.args[0], line.args[0].value
    for line in config.tree.all("user"):
        for token in line.args[1:]:
            if token.value.startswith(">") and len(token.value) > 1:
                yield f"user {line.arg(0)}", token, token.value[1:]
    for line in config.tree.all("sentinel"):
        option = line.arg(0).lower()
        if option == "auth-pass" and len(line.args) > 2:  # sentinel auth-pass <master> <password>
            yield f"sentinel auth-pass {line.arg(1)}", line.args[2], line.args[2].value
        elif option == "sentinel-pass" and len(line.args) > 1:
            yield "sentinel sentinel-pass", line.args[1], line.args[1].value


def plaintext_password(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS202: a password literal in the config file."""
    config = _config(subject)
    if config is None:
        return
    for where, token, password in _password_tokens(config):
        if classify("password", password).literal:
            yield Violation(token.span, {"directive": where, "redacted": redact(password)}, logical=where)


@dataclass(frozen=True, slots=True)
class DangerousParams:
    commands: tuple[str, ...] = ("FLUSHALL", "FLUSHDB", "CONFIG", "DEBUG")
    # Redis 7 refuses DEBUG unless `enable-debug-command` says yes or local.
    debug_off_by_default: bool = True


# The ACL categories each command belongs to (`COMMAND INFO`).
_CATEGORIES = {
    "flushall": ("keyspace", "write", "dangerous", "slow"),
    "flushdb": ("keyspace", "write", "dangerous", "slow"),
    "config": ("admin", "slow", "dangerous"),
    "debug": ("admin", "slow", "dangerous"),
}


def user_may_run(line: Line, command: str) -> bool:
    """Whether an ACL `user` line lets its user run `command` (its rules in order)."""
    rules = [v.lower() for v in line.values[1:]]
    if "off" in rules and "on" not in rules:
        return False
    categories = _CATEGORIES.get(command, ("dangerous",))
    allowed = False
    for rule in rules:
        if rule in ("allcommands", "+@all") or rule == f"+{command}" or rule[2:] in categories and rule.startswith("+@"):
            allowed = True
        elif rule in ("nocommands", "-@all", "reset") or rule == f"-{command}" or rule[2:] in categories and rule.startswith("-@"):
            allowed = False
    return allowed


def dangerous_commands(subject: Subject, params: DangerousParams) -> Iterator[Violation]:
    """RDS203: destructive or reconfiguring commands left callable by clients."""
    config = _config(subject)
    if config is None:
        return
    renamed = {line.arg(0).lower() for line in config.tree.all("rename-command") if line.arg(0)}
    users = config.tree.all("user")
    if not users and config.tree.value("aclfile"):
        return  # the users and what they may run live in the ACL file, which the repository does not show
    if config.tree.hides_content:
        return  # a rename-command or user line may be in the include not read
    debug = config.tree.value("enable-debug-command").lower()
    for name in params.commands:
        command = name.lower()
        if command in renamed:
            continue
        if command == "debug" and (debug == "no" or not debug and params.debug_off_by_default):
            continue
        if users:
            granted = [line for line in users if user_may_run(line, command)]
            if granted:
                yield Violation(granted[0].span, {"command": name, "who": f"ACL user '{granted[0].arg(0)}'"}, logical=command)
        else:
            yield Violation(config.tree.start, {"command": name, "who": "every client"}, logical=command)


def tls_remote(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS204: reachable from other hosts over plaintext (`tls-port` and `port 0` for TLS only)."""
    config = _config(subject)
    exposed = config.exposed() if config else None
    if config is None or exposed is None:
        return
    tls_port = config.tree.last("tls-port")
    if tls_port is None and config.tree.hides_content:
        return
    if tls_port is None or tls_port.arg(0) == "0":
        yield Violation(exposed.span, {"detail": "no tls-port: clients connect in plaintext"})
        return
    port = config.tree.last("port")
    if port is None or port.arg(0) != "0":
        where = _value_span(port) if port is not None else exposed.span
        yield Violation(where, {"detail": "the plaintext port is still open beside tls-port (set port 0)"})


def replica_without_masterauth(subject: Subject, params: Any) -> Iterator[Violation]:
    """RDS205: a replica of a primary without the primary's password."""
    config = _config(subject)
    if config is None:
        return
    line = config.tree.last("replicaof") or config.tree.last("slaveof")
    if line is not None and not config.tree.value("masterauth") and not config.tree.hides_content:
        yield Violation(line.name.span, {"directive": line.key})


@dataclass(frozen=True, slots=True)
class QuorumParams:
    min_sentinels: int = 3


def sentinel_quorum(subject: Subject, params: QuorumParams) -> Iterator[Violation]:
    """RDS301: too few Sentinels, an even number of them, or a quorum that is not a majority."""
    config = _config(subject)
    if config is None:
        return
    known: dict[str, int] = {}
    for line in config.tree.all("sentinel"):
        if line.arg(0).lower() == "known-sentinel":
            known[line.arg(1)] = known.get(line.arg(1), 0) + 1
    for line in config.tree.all("sentinel"):
        if line.arg(0).lower() != "monitor" or len(line.args) < 5:
            continue
        master, quorum_token = line.arg(1), line.args[4]
        count = known.get(master, 0) + 1 if master in known else 0
        majority = max(params.min_sentinels, count) // 2 + 1
        quorum = int(quorum_token.value) if quorum_token.value.isdigit() else 0
        if count and (count < params.min_sentinels or count % 2 == 0):
            detail = f"{count} Sentinels know master '{master}': run at least {params.min_sentinels}, an odd number"
            yield Violation(quorum_token.span, {"detail": detail}, logical=f"{master}/count")
        elif quorum < majority:
            detail = f"quorum {quorum_token.value} for master '{master}' is below a majority of {max(params.min_sentinels, count)} Sentinels ({majority})"
            yield Violation(quorum_token.span, {"detail": detail}, logical=f"{master}/quorum")


_TAKES = (RedisConfig,)

CHECKS = {
    "include-unresolved": PythonCheck(include_unresolved, takes=(IncludeProblem,)),
    "aof-disabled": PythonCheck(aof_disabled, takes=_TAKES),
    "aof-fsync-never": PythonCheck(aof_fsync_never, takes=_TAKES),
    "maxmemory-unset": PythonCheck(maxmemory_unset, takes=_TAKES),
    "maxmemory-policy": PythonCheck(maxmemory_policy, PolicyParams, takes=_TAKES),
    "maxmemory-above-limit": PythonCheck(maxmemory_above_limit, MemoryShareParams, takes=_TAKES),
    "no-auth-exposed": PythonCheck(no_auth_exposed, takes=_TAKES),
    "plaintext-password": PythonCheck(plaintext_password, takes=_TAKES),
    "dangerous-commands": PythonCheck(dangerous_commands, DangerousParams, takes=_TAKES),
    "tls-remote": PythonCheck(tls_remote, takes=_TAKES),
    "replica-without-masterauth": PythonCheck(replica_without_masterauth, takes=_TAKES),
    "sentinel-quorum": PythonCheck(sentinel_quorum, QuorumParams, takes=_TAKES),
}
