"""The Kubernetes secret rules (K8S701-K8S703). Every message shows values
only through `redact`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.model import MappingNode, ScalarNode, SequenceNode
from linter.core.subject import Subject
from linter.formats.common.secrets import ValueKind, classify, find_credentials, parse_url, redact


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


_EMBEDDED_SETTING = re.compile(r"^[ \t]*([A-Za-z0-9_.\-]+)[ \t]*[:=][ \t]*(\S.*?)[ \t]*$", re.MULTILINE)


def configmap_secret(subject: Subject, params: Any) -> Iterator[Violation]:
    """K8S702: ConfigMap entries that are secrets: a secret-like key with a
    literal value, a URL with a password, a provider-shaped value, or a
    secret-like setting inside an embedded config file."""
    obj = subject.node
    if not isinstance(obj, MappingNode):
        return
    data = obj.mapping("data")
    if data is None:
        return
    for key, value in data.pairs:
        if not isinstance(value, ScalarNode):
            continue
        reason = _configmap_reason(key.text, value.text)
        if reason:
            yield Violation(value.span, {"key": key.text, "reason": reason}, logical=f"data/{key.text}")


def _literal_secret(key: str, text: str) -> bool:
    """A secret-like key whose value is written out: not empty, not a
    reference, not a placeholder (the classifier's notion, for every rule)."""
    verdict = classify(key, text)
    return verdict.secret_key and verdict.literal and verdict.kind is not ValueKind.PLACEHOLDER


def _configmap_reason(key: str, text: str) -> str:
    if _literal_secret(key, text):
        return f"a secret-like key with a literal value ({redact(text)})"
    url = parse_url(text)
    if url is not None and url.password and classify("password", url.password).literal:
        return f"a URL with an inline password ({url.masked()})"
    credentials = find_credentials(text)
    if credentials:
        return f"a {credentials[0].name} ({redact(text[credentials[0].start:credentials[0].end])})"
    if "\n" in text:  # an embedded file: application.properties, config.yaml...
        for m in _EMBEDDED_SETTING.finditer(text):
            if _literal_secret(m.group(1), m.group(2).strip("'\"")):
                return f"an embedded setting '{m.group(1)}' with a literal secret ({redact(m.group(2))})"
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
        literal = [key.text for key, value in entries.pairs if _literal_entry(value)]
        if literal:
            keys = ", ".join(literal[:5]) + (", ..." if len(literal) > 5 else "")
            yield Violation(entries.anchor_span, {"field": field_name, "count": len(literal), "keys": keys}, logical=field_name)


def _literal_entry(value: Any) -> bool:
    if isinstance(value, (MappingNode, SequenceNode)):
        return False
    return isinstance(value, ScalarNode) and classify("", value.text).literal


SECRET_CHECKS = {
    "env-literal-secret": PythonCheck(env_literal_secret),
    "configmap-secret": PythonCheck(configmap_secret),
    "plaintext-secret-object": PythonCheck(plaintext_secret_object),
}
