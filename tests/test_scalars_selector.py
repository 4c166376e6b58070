"""The `scalars` selector (SEC101's): every string scalar long enough, in
document order, with its logical path and the key it sits under."""

from __future__ import annotations

from typing import Any

from linter.core.model import ParsedFile, SourceFile
from linter.core.units import LintUnit
from linter.formats.common.selectors import scalars
from linter.formats.common.yaml_tree import parse_yaml_documents

MANIFESTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  API_TOKEN: abcdefghijklmnopqrstuvwxyz
  short: abc
  nested:
    - plain-item-long-enough-to-keep
    - {inner: another-long-enough-value}
    - [deeper-list-item-long-enough]
  number: 123456789012345678901234
---
top-level-scalar-document-long-enough
"""


def _selected(min_length: int) -> list[tuple[str, str, int, int, Any]]:
    documents, problems = parse_yaml_documents(MANIFESTS, "cm.yaml")
    assert problems == []
    source = SourceFile("cm.yaml", "/abs/cm.yaml", MANIFESTS)
    unit = LintUnit("kubernetes", "cm.yaml", [ParsedFile(source, "kubernetes", documents)])
    found = list(scalars(unit, {"min_length": min_length}, None))  # type: ignore[arg-type]
    assert all(s.data is source for s in found)
    return [(s.logical, s.context["key"], s.span.line, s.span.column, s.node.value) for s in found]  # type: ignore[union-attr]


def test_long_strings_with_their_paths_in_document_order() -> None:
    assert _selected(20) == [
        ("#0/data/API_TOKEN", "API_TOKEN", 5, 14, "abcdefghijklmnopqrstuvwxyz"),
        ("#0/data/nested/0", "", 8, 7, "plain-item-long-enough-to-keep"),
        ("#0/data/nested/1/inner", "inner", 9, 15, "another-long-enough-value"),
        ("#0/data/nested/2/0", "", 10, 8, "deeper-list-item-long-enough"),
        ("#1", "", 13, 1, "top-level-scalar-document-long-enough"),
    ]


def test_without_a_minimum_every_string_counts() -> None:
    selected = _selected(0)
    assert [logical for logical, *_ in selected] == [
        "#0/apiVersion", "#0/kind", "#0/metadata/name", "#0/data/API_TOKEN", "#0/data/short",
        "#0/data/nested/0", "#0/data/nested/1/inner", "#0/data/nested/2/0", "#1",
    ]  # the number is no string
