"""nginx configuration files: our own positioned parser (crossplane reports
lines only) and the include-aware assembly of lint units.

Each directive becomes a mapping `{directive: name, args: [...], block: [...]}`
whose scalars carry the exact span of what was written, so generic selectors
(secret scanning, suppressions) see every argument. The typed directive tree
(`linter.formats.nginx.syntax.Directive`) is kept in `meta["directives"]` for rules.
A file with a syntax error keeps what was written before the error, marked
`meta["partial"]` (its DL001 says where the rest became unreadable), with the
names of the directives the rest may set in `meta["unseen"]`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.core.model import MappingNode, ParsedFile, ParseProblem, ScalarNode, SequenceNode, SourceFile, Span
from linter.formats.nginx.syntax import Directive, NginxSyntaxError, names_in, parse_directives, unseen_text

if TYPE_CHECKING:
    from linter.core.loader import Loader


def directive_node(d: Directive) -> MappingNode:
    """The positioned-model view of one directive (and its block, recursively)."""
    name = ScalarNode(d.name, d.span)
    args = SequenceNode([ScalarNode(a.value, a.span) for a in d.args], _cover(d.span, [a.span for a in d.args]))
    pairs: list[tuple[ScalarNode, MappingNode | SequenceNode | ScalarNode]] = [
        (ScalarNode("directive", d.span), name),
        (ScalarNode("args", d.span), args),
    ]
    if d.block is not None:
        pairs.append((ScalarNode("block", d.span), SequenceNode([directive_node(c) for c in d.block], d.full)))
    return MappingNode(pairs, d.full)  # type: ignore[arg-type]


def _cover(first: Span, spans: list[Span]) -> Span:
    if not spans:
        return first
    return Span(first.file, spans[0].line, spans[0].column, spans[-1].end_line, spans[-1].end_column)


def parse(source: SourceFile, loader: Loader) -> ParsedFile:
    parsed = ParsedFile(source, "nginx")
    try:
        directives = parse_directives(source.text, source.path, loader.workspace.limits.max_depth)
    except NginxSyntaxError as exc:
        parsed.problems.append(ParseProblem("DL001", exc.message, exc.span, "syntax"))
        directives = exc.partial
        parsed.meta["partial"] = True
        parsed.meta["unseen"] = names_in(unseen_text(source.text, directives))
    parsed.meta["directives"] = directives
    whole = Span(source.path, 1, 1, max(len(source.lines), 1), 1)
    parsed.documents = [SequenceNode([directive_node(d) for d in directives], whole)]
    return parsed
