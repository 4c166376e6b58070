"""YAML written inside a kustomization's string (an inline `patch: |-`),
parsed with positions in the kustomization itself, so a finding on a value an
inline patch sets points at its line there."""

from __future__ import annotations

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode, SourceFile, walk
from linter.formats.common.yaml_tree import YamlLimits, parse_yaml_documents
from linter.formats.kubernetes.value_positions import in_place


def parse_inline(holder: ScalarNode, source: SourceFile, limits: YamlLimits) -> tuple[list[Node], list[ParseProblem]]:
    """The YAML documents of a string scalar, positioned in `source`: at their
    own lines and columns when the value maps exactly (a literal block), else
    all at the scalar."""
    laid_out = in_place(holder, source)
    if laid_out is not None:
        return parse_yaml_documents(laid_out.text, source.path, limits)
    documents, problems = parse_yaml_documents(holder.text, source.path, limits)
    for document in documents:
        for node in walk(document):
            node.span = holder.span
            if isinstance(node, MappingNode):
                for key, _ in node.pairs:
                    key.span = holder.span
    for problem in problems:
        problem.span = holder.span
    return documents, problems
