"""Suppressions written as annotations on Kubernetes objects:
`deploylint.dev/ignore: "K8S104,K8S201: reason"` for the whole object, and
`deploylint.dev/ignore.<container>: ...` for one container."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.core.embedding import HolderIgnore
from linter.core.model import MappingNode, ParsedFile, Span, walk
from linter.core.suppress import Directive, reason_of, tokens_of

if TYPE_CHECKING:
    from linter.formats.kubernetes.parser import K8sObject

ANNOTATION = "deploylint.dev/ignore"


def annotation_directives(parsed: ParsedFile) -> list[Directive]:
    """`deploylint.dev/ignore[.<container>]: "K8S104,K8S201: reason"` on objects."""
    if ANNOTATION not in parsed.source.text:
        return []
    found: list[Directive] = []
    for document in parsed.documents:
        for node in walk(document):
            if not isinstance(node, MappingNode) or "kind" not in node or "apiVersion" not in node:
                continue  # only objects' own annotations (not a pod template's) carry suppressions
            annotations = node.path("metadata", "annotations")
            if not isinstance(annotations, MappingNode):
                continue
            for key, value in annotations.pairs:
                name = key.text
                if name != ANNOTATION and not name.startswith(ANNOTATION + "."):
                    continue
                raw = value.to_python()
                text = raw if isinstance(raw, str) else ""
                rules, _, reason = text.partition(":")
                container = name[len(ANNOTATION) + 1 :] or None
                span = Span(parsed.path, key.span.line, key.span.column, value.span.end_line, value.span.end_column)
                found.append(
                    Directive("annotation", tokens_of(rules), reason_of(reason), span, (node.span.line, node.span.end_line),
                              container, (name, text))
                )
    return found


def holder_ignores(obj: K8sObject) -> tuple[HolderIgnore, ...]:
    """The object's `deploylint.dev/ignore` as it covers the files it holds
    (a per-container annotation is about a container, not a held file)."""
    annotations = obj.annotations
    for key, value in annotations.pairs if annotations is not None else ():
        raw = value.to_python()
        if key.text == ANNOTATION and isinstance(raw, str):
            rules, _, reason = raw.partition(":")
            span = Span(key.span.file, key.span.line, key.span.column, value.span.end_line, value.span.end_column)
            return (HolderIgnore(tokens_of(rules), reason_of(reason), span),)
    return ()
