"""`.env` files, via python-dotenv's own parser (`parse_stream`).

Only the parser is used, never the loader: nothing is read from or written to
the process environment and `${VAR}` is never interpolated, so what is checked
is exactly what the file says. python-dotenv reports each binding's first line
(blank lines before it included); we re-walk its text to give every key and
value its exact line and column.

The document is a `MappingNode` of key -> value scalars; a key set twice keeps
both pairs (the later wins on lookup, as in every dotenv loader). A bare `KEY`
line is valid (python-dotenv, Docker's `--env-file` and Kustomize take the
value from the environment): it is recorded in `EnvFile.inherited`, not as a
binding, since the file gives it no value. A line that is not `KEY=VALUE`
becomes an `ENV202` problem at that line; a file where most lines are not
bindings (a script named `.env`) is one `DL001` problem instead.

Parsing is linear in the file's size (python-dotenv's reader moves forward
only; our own bookkeeping is per line), and the file's size is bounded by the
workspace's read limit.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from dotenv.parser import Binding, parse_stream

from linter.core.model import LineIndex, MappingNode, Node, ParsedFile, ParseProblem, ScalarNode, SourceFile, Span
from linter.formats.env.roles import DEPLOYABLE, env_role

if TYPE_CHECKING:
    from linter.core.loader import Loader

_INLINE_SPACE = re.compile(r"[^\S\r\n]*")
_EXPORT = re.compile(r"export[^\S\r\n]+")
# A bare name on its own line: `KEY` (optionally `export KEY`), inherited from the environment.
_BARE_NAME = re.compile(r"(?:export[^\S\r\n]+)?([A-Za-z_][A-Za-z0-9_.]*)[^\S\r\n]*(?:#[^\r\n]*)?")
_QUOTED = {"'": re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL), '"': re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)}
# At least this many invalid lines, and more than half of all, and the file is
# not an env file at all.
NOT_ENV_MIN_LINES = 3


@dataclass(frozen=True, slots=True)
class EnvFile:
    """One parsed env file: its role by name and its bindings in order."""

    path: str
    role: str  # deployable | development | template (roles.py)
    mapping: MappingNode
    source: SourceFile
    exported: frozenset[str] = field(default_factory=frozenset)
    inherited: tuple[ScalarNode, ...] = ()  # bare `KEY` lines: the value comes from the environment

    @property
    def pairs(self) -> list[tuple[ScalarNode, Node]]:
        return self.mapping.pairs


def parse(source: SourceFile, loader: Loader | None = None) -> ParsedFile:
    text = source.text.removeprefix("\ufeff")  # python-dotenv drops it too
    index = LineIndex(text)
    pairs: list[tuple[ScalarNode, Node]] = []
    problems: list[ParseProblem] = []
    exported: set[str] = set()
    inherited: list[ScalarNode] = []
    bindings = invalid = 0
    offset = 0
    for binding in parse_stream(io.StringIO(text)):
        start, offset = offset, offset + len(binding.original.string)
        raw = binding.original.string
        body = start + len(raw) - len(raw.lstrip())
        if binding.key is None and not binding.error:
            continue  # blank lines and comments
        bindings += 1
        if not binding.error and binding.value is None and binding.key is not None:
            bare = _BARE_NAME.fullmatch(text, body, index.line_end(body))
            if bare and binding.key != "export":
                inherited.append(ScalarNode(binding.key, index.span(source.path, bare.start(1), bare.end(1))))
                continue
        if binding.error or binding.value is None:
            span = index.span(source.path, body, index.line_end(body))
            invalid += 1  # the n-th invalid line: stable when valid lines come and go
            logical = f"invalid#{invalid}"
            problems.append(ParseProblem("ENV202", _invalid_reason(binding, text, body, index), span, logical=logical))
            continue
        pair, is_export = _binding_nodes(binding, text, body, index, source.path)
        pairs.append(pair)
        if is_export:
            exported.add(pair[0].text)
    if invalid >= NOT_ENV_MIN_LINES and 2 * invalid > bindings:
        first = problems[0].span
        problem = ParseProblem(
            "DL001",
            f"not an env file: {invalid} of {bindings} lines are not KEY=VALUE (is this really a .env file?)",
            first,
        )
        return ParsedFile(source, "env", [], [problem])
    last_line, last_column = index.position(len(text))
    mapping = MappingNode(pairs, Span(source.path, 1, 1, last_line, last_column))
    parsed = ParsedFile(source, "env", [mapping], problems)
    role = env_role(PurePosixPath(source.path).name) or DEPLOYABLE
    parsed.meta["model"] = EnvFile(source.path, role, mapping, source, frozenset(exported), tuple(inherited))
    return parsed


def _binding_nodes(binding: Binding, text: str, body: int, index: LineIndex, path: str) -> tuple[tuple[ScalarNode, Node], bool]:
    """Key and value nodes with their exact spans (re-walking the binding's text
    the way python-dotenv read it)."""
    assert binding.key is not None and binding.value is not None
    pos = body
    export = _EXPORT.match(text, pos)
    if export:
        pos = export.end()
    key_quoted = text.startswith("'", pos)
    key_start = pos + key_quoted
    key_end = key_start + len(binding.key)
    pos = _INLINE_SPACE.match(text, key_end + key_quoted).end()  # type: ignore[union-attr]
    equals = pos
    pos = _INLINE_SPACE.match(text, equals + 1).end()  # type: ignore[union-attr]
    quote = text[pos:pos + 1]
    tag: str | None = None
    if quote in _QUOTED and binding.value is not None and (m := _QUOTED[quote].match(text, pos)):
        value_span = index.span(path, m.start(1), m.end(1))
        tag = "double-quoted" if quote == '"' else "single-quoted"
    elif binding.value:
        value_span = index.span(path, pos, pos + len(binding.value))
    else:
        value_span = index.span(path, equals, equals + 1)  # empty: point at the `=`
    key = ScalarNode(binding.key, index.span(path, key_start, key_end))
    value = ScalarNode(binding.value, value_span, tag)
    return (key, value), export is not None


def _invalid_reason(binding: Binding, text: str, body: int, index: LineIndex) -> str:
    """Why a line is not a binding, without echoing its text (it may be a secret)."""
    line = text[body:index.line_end(body)]
    if binding.value is None and not binding.error:
        if binding.key == "export":
            return "'export' without a variable: not a KEY=VALUE line"
        return "no '=' on this line: not a KEY=VALUE line"
    if line.startswith("="):
        return "'=' without a name before it"
    eq = re.match(r"(?:export\s+)?'?[^=\s#']+'?[^\S\r\n]*=[^\S\r\n]*(['\"])", line)
    if eq:
        kind = "double" if eq.group(1) == '"' else "single"
        return f"unterminated {kind}-quoted value (or text after its closing quote)"
    if "=" in line:
        return "the name before '=' contains spaces or other text: not a KEY=VALUE line"
    return "not a KEY=VALUE line"
