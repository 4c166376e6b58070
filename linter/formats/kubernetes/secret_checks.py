"""The Kubernetes secret rules (K8S701-K8S703). Every message shows values
only through `redact` or a parsed value's `masked()`."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.model import LineIndex, MappingNode, ScalarNode, SourceFile, Span
from linter.core.subject import Subject
from linter.formats.common.secrets import (
    ConnectionString,
    ValueKind,
    classify,
    find_credentials,
    parse_connection_string,
    parse_url,
    redact,
)
from linter.formats.kubernetes.embedded import Setting, embedded_settings
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.selectors import ContainerOwner
from linter.formats.kubernetes.value_positions import ValuePositions, value_positions


def env_literal_secret(subject: Subject, params: Any) -> Iterator[Violation]:
    """K8S701: `env: [{name: DB_PASSWORD, value: "..."}]` instead of valueFrom."""
    container = subject.node
    if not isinstance(container, MappingNode):
        return
    env = container.sequence("env")
    if env is None:
        return
    for item in env:
        if not isinstance(item, MappingNode):
            continue
        name, value = item.text("name"), item.scalar("value")
        if value is None:  # valueFrom
            continue
        if _literal_secret(name, value.text):
            yield Violation(value.span, {"env": name, "value": redact(value.text)}, logical=f"env/{name}")
            continue
        connection = _inline_password(value.text)
        if connection is not None:
            source = subject.data.obj.source if isinstance(subject.data, ContainerOwner) else None
            span = _password_span(value, connection, source)
            yield Violation(span, {"env": name, "value": connection.masked()}, logical=f"env/{name}")


def configmap_secret(subject: Subject, params: Any) -> Iterator[Violation]:
    """K8S702: ConfigMap entries that are secrets: a secret-like key with a
    literal value, a URL with a password, a provider-shaped value, or, in an
    embedded config file, a provider-shaped value or a secret-like setting
    with a literal value (at its own line and column)."""
    obj = subject.node
    if not isinstance(obj, MappingNode):
        return
    data = obj.mapping("data")
    if data is None:
        return
    source = subject.data.source if isinstance(subject.data, K8sObject) else None
    for key, value in data.pairs:
        if not isinstance(value, ScalarNode):
            continue
        settings = embedded_settings(key.text, value.text)
        if settings is not None:  # application.properties, config.yaml...
            positions = value_positions(value, source) if source is not None else ValuePositions(value.span)
            yield from _embedded_file_secrets(key.text, value.text, settings, positions)
            continue
        reason = _configmap_reason(key.text, value.text)
        if reason:
            yield Violation(value.span, {"key": key.text, "reason": reason}, logical=f"data/{key.text}")


def _literal_secret(key: str, text: str) -> bool:
    """A secret-like key whose value is written out: not empty, not a
    reference, not a placeholder (the classifier's notion, for every rule)."""
    verdict = classify(key, text)
    return verdict.secret_key and verdict.literal and verdict.kind is not ValueKind.PLACEHOLDER


def _inline_password(text: str) -> ConnectionString | None:
    """A keyword connection string whose password is written out (not empty,
    not a reference such as `$(DB_PASSWORD)`, not a placeholder)."""
    connection = parse_connection_string(text)
    return connection if connection is not None and _literal_secret("password", connection.password) else None


def _password_span(value: ScalarNode, connection: ConnectionString, source: SourceFile | None) -> Span:
    """The password's own place in the file when the value maps exactly, else the value."""
    if source is None:
        return value.span
    line, column = LineIndex(value.text).position(connection.password_start)
    return value_positions(value, source).span(line, column, connection.password_end - connection.password_start)


def _configmap_reason(key: str, text: str) -> str:
    if _literal_secret(key, text):
        return f"a secret-like key with a literal value ({redact(text)})"
    url = parse_url(text)
    if url is not None and url.password and classify("password", url.password).literal:
        return f"a URL with an inline password ({url.masked()})"
    connection = _inline_password(text)
    if connection is not None:
        return f"a connection string with an inline password ({connection.masked()})"
    credentials = find_credentials(text)
    if credentials:
        return f"a {credentials[0].name} ({redact(text[credentials[0].start:credentials[0].end])})"
    return ""


def _embedded_file_secrets(key: str, text: str, settings: list[Setting], positions: ValuePositions) -> Iterator[Violation]:
    """One finding per line of the embedded file that holds a secret: a
    provider credential, else a secret-like setting (a URL with a password
    included)."""
    lines = LineIndex(text)
    flagged: set[int] = set()
    for credential in find_credentials(text):
        line, column = lines.position(credential.start)
        if line in flagged:
            continue
        flagged.add(line)
        reason = f"a {credential.name} ({redact(text[credential.start:credential.end])})"
        span = positions.span(line, column, credential.end - credential.start)
        yield Violation(span, {"key": key, "reason": reason}, logical=f"data/{key}/{line}")
    for setting in settings:
        if setting.line in flagged:
            continue
        reason = _setting_reason(setting)
        if reason:
            flagged.add(setting.line)
            span = positions.span(setting.line, setting.column, setting.width)
            yield Violation(span, {"key": key, "reason": reason}, logical=f"data/{key}/{setting.path}")


def _setting_reason(setting: Setting) -> str:
    if _literal_secret(setting.name, setting.value):
        return f"an embedded setting '{setting.path}' with a literal secret ({redact(setting.value)})"
    url = parse_url(setting.value)
    if url is not None and url.password and classify("password", url.password).literal:
        return f"an embedded setting '{setting.path}' with a URL with an inline password ({url.masked()})"
    connection = _inline_password(setting.value)
    if connection is not None:
        return f"an embedded setting '{setting.path}' with a connection string with an inline password ({connection.masked()})"
    return ""


def plaintext_secret_object(subject: Subject, params: Any) -> Iterator[Violation]:
    """K8S703: a `kind: Secret` whose data/stringData holds literal values."""
    obj = subject.node
    if not isinstance(obj, MappingNode):
        return
    for field_name in ("data", "stringData"):
        entries = obj.mapping(field_name)
        if entries is None:
            continue
        literal = [key.text for key, value in entries.pairs if _literal_entry(value, encoded=field_name == "data")]
        if literal:
            keys = ", ".join(literal[:5]) + (", ..." if len(literal) > 5 else "")
            yield Violation(entries.anchor_span, {"field": field_name, "count": len(literal), "keys": keys}, logical=field_name)


# What a TLS Secret holds beside its key that every peer is sent anyway.
_PUBLIC_PEM = re.compile(r"-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|X509 CRL|PUBLIC KEY|DH PARAMETERS)-----[A-Za-z0-9+/=\s]*-----END \1-----")


def _literal_entry(value: Any, *, encoded: bool) -> bool:
    """A value written out: not empty, not a reference, not a placeholder,
    not public (`data` is judged by what its base64 decodes to)."""
    if not isinstance(value, ScalarNode):
        return False
    text = (_secret_data_text(value.text) if encoded else None) or value.text
    if "-----BEGIN " in text and not _PUBLIC_PEM.sub("", text).strip():
        return False  # certificates, a CA bundle, DH parameters: published by design, no secret in them
    verdict = classify("", text)
    # A file's content (`grafana.ini: |`) is written out whatever it looks like:
    # `[section]` is no `[placeholder]` there.
    return verdict.literal and (verdict.kind is not ValueKind.PLACEHOLDER or "\n" in text.strip())


def _secret_data_text(value: str) -> str | None:
    """What a Secret's `data` value decodes to (base64 by the API's contract,
    however short), or None when it is not base64 of UTF-8 text."""
    try:
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


SECRET_CHECKS = {
    "env-literal-secret": PythonCheck(env_literal_secret, takes=(ContainerOwner,)),
    "configmap-secret": PythonCheck(configmap_secret, takes=(K8sObject,)),
    "plaintext-secret-object": PythonCheck(plaintext_secret_object, takes=(K8sObject,)),
}
