"""configMapGenerator and secretGenerator: ConfigMaps and Secrets from
literals, files and env files, named with kustomize's content hash.

Each data value is placed where it was written (the literal in the
kustomization, the line of an env file, the whole of a file), so a finding
about it points there. Secret values are base64-encoded as kustomize writes
them and never appear in a message.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from linter.core.model import MappingNode, Node, ParseProblem, ScalarNode, SequenceNode, SourceFile, Span

ReadText = Callable[[Path, Span], SourceFile | ParseProblem]


@dataclass(slots=True)
class GeneratedData:
    """One generator's data, each value with its position."""

    pairs: list[tuple[ScalarNode, ScalarNode]]
    problems: list[ParseProblem]
    inputs: list[str]  # display paths of the files it read
    env_files: list[str]  # those read as env files (`envs:`, `env:`): the keys a reader may expect there


def generator_data(entry: MappingNode, directory: Path, read: ReadText) -> GeneratedData:
    data = GeneratedData([], [], [], [])
    for literal in _strings(entry.get("literals")):
        key, sep, value = literal.text.partition("=")
        if not sep:
            data.problems.append(ParseProblem("DL007", f"literal '{key}' has no '=': not built", literal.span))
            continue
        value_span = Span(literal.span.file, literal.span.line, literal.span.column + len(key) + 1, literal.span.end_line, literal.span.end_column)
        data.pairs.append((ScalarNode(key.strip(), literal.span), ScalarNode(_unquote(value), value_span)))
    for item in _strings(entry.get("files")):
        key, sep, rel = item.text.partition("=")
        rel = rel if sep else key
        source = read(directory / rel, item.span)
        if isinstance(source, ParseProblem):
            data.problems.append(source)
            continue
        data.inputs.append(source.path)
        name = key if sep else Path(rel).name
        lines = source.text.count("\n") + 1
        whole = Span(source.path, 1, 1, lines, len(source.lines[-1]) + 1 if source.lines else 1)
        data.pairs.append((ScalarNode(name, item.span), ScalarNode(source.text, whole)))
    envs = [*_strings(entry.get("envs")), *_strings(entry.get("env"))]
    for item in envs:
        source = read(directory / item.text, item.span)
        if isinstance(source, ParseProblem):
            data.problems.append(source)
            continue
        data.inputs.append(source.path)
        data.env_files.append(source.path)
        data.pairs.extend(env_pairs(source))
    return data


def _strings(node: Node | None) -> list[ScalarNode]:
    if isinstance(node, ScalarNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [item for item in node.items if isinstance(item, ScalarNode)]
    return []


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def env_pairs(source: SourceFile) -> list[tuple[ScalarNode, ScalarNode]]:
    """KEY=VALUE lines of an env file as kustomize reads them (comments and
    blank lines skipped). A bare KEY takes its value from kustomize's
    environment; deploylint reads none, so it is empty, as kustomize gives it
    when the variable is unset."""
    pairs = []
    for number, line in enumerate(source.lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, _, value = stripped.partition("=")
        start = line.index(stripped) + 1
        pairs.append((
            ScalarNode(key, Span(source.path, number, start, number, start + len(key))),
            ScalarNode(value, Span(source.path, number, start + len(key) + 1, number, start + len(stripped))),
        ))
    return pairs


def config_map(name: ScalarNode, namespace: ScalarNode | None, data: GeneratedData, options: MappingNode | None, at: Span) -> MappingNode:
    return _object("ConfigMap", name, namespace, _data_mapping(data.pairs, at, encode=False), options, at)


def secret(name: ScalarNode, namespace: ScalarNode | None, secret_type: ScalarNode | None, data: GeneratedData, options: MappingNode | None, at: Span) -> MappingNode:
    node = _object("Secret", name, namespace, _data_mapping(data.pairs, at, encode=True), options, at)
    kind_type = secret_type if secret_type is not None else ScalarNode("Opaque", at)
    return MappingNode([*node.pairs, (ScalarNode("type", kind_type.span), kind_type)], node.span)


def _data_mapping(pairs: list[tuple[ScalarNode, ScalarNode]], at: Span, *, encode: bool) -> MappingNode:
    seen: dict[str, tuple[ScalarNode, ScalarNode]] = {}
    for key, value in pairs:
        if encode:
            value = ScalarNode(base64.b64encode(value.text.encode("utf-8")).decode("ascii"), value.span)
        seen[key.text] = (ScalarNode(key.text, key.span), ScalarNode(value.value, value.span))
    return MappingNode([seen[k] for k in sorted(seen)], at)


def _object(kind: str, name: ScalarNode, namespace: ScalarNode | None, data: MappingNode, options: MappingNode | None, at: Span) -> MappingNode:
    metadata: list[tuple[ScalarNode, Node]] = [(ScalarNode("name", name.span), ScalarNode(name.text, name.span))]
    if namespace is not None:
        metadata.append((ScalarNode("namespace", namespace.span), ScalarNode(namespace.text, namespace.span)))
    for field in ("labels", "annotations"):
        extra = options.mapping(field) if options is not None else None
        if extra is not None and extra.pairs:
            metadata.append((ScalarNode(field, extra.span), MappingNode([(ScalarNode(k.text, k.span), v) for k, v in extra.pairs], extra.span)))
    pairs: list[tuple[ScalarNode, Node]] = [
        (ScalarNode("apiVersion", at), ScalarNode("v1", at)),
        (ScalarNode("kind", at), ScalarNode(kind, at)),
        (ScalarNode("metadata", name.span), MappingNode(metadata, name.span)),
    ]
    if data.pairs:
        pairs.append((ScalarNode("data", at), data))
    immutable = options.scalar("immutable") if options is not None else None
    if immutable is not None and immutable.value is True:
        pairs.append((ScalarNode("immutable", immutable.span), ScalarNode(True, immutable.span)))
    return MappingNode(pairs, at)


def name_hash(node: MappingNode) -> str:
    """kustomize's content hash of a ConfigMap or Secret: the SHA-256 of a
    compact JSON of its kind, data (and type), first ten hex digits with a few
    letters swapped so a suffix never spells a word. kustomize looks the name
    up as one field called `metadata/name`, finds none, and hashes "" for it:
    so do we, or the names would differ from kustomize's."""
    kind = node.text("kind")
    document: dict[str, object] = {"kind": kind, "name": "", "data": _values(node.get("data"))}
    if kind == "Secret":
        document["type"] = node.text("type")
        extra = "stringData"
    else:
        extra = "binaryData"
    if isinstance(node.get(extra), MappingNode):
        document[extra] = _values(node.get(extra))
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # Go's encoder escapes these; the hash is over its bytes.
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        encoded = encoded.replace(char, escape)
    digest = hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def _values(node: Node | None) -> object:
    """A data mapping as kustomize reads it for the hash ("" when absent)."""
    if not isinstance(node, MappingNode):
        return ""
    return {k.text: v.text for k, v in node.pairs if isinstance(v, ScalarNode)}
