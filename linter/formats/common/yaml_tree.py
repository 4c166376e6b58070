"""YAML (and JSON) text to the positioned model, via libyaml's composer.

We compose (never construct) so no Python object is ever built from the input,
then convert libyaml's node graph ourselves: merge keys resolved, aliases
expanded with a bound (billion laughs), duplicate keys reported, nesting depth
capped. libyaml's marks are 0-based and count characters; BOM and CRLF are
handled by the reader, so the columns are the user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import yaml

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode, SequenceNode, Span
from linter.core.workspace import Limits

try:  # libyaml is ~30x faster than the pure-Python composer; fall back if absent.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_constructor = yaml.constructor.SafeConstructor()


@dataclass(frozen=True, slots=True)
class YamlLimits:
    max_alias_nodes: int = 100_000  # nodes created by alias expansion, per file
    max_depth: int = 200
    max_nodes: int = 1_000_000  # nodes written in the file (each costs about 0.5 KB once composed)


def yaml_limits(limits: Limits) -> YamlLimits:
    """The YAML bounds of a run's `limits:`."""
    return YamlLimits(limits.max_yaml_alias_nodes, limits.max_depth, limits.max_yaml_nodes)


class LimitExceeded(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.mark = mark


def _scalar_value(node: yaml.ScalarNode) -> object:
    tag = node.tag
    if tag == _STR_TAG:
        return node.value
    try:
        if tag == "tag:yaml.org,2002:int":
            return _constructor.construct_yaml_int(node)
        if tag == "tag:yaml.org,2002:float":
            return _constructor.construct_yaml_float(node)
        if tag == "tag:yaml.org,2002:bool":
            return _constructor.construct_yaml_bool(node)
        if tag == "tag:yaml.org,2002:null":
            return None
    except (ValueError, yaml.YAMLError):
        pass
    return node.value  # timestamps, binary, custom tags: keep the text


class _Converter:
    def __init__(self, path: str, limits: YamlLimits) -> None:
        self.path = path
        self.limits = limits
        self.seen: set[int] = set()
        self.alias_nodes = 0
        self.problems: list[ParseProblem] = []

    def convert(self, node: yaml.Node, depth: int = 0, expanding: bool = False) -> Node:
        """`expanding` is true inside an alias: every node built there is a copy
        the text did not spell out, and counts against the alias budget."""
        # This runs once per node of every YAML file, so the span and the
        # common plain-string scalar are built inline rather than by helpers.
        if depth > self.limits.max_depth:
            raise LimitExceeded(f"nesting deeper than {self.limits.max_depth} levels", node.start_mark)
        ident = id(node)
        if ident in self.seen:
            expanding = True
        else:
            self.seen.add(ident)
        if expanding:
            self._charge(node)
        start, end = node.start_mark, node.end_mark
        span = Span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        kind = type(node)
        if kind is yaml.ScalarNode:
            tag = node.tag
            return ScalarNode(node.value if tag == _STR_TAG else _scalar_value(node), span, tag)  # type: ignore[arg-type]
        if kind is yaml.SequenceNode:
            depth += 1
            return SequenceNode([self.convert(i, depth, expanding) for i in node.value], span, node.tag)
        assert isinstance(node, yaml.MappingNode)
        return MappingNode(self._pairs(node, depth, expanding), span, node.tag)

    def start_document(self) -> None:
        """Anchors never cross documents, and an earlier document's nodes are
        freed: their ids are reused, so what was seen is per document."""
        self.seen.clear()

    def _charge(self, node: yaml.Node) -> None:
        """One node the text did not spell out (an alias's copy, a merged pair)."""
        self.alias_nodes += 1
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise LimitExceeded(
                f"alias expansion exceeds {self.limits.max_alias_nodes} nodes (a 'billion laughs' document?)",
                node.start_mark,
            )

    def _pairs(self, node: yaml.MappingNode, depth: int, expanding: bool) -> list[tuple[ScalarNode, Node]]:
        own: list[tuple[ScalarNode, Node]] = []
        merged: list[tuple[ScalarNode, Node]] = []
        where: dict[str, ScalarNode] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:  # earlier sources win over later ones
                    if isinstance(source, yaml.MappingNode):
                        # Merges nest: each source (even an empty one) and each
                        # pair it brings is work the budget must see.
                        self._charge(source)
                        pairs = self._pairs(source, depth + 1, True)
                        for _ in pairs:
                            self._charge(source)
                        merged.extend(pairs)
                continue
            key = self._key(key_node)
            text = key.value if type(key.value) is str else key.text
            if text in where:
                from linter.formats.common.secrets import shown_token  # only for this rare problem

                first = where[text]
                self.problems.append(
                    ParseProblem(
                        "DL004",
                        f"duplicate key '{shown_token(text)}' (first at line {first.span.line}); the later value silently wins",
                        key.span,
                        logical=text,
                    )
                )
            where[text] = key
            own.append((key, self.convert(value_node, depth + 1, expanding)))
        if not merged:
            return own
        explicit = {k.text for k, _ in own}
        result: list[tuple[ScalarNode, Node]] = []
        taken: set[str] = set()
        for key, value in merged:
            if key.text not in explicit and key.text not in taken:
                taken.add(key.text)
                result.append((key, value))
        return result + own

    def _key(self, node: yaml.Node) -> ScalarNode:
        start, end = node.start_mark, node.end_mark
        span = Span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        if type(node) is yaml.ScalarNode:
            return ScalarNode(node.value, span, node.tag)
        # Complex keys do not occur in manifests; keep a printable stand-in.
        return ScalarNode(f"<{type(node).__name__}>", span, node.tag)


def parse_yaml_documents(text: str, path: str, limits: YamlLimits = YamlLimits()) -> tuple[list[Node], list[ParseProblem]]:
    """Compose every document of a stream. Errors become DL001 problems at the
    error's position; documents before the error are kept."""
    over = _node_bound_exceeded(text, limits.max_nodes)
    if over is not None:
        message = f"more than {limits.max_nodes:,} YAML nodes (max_yaml_nodes); the file was not checked"
        return [], [_problem_at(path, message, over, "DL005")]
    converter = _Converter(path, limits)
    documents: list[Node] = []
    loader = _Loader(text)
    try:
        while loader.check_node():
            raw = loader.get_node()
            if raw is not None:
                converter.start_document()
                documents.append(converter.convert(raw))
    except LimitExceeded as exc:
        converter.problems.append(_problem_at(path, str(exc), exc.mark, "DL005"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        converter.problems.append(_problem_at(path, f"invalid YAML: {message}", mark))
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encoding
        converter.problems.append(_problem_at(path, f"invalid YAML: {_first_line(str(exc))}", getattr(exc, "mark", None)))
    finally:
        loader.dispose()
    return documents, converter.problems


# Every node but the first follows one of these (a flow `,`, a key's `:`, a
# block item's `-`, a new line, an opening bracket, a complex key's `?`); a
# key and its value share one `:`, hence the factor 2.
_NODE_STARTS = (",", ":", "-", "\n", "[", "{", "?")


def _node_bound_exceeded(text: str, bound: int) -> yaml.Mark | None:
    """Where a text holds more than `bound` nodes, else None. libyaml composes
    a whole document before we see it (a 10 MiB flow list is gigabytes), so
    the nodes are counted first, on the event stream (constant memory), and
    only when a count of the characters that can start a node allows that many."""
    if 2 * sum(text.count(c) for c in _NODE_STARTS) + 1 <= bound:
        return None
    nodes = 0
    parser = _Loader(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                nodes += 1
                if nodes > bound:
                    return cast(yaml.Mark, event.start_mark)  # libyaml's or PyYAML's Mark: the same fields
    except yaml.YAMLError:
        return None  # the parse proper reports it
    finally:
        parser.dispose()
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid YAML"


def _problem_at(path: str, message: str, mark: yaml.Mark | None, rule_id: str = "DL001") -> ParseProblem:
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    return ParseProblem(rule_id, message, Span.point(path, line, column))
