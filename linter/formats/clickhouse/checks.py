"""ClickHouse checks (CH rules), on merged configs.

Every check reads what the server will see after merging overrides, and points
at the element that set the value, in whichever file that is. A finding is
only reported in a file that was scanned (pre-commit may pass one override: its
main file then informs the verdict but is not reported on). Where absence is
the problem, the check needs to know the element is absent: every file
merged, or those that could not be read never name it (`absence_known`);
lone fragments are judged only on what they set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.findings import Severity
from linter.core.model import MappingNode, Node, ScalarNode
from linter.core.subject import Subject
from linter.formats.clickhouse.memory import QueryShareParams, query_memory_above_limit, server_memory_above_limit
from linter.formats.clickhouse.parser import ClickHouseConfig
from linter.formats.clickhouse.selectors import (
    AUTH_KEYS,
    Credential,
    child,
    default_profile_name,
    each,
    first,
    has_include,
    is_substituted,
    is_true,
    root_span,
    scalar,
    tag_span,
    text,
    user_exposure,
    value_span,
    wildcard_listen_host,
)
from linter.formats.common.secrets import ValueKind, classify, redact

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
EMPTY_DOUBLE_SHA1 = hashlib.sha1(hashlib.sha1(b"").digest()).hexdigest()
HASH_LENGTHS = {"password_sha256_hex": 64, "password_double_sha1_hex": 40}
CRITICAL = 9.8  # passwordless, any network, wildcard listen_host: anyone who reaches the port is in


def _config_of(subject: Subject) -> ClickHouseConfig | None:
    data = subject.data
    if isinstance(data, Credential):
        return data.config
    return data if isinstance(data, ClickHouseConfig) else None


def reported(fn: Callable[[Subject, Any], Iterator[Violation]]) -> Callable[[Subject, Any], Iterator[Violation]]:
    """Keep only violations in files scanned this run."""

    def check(subject: Subject, params: Any) -> Iterator[Violation]:
        config = _config_of(subject)
        for violation in fn(subject, params):
            if config is None or violation.span.file in config.reportable:
                yield violation

    check.__doc__ = fn.__doc__
    return check


def _root(subject: Subject, *, absent: tuple[str, ...] = ()) -> MappingNode | None:
    """The merged root a server/users-config subject is about; None when the
    check needs elements named `absent` to be known missing and they are not."""
    config = _config_of(subject)
    root = subject.node
    if not isinstance(root, MappingNode) or config is None:
        return None
    if absent and (not config.absence_known(*absent) or has_include(root)):
        return None
    return root


# --- CH101-CH104: where limits live ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProfileSettingParams:
    setting: str = "max_memory_usage"
    unlimited_values: tuple[str, ...] = ()  # values that mean "no limit" (e.g. "0")


def profile_setting(subject: Subject, params: ProfileSettingParams) -> Iterator[Violation]:
    """The default settings profile sets `setting` (to a real limit)."""
    config: ClickHouseConfig = subject.data
    root = _root(subject)
    if root is None:
        return
    name = default_profile_name(config)
    profiles = first(root.get("profiles"))
    if is_substituted(profiles) or (profiles is not None and is_substituted(child(profiles, name))):
        return
    profile = first(child(profiles, name))
    variables = {"profile": name, "setting": params.setting}
    known_absent = not has_include(root) and not has_include(profiles) and not has_include(profile)
    if profile is None:
        if known_absent and config.absence_known(name):
            where = tag_span(profiles) if profiles is not None else root_span(config)
            yield Violation(where, dict(variables, detail=f"is not defined, so {params.setting} is not set"), logical=name)
        return
    value = first(child(profile, params.setting))
    if value is None:
        if known_absent and config.absence_known(params.setting):
            yield Violation(tag_span(profile), dict(variables, detail=f"does not set {params.setting}"), logical=name)
        return
    if not is_substituted(value) and text(value) in params.unlimited_values:
        detail = f"sets {params.setting} to {text(value)} (no limit)"
        yield Violation(value_span(value), dict(variables, detail=detail), logical=name)


@dataclass(frozen=True, slots=True)
class ServerProfileSettingParams:
    settings: tuple[str, ...] = (
        "max_memory_usage", "max_memory_usage_for_user", "max_threads", "max_query_size", "max_execution_time",
        "max_insert_threads", "max_bytes_before_external_group_by", "max_bytes_before_external_sort",
        "max_result_rows", "max_result_bytes", "max_rows_to_read", "max_bytes_to_read", "max_rows_to_group_by",
        "readonly", "log_queries", "load_balancing", "use_uncompressed_cache", "max_partitions_per_insert_block",
        "insert_quorum", "distributed_product_mode", "max_ast_depth", "max_ast_elements", "allow_ddl",
        "max_concurrent_queries_for_user", "max_network_bandwidth", "max_block_size",
    )


def server_profile_setting(subject: Subject, params: ServerProfileSettingParams) -> Iterator[Violation]:
    """Query-level settings at the top of the server config stop the server from starting."""
    root = _root(subject)
    if root is None:
        return
    skipped = is_true(root.get("skip_check_for_incorrect_settings"))
    for name in params.settings:
        for node in each(root.get(name)):
            if skipped:
                detail = "is ignored here (skip_check_for_incorrect_settings is on)"
                yield Violation(tag_span(node), {"setting": name, "detail": detail}, logical=name, severity=Severity.WARNING)
            else:
                yield Violation(tag_span(node), {"setting": name, "detail": "makes the server refuse to start"}, logical=name)


# --- CH201-CH204: users -------------------------------------------------------------------------

def _critical_exposure(config: ClickHouseConfig, user: Node) -> tuple[str, float | None, Severity | None]:
    """Extra words and severities when anyone on any network can log in."""
    exposure = user_exposure(user, config.absence_known("networks"))
    listen = wildcard_listen_host(config.server)
    if exposure.anywhere and listen is not None:
        return (
            f"; {exposure.reason} and listen_host is {listen.text} (every interface): anyone who reaches the server is in",
            CRITICAL,
            Severity.ERROR,
        )
    if exposure.anywhere:
        return f"; {exposure.reason}", None, None
    return "", None, None


def user_without_password(subject: Subject, params: Any) -> Iterator[Violation]:
    """A user with no password (no auth element, an empty <password>, or <no_password/>)."""
    user = subject.node
    assert user is not None
    config: ClickHouseConfig = subject.data
    present = [k for k in AUTH_KEYS if child(user, k) is not None]
    if not present:
        if not config.absence_known(*AUTH_KEYS) or has_include(user):
            return  # an unread file or an include may set it
        where, what = tag_span(user), "has no password"
    elif present == ["no_password"]:
        node = first(child(user, "no_password"))
        assert node is not None
        where, what = tag_span(node), "is configured with <no_password/>"
    elif present == ["password"]:
        node = first(child(user, "password"))
        if node is None or is_substituted(node) or text(node):
            return
        where, what = tag_span(node), "has an empty <password>"
    else:
        return
    extra, security, severity = _critical_exposure(config, user)
    yield Violation(where, {"detail": what + extra}, logical="password", severity=severity, security_severity=security)


def plaintext_password(subject: Subject, params: Any) -> Iterator[Violation]:
    """Literal passwords and secrets in the config; hashes of the empty password."""
    node = subject.node
    assert node is not None
    credential: Credential = subject.data
    value = scalar(node)
    if is_substituted(node) or value is None or not value.text.strip():
        return  # from_env/from_zk/incl/encrypted_by, or empty (CH201/CH402 judge emptiness)
    literal = value.text.strip()
    who = f"user '{credential.user}'" if credential.user else f"<{subject.context['element']}>"
    if credential.kind in HASH_LENGTHS:
        yield from _hash_problems(value, literal, credential, who)
        return
    verdict = classify(subject.context["element"].rsplit("/", 1)[-1], literal)
    if verdict.kind is ValueKind.REFERENCE:
        return
    strength = {ValueKind.PLACEHOLDER: ", a placeholder", ValueKind.WEAK: ", weak"}.get(verdict.kind, "")
    shown = f"{redact(literal)}{strength}"
    if credential.kind == "password":
        detail = f"{who} has a plaintext <password> ({shown}); store password_sha256_hex instead"
    else:
        detail = f"{who} holds a literal secret ({shown}); read it with from_env or encrypt it"
    yield Violation(value.span, {"detail": detail}, logical=credential.kind)


def _hash_problems(value: ScalarNode, literal: str, credential: Credential, who: str) -> Iterator[Violation]:
    length = HASH_LENGTHS[credential.kind]
    if len(literal) != length or any(c not in "0123456789abcdefABCDEF" for c in literal):
        detail = f"{who}: <{credential.kind}> must be {length} hex digits (got {len(literal)} characters); the server rejects it"
        yield Violation(value.span, {"detail": detail}, logical=credential.kind)
    elif literal.lower() in (EMPTY_SHA256, EMPTY_DOUBLE_SHA1):
        extra, security, severity = ("", None, None)
        if credential.user_node is not None:
            extra, security, severity = _critical_exposure(credential.config, credential.user_node)
        detail = f"{who}: <{credential.kind}> is the hash of the empty password{extra}"
        yield Violation(value.span, {"detail": detail}, logical=credential.kind, severity=severity, security_severity=security)


def open_network(subject: Subject, params: Any) -> Iterator[Violation]:
    """A user reachable from any address: <networks> missing, ::/0, 0.0.0.0/0, or an any-host regexp."""
    user = subject.node
    assert user is not None
    config: ClickHouseConfig = subject.data
    exposure = user_exposure(user, config.absence_known("networks"))
    if not exposure.anywhere:
        return
    where = value_span(exposure.node) if exposure.node is not None else tag_span(user)
    yield Violation(where, {"detail": exposure.reason}, logical="networks")


def access_management(subject: Subject, params: Any) -> Iterator[Violation]:
    """access_management on the default user or on a user reachable from anywhere."""
    user = subject.node
    assert user is not None
    config: ClickHouseConfig = subject.data
    node = first(child(user, "access_management"))
    if node is None or not is_true(node):
        return
    name = subject.context["user"]
    exposure = user_exposure(user, config.absence_known("networks"))
    if name == "default":
        reason = "the default user (what every unauthenticated client logs in as)"
    elif exposure.anywhere:
        reason = f"a user reachable from any address ({exposure.reason})"
    else:
        return
    yield Violation(value_span(node), {"detail": reason}, logical="access_management")


# --- CH301-CH303: network and TLS ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlaintextPortsParams:
    pairs: tuple[str, ...] = ("http_port:https_port", "tcp_port:tcp_port_secure")


def plaintext_ports(subject: Subject, params: PlaintextPortsParams) -> Iterator[Violation]:
    """Plain ports on a wildcard listen_host with no TLS counterpart."""
    root = _root(subject)
    listen = wildcard_listen_host(subject.data)
    if root is None or listen is None or has_include(root):
        return
    for pair in params.pairs:
        plain, secure = pair.split(":")
        node = first(root.get(plain))
        if node is not None and root.get(secure) is None and subject.data.absence_known(secure):
            port = text(node) or "(from substitution)"
            variables = {"port": plain, "value": port, "secure": secure, "listen": listen.text}
            yield Violation(tag_span(node), variables, logical=plain)


LEGACY_PROTOCOLS = ("sslv2", "sslv3", "tlsv1", "tlsv1_1")


def tls_protocols(subject: Subject, params: Any) -> Iterator[Violation]:
    """openSSL server/client sections that leave SSLv3/TLS 1.0/1.1 enabled."""
    config: ClickHouseConfig = subject.data
    root = _root(subject)
    if root is None:
        return
    for side in ("server", "client"):
        section = first(child(root, "openSSL", side))
        if not isinstance(section, MappingNode) or is_substituted(section) or is_true(section.get("requireTLSv1_2")):
            continue
        disabled_node = first(section.get("disableProtocols"))
        if disabled_node is None and not config.absence_known("disableProtocols", "requireTLSv1_2"):
            continue
        disabled = {p.strip().lower() for p in text(disabled_node).split(",")}
        enabled = [p for p in LEGACY_PROTOCOLS if p not in disabled]
        if enabled and not is_substituted(disabled_node):
            where = value_span(disabled_node) if disabled_node is not None else tag_span(section)
            yield Violation(where, {"side": side, "protocols": ", ".join(enabled)}, logical=f"openSSL/{side}")


@dataclass(frozen=True, slots=True)
class TlsVerificationParams:
    check_server: bool = True  # the server side: verificationMode none means no client certificates


def tls_verification(subject: Subject, params: TlsVerificationParams) -> Iterator[Violation]:
    """TLS peers not verified: client verificationMode none or AcceptCertificateHandler."""
    root = _root(subject)
    if root is None:
        return
    client = child(root, "openSSL", "client")
    mode = first(child(client, "verificationMode"))
    if text(mode).lower() == "none":
        assert mode is not None
        detail = (
            "openSSL client verificationMode none: outgoing TLS connections "
            "(replicas, ZooKeeper, dictionaries, S3) accept any certificate"
        )
        yield Violation(value_span(mode), {"detail": detail}, logical="openSSL/client/verificationMode")
    handler = first(child(client, "invalidCertificateHandler", "name"))
    if text(handler) == "AcceptCertificateHandler":
        assert handler is not None
        detail = "openSSL client AcceptCertificateHandler: invalid server certificates are accepted"
        yield Violation(value_span(handler), {"detail": detail}, logical="openSSL/client/invalidCertificateHandler")
    server_mode = first(child(root, "openSSL", "server", "verificationMode"))
    if params.check_server and text(server_mode).lower() == "none":
        assert server_mode is not None
        detail = "openSSL server verificationMode none: client certificates are never checked (no mutual TLS)"
        logical = "openSSL/server/verificationMode"
        yield Violation(value_span(server_mode), {"detail": detail}, logical=logical, severity=Severity.WARNING)


# --- CH401-CH402: replication -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class KeeperQuorumParams:
    min_nodes: int = 3


def keeper_quorum(subject: Subject, params: KeeperQuorumParams) -> Iterator[Violation]:
    """ZooKeeper/Keeper ensembles smaller than `min_nodes` or with an even count."""
    root = _root(subject)
    if root is None:
        return
    for path, member in (("zookeeper", "node"), ("keeper_server/raft_configuration", "server")):
        section = first(child(root, *path.split("/")))
        if section is None or is_substituted(section):
            continue
        count = len(each(child(section, member)))
        if count < params.min_nodes or count % 2 == 0:
            if count < params.min_nodes:
                problem = f"fewer than {params.min_nodes}"
            else:
                problem = "an even number: no more failures tolerated than with one less"
            variables = {"section": path, "member": member, "count": count, "problem": problem}
            yield Violation(tag_span(section), variables, logical=path)


LOCAL_HOSTS = ("localhost", "127.", "::1")


def _cluster_is_local(cluster: Node) -> bool:
    hosts = [text(child(r, "host")) for s in each(child(cluster, "shard")) for r in each(child(s, "replica"))]
    return bool(hosts) and all(h.startswith(LOCAL_HOSTS) for h in hosts)


def interserver_credentials(subject: Subject, params: Any) -> Iterator[Violation]:
    """Replication without interserver credentials; clusters without a secret."""
    root = _root(subject)
    if root is None or has_include(root):
        return
    config: ClickHouseConfig = subject.data
    replicated = root.get("zookeeper") is not None or root.get("keeper_server") is not None
    if replicated and root.get("interserver_http_credentials") is None and config.absence_known("interserver_http_credentials"):
        for port in ("interserver_http_port", "interserver_https_port"):
            node = first(root.get(port))
            if node is not None:
                detail = f"<{port}> serves replicated data parts without <interserver_http_credentials>"
                yield Violation(tag_span(node), {"detail": detail}, logical=port)
    clusters = first(root.get("remote_servers"))
    if not isinstance(clusters, MappingNode) or is_substituted(clusters):
        return
    for name, repeated in clusters.items():
        cluster = first(repeated)
        if name.startswith(("@", "#")) or cluster is None or is_substituted(cluster):
            continue
        secret = first(child(cluster, "secret"))
        if secret is None and not config.absence_known("secret"):
            continue
        if (secret is None or (not text(secret) and not is_substituted(secret))) and not _cluster_is_local(cluster):
            detail = f"cluster '{name}' has no <secret>: remote nodes trust the initial user's name without proof"
            yield Violation(tag_span(cluster), {"detail": detail}, logical=f"remote_servers/{name}")


# --- CH501: log retention -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LogRetentionParams:
    tables: tuple[str, ...] = (
        "query_log", "query_thread_log", "query_views_log", "part_log", "trace_log", "text_log", "metric_log",
        "asynchronous_metric_log", "session_log", "opentelemetry_span_log", "crash_log", "processors_profile_log",
        "asynchronous_insert_log", "backup_log", "zookeeper_log", "filesystem_cache_log", "error_log",
        "query_metric_log", "blob_storage_log", "s3queue_log",
    )


def log_retention(subject: Subject, params: LogRetentionParams) -> Iterator[Violation]:
    """System log tables configured without a TTL grow until the disk is full."""
    root = _root(subject, absent=("ttl", "engine"))
    if root is None:
        return
    for table in params.tables:
        node = first(root.get(table))  # the server configures the table from the first
        if node is None or is_substituted(node):
            continue
        if text(child(node, "ttl")) or "TTL" in text(child(node, "engine")).upper():
            continue
        yield Violation(tag_span(node), {"table": table}, logical=table)


CHECKS = {
    "profile-setting": PythonCheck(reported(profile_setting), ProfileSettingParams, takes=(ClickHouseConfig,)),
    "server-profile-setting": PythonCheck(reported(server_profile_setting), ServerProfileSettingParams, takes=(ClickHouseConfig,)),
    "user-without-password": PythonCheck(reported(user_without_password), takes=(ClickHouseConfig,)),
    "plaintext-password": PythonCheck(reported(plaintext_password), takes=(Credential,)),
    "open-network": PythonCheck(reported(open_network), takes=(ClickHouseConfig,)),
    "access-management": PythonCheck(reported(access_management), takes=(ClickHouseConfig,)),
    "plaintext-ports": PythonCheck(reported(plaintext_ports), PlaintextPortsParams, takes=(ClickHouseConfig,)),
    "tls-protocols": PythonCheck(reported(tls_protocols), takes=(ClickHouseConfig,)),
    "tls-verification": PythonCheck(reported(tls_verification), TlsVerificationParams, takes=(ClickHouseConfig,)),
    "keeper-quorum": PythonCheck(reported(keeper_quorum), KeeperQuorumParams, takes=(ClickHouseConfig,)),
    "interserver-credentials": PythonCheck(reported(interserver_credentials), takes=(ClickHouseConfig,)),
    "log-retention": PythonCheck(reported(log_retention), LogRetentionParams, takes=(ClickHouseConfig,)),
    "server-memory-above-limit": PythonCheck(reported(server_memory_above_limit), takes=(ClickHouseConfig,)),
    "query-memory-above-limit": PythonCheck(reported(query_memory_above_limit), QueryShareParams, takes=(ClickHouseConfig,)),
}
