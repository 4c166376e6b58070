"""Env-file checks (ENV101-ENV202, ENV107 and ENV108 on the files of a directory). Values are classified by the shared secret
classifier and shown only through `redact` / masked URLs."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.subject import Subject
from linter.formats.common.credentials import fragment_span
from linter.formats.common.secrets import ConnectionUrl, ValueKind, Verdict, classify, parse_url
from linter.formats.env.roles import TEMPLATE, names_environment
from linter.formats.env.selectors import EnvBinding
from linter.formats.env.siblings import Siblings, documented, set_keys


def _binding(subject: Subject) -> EnvBinding | None:
    return subject.data if isinstance(subject.data, EnvBinding) else None


@dataclass(frozen=True, slots=True)
class StrengthParams:
    min_bits: int = 128  # any secret-like key
    min_bits_signing: int = 256  # JWT/HMAC/SECRET_KEY-like keys (RFC 7518 §3.2)


def placeholder_secret(subject: Subject, params: Any) -> Iterator[Violation]:
    """ENV101: a deployable file ships a secret-like key empty or as a placeholder."""
    b = _binding(subject)
    if b is None:
        return
    verdict = classify(b.key.text, b.value.text)
    if not verdict.secret_key:
        return
    if verdict.kind is ValueKind.EMPTY:
        yield Violation(b.key.span, {"what": "empty"})
    elif verdict.kind is ValueKind.PLACEHOLDER:
        what = "a publicly known development value" if verdict.known_public else "a placeholder"
        yield Violation(b.value.span, {"what": what})


def _classified(subject: Subject, min_bits: int, min_bits_signing: int) -> tuple[EnvBinding, Verdict] | None:
    b = _binding(subject)
    if b is None:
        return None
    return b, classify(b.key.text, b.value.text, min_bits=min_bits, min_bits_signing=min_bits_signing)


def weak_secret(subject: Subject, params: StrengthParams) -> Iterator[Violation]:
    """ENV102: a secret-like key whose value is too guessable for its use."""
    found = _classified(subject, params.min_bits, params.min_bits_signing)
    if found is None:
        return
    b, verdict = found
    if verdict.secret_key and verdict.kind is ValueKind.WEAK:
        yield Violation(b.value.span, {"bits": round(verdict.bits), "required": verdict.required_bits})


def _url(b: EnvBinding) -> ConnectionUrl | None:
    return parse_url(b.value.text) if "://" in b.value.text else None


def _password_span(b: EnvBinding, url: ConnectionUrl) -> Any:
    assert url.password is not None
    start = url.password_start
    return fragment_span(b.file.source, b.value, start, start + len(url.password))


def credentials_in_url(subject: Subject, params: Any) -> Iterator[Violation]:
    """ENV103: `scheme://user:password@host` with a literal password."""
    b = _binding(subject)
    url = _url(b) if b else None
    if b is None or url is None or not url.password:
        return
    if classify("password", url.password).literal:
        yield Violation(_password_span(b, url), {"url": url.masked()})


@dataclass(frozen=True, slots=True)
class ConnectionParams:
    local_hosts: tuple[str, ...] = ("localhost", "localhost.localdomain", "host.docker.internal")
    # Names that never leave the machine or the cluster's own network.
    local_suffixes: tuple[str, ...] = (".localhost", ".svc.cluster.local", ".cluster.local")
    single_label_is_local: bool = True  # `db`, `redis`: compose service names


_SECURE_SSLMODES = frozenset({"require", "verify-ca", "verify-full"})
# `ssl=true` turns TLS on for node-postgres and the PostgreSQL JDBC driver, as for asyncpg.
_SECURE_SSL = _SECURE_SSLMODES | {"true", "1"}
_TLS_ON = frozenset({"true", "1", "yes"})
# `${HOST:-db}`: a host from the environment, with its default.
_HOST_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")


def is_local_host(host: str, params: ConnectionParams) -> bool:
    """Loopback or unspecified (0.0.0.0: this machine), a name in `local_hosts`
    or under `local_suffixes`, or (by default) a single-label name."""
    name = host.strip("[]").lower()
    if not name or name in params.local_hosts or name.endswith(params.local_suffixes):
        return True  # an empty host is a Unix socket
    try:
        address = ipaddress.ip_address(name)
        return address.is_loopback or address.is_unspecified
    except ValueError:
        pass
    return params.single_label_is_local and "." not in name and ":" not in name


def known_host(host: str) -> str | None:
    """The host a URL connects to as far as the file says: a `${VAR:-default}`
    host is its default; any other reference or template is unknown (None)."""
    host = _HOST_DEFAULT.sub(lambda m: m.group(1), host)
    if any(c in host for c in "${}%"):
        return None
    name, sep, port = host.rpartition(":")  # a port the URL parser left on (`${HOST:-db}:5432`)
    return name if sep and port.isdigit() and ":" not in name else host


def plaintext_reason(url: ConnectionUrl) -> str:
    """Why this URL's connection is unencrypted, or '' when it is not."""
    base, query = url.base_scheme, url.query
    if base == "redis":
        return "redis:// is unencrypted; use rediss://"
    if base == "amqp":
        return "amqp:// is unencrypted; use amqps://"
    if base in ("postgres", "postgresql"):
        if url.driver == "asyncpg":
            if query.get("ssl", "").lower() in _SECURE_SSL:
                return ""
            if "sslmode" in query:
                return "asyncpg takes ssl=require, not sslmode= (SQLAlchemy hands it to asyncpg.connect(), which rejects it)"
            return "no ssl=require (asyncpg)"
        if query.get("sslmode", "").lower() in _SECURE_SSLMODES or query.get("ssl", "").lower() in _SECURE_SSL:
            return ""
        return "no sslmode=require (or ssl=true)"
    if base == "mongodb":
        tls = query.get("tls", query.get("ssl", "")).lower()
        if url.scheme == "mongodb+srv":  # TLS is on by default for SRV URLs
            return "tls=false" if tls in ("false", "0", "no") else ""
        return "" if tls in _TLS_ON else "no tls=true"
    return ""


def plaintext_connection(subject: Subject, params: ConnectionParams) -> Iterator[Violation]:
    """ENV104: unencrypted redis/postgres/amqp/mongodb connections to remote hosts."""
    b = _binding(subject)
    url = _url(b) if b else None
    if b is None or url is None:
        return
    hosts = [known_host(host) for host, _ in url.hosts]
    remote = [host for host in hosts if host is not None and not is_local_host(host, params)]
    reason = plaintext_reason(url) if remote else ""
    if reason:
        span = fragment_span(b.file.source, b.value, 0, len(url.scheme))
        yield Violation(span, {"host": remote[0], "reason": reason})


@dataclass(frozen=True, slots=True)
class DebugParams:
    level_keys: tuple[str, ...] = ("LOG_LEVEL", "LOGLEVEL", "LOGGING_LEVEL", "LOG_LVL")
    debug_levels: tuple[str, ...] = ("debug", "trace", "verbose", "all")
    debug_flags: tuple[str, ...] = ("DEBUG", "APP_DEBUG", "FLASK_DEBUG", "DJANGO_DEBUG")
    truthy: tuple[str, ...] = ("true", "1", "yes", "on")


def debug_in_production(subject: Subject, params: DebugParams) -> Iterator[Violation]:
    """ENV105: debug logging or debug mode in a production file."""
    b = _binding(subject)
    if b is None or not b.production:
        return
    key, value = b.key.text.upper(), b.value.text.strip().lower()
    if (key in params.level_keys and value in params.debug_levels) or (key in params.debug_flags and value in params.truthy):
        yield Violation(b.value.span, {"setting": f"{b.key.text}={b.value.text.strip()}"})


@dataclass(frozen=True, slots=True)
class TemplateParams:
    min_bits: int = 128  # this strong, a value is real rather than typed as an example


def real_secret_in_template(subject: Subject, params: TemplateParams) -> Iterator[Violation]:
    """ENV106: a template (copied by everyone) holds a strong, real-looking secret."""
    found = _classified(subject, params.min_bits, params.min_bits)
    if found is None:
        return
    b, verdict = found
    if verdict.secret_key and verdict.kind is ValueKind.STRONG:
        yield Violation(b.value.span, {"where": "value"})
        return
    url = _url(b)
    if url is not None and url.password and classify("password", url.password, min_bits=params.min_bits).kind is ValueKind.STRONG:
        yield Violation(_password_span(b, url), {"where": "URL password"})


def duplicate_key(subject: Subject, params: Any) -> Iterator[Violation]:
    """ENV201: a key set again; the later value silently wins."""
    b = _binding(subject)
    if b is None or b.occurrence == 1:
        return
    yield Violation(b.key.span, {"first_line": b.first_line})


def key_undocumented(subject: Subject, params: Any) -> Iterator[Violation]:
    """ENV107: a key a deployed file sets that the template beside it does not document."""
    found = subject.data
    if not isinstance(found, Siblings) or not found.templates or not names_environment(PurePosixPath(found.file.path).name):
        return
    known = frozenset().union(*(documented(t) for t in found.templates))
    others = " or ".join(t.path for t in found.templates)
    for key in set_keys(found.file):
        if key.text not in known:
            yield Violation(key.span, {"key": key.text, "other": others}, logical=key.text)


def template_key_unset(subject: Subject, params: Any) -> Iterator[Violation]:
    """ENV108: a key a template sets that a deployed file beside it does not."""
    found = subject.data
    if not isinstance(found, Siblings) or found.file.role != TEMPLATE:
        return
    for env in found.deployed:
        present = {k.text for k in set_keys(env)}
        for key in set_keys(found.file):
            if key.text not in present:
                yield Violation(key.span, {"key": key.text, "other": env.path}, logical=f"{key.text}/{PurePosixPath(env.path).name}")


CHECKS = {
    "key-undocumented": PythonCheck(key_undocumented, takes=(Siblings,)),
    "template-key-unset": PythonCheck(template_key_unset, takes=(Siblings,)),
    "placeholder-secret": PythonCheck(placeholder_secret, takes=(EnvBinding,)),
    "weak-secret": PythonCheck(weak_secret, StrengthParams, takes=(EnvBinding,)),
    "credentials-in-url": PythonCheck(credentials_in_url, takes=(EnvBinding,)),
    "plaintext-connection": PythonCheck(plaintext_connection, ConnectionParams, takes=(EnvBinding,)),
    "debug-in-production": PythonCheck(debug_in_production, DebugParams, takes=(EnvBinding,)),
    "real-secret-in-template": PythonCheck(real_secret_in_template, TemplateParams, takes=(EnvBinding,)),
    "duplicate-key": PythonCheck(duplicate_key, takes=(EnvBinding,)),
}
