"""ClickHouse YAML configs (config.d/*.yaml) as the element tree the server
builds from them: a mapping key is an element, `@name` an attribute, `#text`
text, a scalar the element's text; in a sequence, scalars repeat the element
and mappings add to it. Positions are the YAML's own."""

from __future__ import annotations

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode, SequenceNode, Span
from linter.formats.clickhouse.xml import XmlAttribute, XmlElement
from linter.formats.common.yaml_tree import YamlLimits, parse_yaml_documents


def _add_text(element: XmlElement, node: ScalarNode) -> None:
    if node.value is None:
        return
    element.text = (element.text + node.text).strip()
    element.text_span = element.text_span or node.span


def _fill(node: Node, element: XmlElement, parent: XmlElement | None) -> None:
    if isinstance(node, ScalarNode):
        _add_text(element, node)
    elif isinstance(node, SequenceNode):
        for item in node:
            if parent is not None and (element.children or element.text) and not isinstance(item, MappingNode):
                clone = XmlElement(element.tag, element.start, element.span)
                parent.children.append(clone)
                _fill(item, clone, parent)
            else:
                _fill(item, element, parent)
    elif isinstance(node, MappingNode):
        for key, value in node.pairs:
            name = key.text
            if name.startswith("@") and isinstance(value, ScalarNode):
                element.attributes[name[1:]] = XmlAttribute(name[1:], value.text, key.span, value.span)
            elif name == "#text" and isinstance(value, ScalarNode):
                _add_text(element, value)
            else:
                span = Span(key.span.file, key.span.line, key.span.column, value.span.end_line, value.span.end_column)
                child = XmlElement(name, key.span, span)
                element.children.append(child)
                _fill(value, child, element)


def parse_yaml_config(text: str, path: str, limits: YamlLimits) -> tuple[list[Node], XmlElement | None, list[ParseProblem]]:
    """The YAML documents (already the shared model) and the server's element tree."""
    documents, problems = parse_yaml_documents(text, path, limits)
    if any(p.rule_id in ("DL001", "DL005") for p in problems):
        return documents, None, problems
    start = Span.start(path)
    root = XmlElement("clickhouse", start, start)
    if documents:
        _fill(documents[0], root, None)
    return documents, root, problems
