"""YAML written inside a kustomization's string (an inline `patch: |-`),
parsed with positions in the kustomization itself, so a finding on a value an
inline patch sets points at its line there."""

from __future__ import annotations

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode, SourceFile, Span, walk
from linter.formats.common.yaml_tree import YamlLimits, parse_yaml_documents


def block_offset(holder: ScalarNode, source: SourceFile) -> tuple[int, int] | None:
    """(lines, columns) to add to a position inside a literal or folded block
    scalar (`|`, `|-`, `>`) to place it in its file; None for other scalar
    styles, whose escapes and folding make inner columns inexact."""
    lines = source.lines
    indicator = holder.span.line - 1
    if indicator >= len(lines) or not lines[indicator][holder.span.column - 1 :].startswith(("|", ">")):
        return None
    # Inner line n is the n-th line after the indicator; the block's
    # indentation is that of its first non-blank line.
    for line in lines[indicator + 1 :]:
        if line.strip():
            return holder.span.line, len(line) - len(line.lstrip(" "))
    return None


def parse_inline(holder: ScalarNode, source: SourceFile, limits: YamlLimits) -> tuple[list[Node], list[ParseProblem]]:
    """The YAML documents of a string scalar, positioned in `source`: at their
    own line and column inside a block scalar, else all at the scalar."""
    text = holder.text
    documents, problems = parse_yaml_documents(text, source.path, limits)
    offset = block_offset(holder, source)
    for document in documents:
        for node in walk(document):
            _place(node, holder.span, offset)
            if isinstance(node, MappingNode):
                for key, _ in node.pairs:
                    _place(key, holder.span, offset)
    for problem in problems:
        problem.span = _moved(problem.span, holder.span, offset)
    return documents, problems


def _place(node: Node, holder: Span, offset: tuple[int, int] | None) -> None:
    node.span = _moved(node.span, holder, offset)


def _moved(span: Span, holder: Span, offset: tuple[int, int] | None) -> Span:
    if offset is None:
        return holder
    lines, columns = offset
    return Span(holder.file, span.line + lines, span.column + columns, span.end_line + lines, span.end_column + columns)
