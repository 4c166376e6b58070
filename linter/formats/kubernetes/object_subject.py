"""A Kubernetes object as a rule's subject: its message variables, identity
and suppression scope, the same for every selector that yields objects."""

from __future__ import annotations

from typing import Any

from linter.core.model import ScalarNode
from linter.core.subject import Subject
from linter.formats.kubernetes.parser import K8sObject


def object_context(obj: K8sObject) -> dict[str, Any]:
    return {"kind": obj.kind, "object": obj.name or "(unnamed)", "namespace": obj.namespace or "default"}


def object_scope(obj: K8sObject) -> dict[str, Any]:
    annotations = obj.annotations
    return {"annotations": {k.text: v.text for k, v in annotations.pairs if isinstance(v, ScalarNode)} if annotations else {}}


def object_subject(obj: K8sObject, data: object) -> Subject:
    return Subject(obj.node, object_context(obj), obj.ref, data=data, scope=object_scope(obj))
