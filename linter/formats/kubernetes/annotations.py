"""Suppressions written as annotations on Kubernetes objects:
`deploylint.dev/ignore: "K8S104,K8S201: reason"` for the whole object, and
`deploylint.dev/ignore.<container>: ...` for one container."""

from __future__ import annotations

from linter.core.model import MappingNode, ParsedFile, Span, walk
from linter.core.suppress import Directive, reason_of, tokens_of

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
