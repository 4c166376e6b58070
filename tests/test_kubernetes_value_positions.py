"""Positions inside a ConfigMap value mapped back to the manifest."""

from __future__ import annotations

import pytest

from linter.core.model import MappingNode, ScalarNode, SourceFile
from linter.formats.common.yaml_tree import parse_yaml_documents
from linter.formats.kubernetes.value_positions import value_positions


def positions_of(text: str, key: str = "v") -> tuple[ScalarNode, SourceFile]:
    source = SourceFile("m.yaml", "m.yaml", text)
    documents, problems = parse_yaml_documents(text, "m.yaml")
    assert not problems and isinstance(documents[0], MappingNode)
    node = documents[0].get(key)
    assert isinstance(node, ScalarNode)
    return node, source


@pytest.mark.parametrize(
    ("text", "inner", "expected"),
    [
        # literal blocks: line for line, shifted by the indentation
        ("v: |\n  a: 1\n  password: x\n", (2, 11), (3, 13)),
        ("v: |-\n    a: 1\n\n    password: x\n", (3, 11), (4, 15)),
        ("k:\nv: |2\n    more\n  b: 1\n", (1, 3), (3, 5)),  # explicit indentation: extra spaces are content
        ("v: |\r\n  a: 1\r\n  b: 2\r\n", (2, 4), (3, 6)),
        ("v: |  # a comment\n  a: 1\n", (1, 1), (2, 3)),
        # single-line plain and quoted values without escapes
        ("v: a=1\n", (1, 3), (1, 6)),
        ('v: "a=1"\n', (1, 3), (1, 7)),
    ],
)
def test_exact_positions(text: str, inner: tuple[int, int], expected: tuple[int, int]) -> None:
    node, source = positions_of(text)
    positions = value_positions(node, source)
    assert positions.exact
    span = positions.span(*inner)
    assert (span.line, span.column) == expected


@pytest.mark.parametrize(
    "text",
    [
        "v: >\n  a: 1\n  b: 2\n",  # folded: lines are joined
        'v: "a: 1\\nb: 2"\n',  # escapes
        "v: 'it''s'\n",  # a doubled quote
        "v: a\n  b\n",  # a multi-line plain scalar
    ],
)
def test_inexact_values_fall_back_to_their_start(text: str) -> None:
    node, source = positions_of(text)
    positions = value_positions(node, source)
    assert not positions.exact
    span = positions.span(2, 3)
    assert (span.line, span.column) == (node.span.line, node.span.column)
