"""nginx selectors: levels, directives and settings of the effective configuration.

A file included twice (a snippet in two servers) appears twice in the tree;
subjects group every instance of one written block or directive, so a check
sees all of its contexts and reports the text once. Only files the unit
reports on (`NginxConfig.report_files`) yield subjects; a tree whose main file
has nothing readable yields none (its DL001 says why).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from linter.core.embedding import Placement, placement_of
from linter.core.model import Span
from linter.core.subject import Selector, Subject
from linter.formats.nginx.effective import (
    HANDLERS,
    NESTED,
    Block,
    http_servers,
    inherited,
    is_tls_listen,
    is_tls_server,
)
from linter.formats.nginx.includes import IncludeProblem, NginxConfig
from linter.formats.nginx.syntax import Directive

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit


@dataclass(slots=True)
class BlockGroup:
    """Every instance of one written block (server, location, if)."""

    blocks: list[Block]

    @property
    def first(self) -> Block:
        return self.blocks[0]


@dataclass(slots=True)
class DirectiveGroup:
    """One written directive and the level holding each of its instances."""

    directive: Directive
    blocks: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class MissingSetting:
    """A setting no level sets for these servers: where the fix belongs."""

    name: str
    anchor: Span
    servers: list[Block]


def config_of(unit: LintUnit) -> NginxConfig | None:
    model = unit.model
    if not isinstance(model, NginxConfig) or model.broken:
        return None
    return model


def _key(span: Span) -> tuple[str, int, int]:
    return (span.file, span.line, span.column)


def _all_blocks(config: NginxConfig) -> list[Block]:
    return [config.root, *config.root.blocks()]


def _block_logical(block: Block) -> str:
    """kind+label path of a block; siblings with the same label (two `server`
    blocks for one name, on :80 and :443) get their occurrence number, so two
    findings never share an identity."""
    parts = []
    b: Block | None = block
    while b is not None and b.directive is not None:
        parts.append(_sibling_labels(b.parent)[id(b)] if b.parent is not None else b.label)
        b = b.parent
    return "/".join(reversed(parts)) or "top"


# parent -> id(child) -> the child's label among its siblings; computed once per
# parent (per child it made thousands of servers quadratic). Keyed weakly, and
# the values hold no block, so entries go with their tree.
_SIBLING_LABELS: WeakKeyDictionary[Block, dict[int, str]] = WeakKeyDictionary()


def _sibling_labels(parent: Block) -> dict[int, str]:
    labels = _SIBLING_LABELS.get(parent)
    if labels is None:
        counts = Counter(c.label for c in parent.children)
        seen: Counter[str] = Counter()
        labels = {}
        for child in parent.children:
            label = child.label
            if counts[label] > 1:
                seen[label] += 1
                label = f"{label}#{seen[label]}"
            labels[id(child)] = label
        _SIBLING_LABELS[parent] = labels
    return labels


def _block_subjects(
    config: NginxConfig, blocks: list[Block], context: Callable[[Block], dict[str, Any]] | None = None
) -> Iterator[Subject]:
    groups: dict[tuple[str, int, int], BlockGroup] = {}
    for block in blocks:
        if block.directive is None or block.directive.span.file not in config.report_files:
            continue
        groups.setdefault(_key(block.directive.span), BlockGroup([])).blocks.append(block)
    for group in groups.values():
        first = group.first
        ctx = {"block": first.label, **(context(first) if context else {})}
        yield Subject(None, ctx, _block_logical(first), span=first.anchor, data=group)


def directive_groups(config: NginxConfig, names: frozenset[str] | set[str]) -> list[DirectiveGroup]:
    groups: dict[int, DirectiveGroup] = {}
    for block in _all_blocks(config):
        for d in block.directives:
            if d.name in names and d.span.file in config.report_files:
                groups.setdefault(id(d), DirectiveGroup(d)).blocks.append(block)
    return sorted(groups.values(), key=lambda g: _key(g.directive.span))


def _directive_subjects(config: NginxConfig, names: set[str] | frozenset[str]) -> Iterator[Subject]:
    for group in directive_groups(config, names):
        d = group.directive
        where = _block_logical(group.blocks[0])
        yield Subject(
            None, {"block": group.blocks[0].label, "directive": d.name}, f"{where}/{d.name} {d.arg(0)}", span=d.head, data=group
        )


def directives(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every directive named in option `names`, once per written directive."""
    config = config_of(unit)
    if config is not None:
        yield from _directive_subjects(config, set(options.get("names", ())))


@dataclass(frozen=True, slots=True)
class HeldDirective:
    """A directive of a config held in a manifest (a ConfigMap's nginx.conf),
    with where that config runs and the upstream blocks it defines."""

    group: DirectiveGroup
    placement: Placement
    upstreams: frozenset[str]


def held_directives(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Directives named in option `names`, of a config a deployment runs only
    (held in a manifest, or a file on disk a generated ConfigMap is made of)."""
    config = config_of(unit)
    placement = placement_of(config.files[0]) if config is not None and config.files else Placement()
    if config is None or placement == Placement():
        return
    upstreams = frozenset(b.directive.arg(0).lower() for b in config.root.blocks("upstream") if b.directive is not None)
    for subject in _directive_subjects(config, set(options.get("names", ()))):
        subject.data = HeldDirective(subject.data, placement, upstreams)
        yield subject


def security_headers(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Header scopes (every server, and every nested level with its own
    add_header: the levels whose header set responses carry) unless option
    `scopes: false`; plus the add_header directives of the headers named in
    option `headers` (lower case)."""
    config = config_of(unit)
    if config is None:
        return
    if options.get("scopes", True):
        servers = set(map(id, http_servers(config.root)))
        scopes = [b for b in config.root.blocks() if id(b) in servers or (b.kind in NESTED and b.has("add_header"))]
        yield from _block_subjects(config, scopes)
    wanted = {h.lower() for h in options.get("headers", ())}
    if wanted:
        for subject in _directive_subjects(config, {"add_header"}):
            d = subject.data.directive
            if d.arg(0).lower() in wanted:
                yield subject


def _tls_anchor(server: Block) -> Span:
    listen = next((d for d in server.own("listen") if is_tls_listen(d)), None)
    ssl = server.own("ssl")
    return listen.head if listen else ssl[0].head if ssl else server.anchor


def _http_anchor(server: Block) -> Span:
    http = next((b for b in server.chain() if b.kind == "http" and b.directive is not None), None)
    return http.anchor if http is not None else server.anchor


def settings(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """A setting that servers inherit (option `directive`): every directive
    setting it (unless `present: false`), and, where no level sets it for a
    server whose context is known, one subject for the place the fix belongs
    (`missing_at: listen` the TLS listen, `http` the http block). Option
    `tls_only` limits the missing check to TLS servers."""
    config = config_of(unit)
    if config is None:
        return
    name = options["directive"]
    if options.get("present", True):
        yield from _directive_subjects(config, {name})
    at_http = options.get("missing_at") == "http"
    anchor_of = _http_anchor if at_http else _tls_anchor
    servers = [s for s in http_servers(config.root) if not options.get("tls_only") or is_tls_server(s)]
    missing = [s for s in servers if inherited(s, name).missing]
    if at_http and not options.get("tls_only"):
        missing += _hidden_servers_without(config, name)
    for anchor, group in _by_anchor(config, missing, anchor_of):
        server = group[0]
        yield Subject(
            None,
            {"block": server.label, "directive": name},
            f"{_block_logical(server)}/{name}",
            span=anchor,
            data=MissingSetting(name, anchor, group),
        )


def _hidden_servers_without(config: NginxConfig, name: str) -> list[Block]:
    """http levels whose included content we cannot see (a conf.d file that
    fails to parse) may hold servers, but cannot set `name`: stand-ins for those
    servers, which lack it as surely as the servers we see. (An http block cut
    short by its own file's syntax error is that file's DL001 alone.)"""
    out = []
    for http in config.root.blocks("http"):
        if http.directive is None or http.directive.truncated or http.unseen is None:
            continue
        if "server" in http.unseen and inherited(http, name).missing:
            out.append(Block("server", None, http))
    return out


def _by_anchor(config: NginxConfig, servers: list[Block], anchor_of: Callable[[Block], Span]) -> list[tuple[Span, list[Block]]]:
    """Servers grouped by the place a finding about them points (one written
    directive may serve several servers), in files the unit reports on."""
    groups: dict[tuple[str, int, int], tuple[Span, list[Block]]] = {}
    for server in servers:
        anchor = anchor_of(server)
        if anchor.file in config.report_files:
            groups.setdefault(_key(anchor), (anchor, []))[1].append(server)
    return [groups[key] for key in sorted(groups)]


def tls_servers(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every TLS server of the http context, grouped by the listen (or `ssl on`)
    that makes it TLS: where findings about its TLS setup point."""
    config = config_of(unit)
    if config is None:
        return
    for anchor, group in _by_anchor(config, [s for s in http_servers(config.root) if is_tls_server(s)], _tls_anchor):
        yield Subject(None, {"block": group[0].label}, _block_logical(group[0]), span=anchor, data=BlockGroup(group))


def servers(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every server of the http context."""
    config = config_of(unit)
    if config is not None:
        yield from _block_subjects(config, http_servers(config.root))


def proxied_locations(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Levels that hand requests to a backend (proxy_pass, fastcgi_pass, ...),
    and every limit_req directive (its zone must exist)."""
    config = config_of(unit)
    if config is None:
        return
    yield from _block_subjects(config, [b for b in config.root.blocks() if b.kind in NESTED and any(b.has(h) for h in HANDLERS)])
    yield from _directive_subjects(config, {"limit_req"})


def include_problems(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Includes that could not be resolved, in the files this unit reports on."""
    model = unit.model
    if not isinstance(model, NginxConfig):
        return
    seen: set[tuple[tuple[str, int, int], str]] = set()
    for problem in model.problems:
        key = (_key(problem.span), problem.message)
        if problem.span.file in model.report_files and key not in seen:
            seen.add(key)
            yield Subject(None, {"detail": problem.message}, problem.logical, span=problem.span, data=problem)


SELECTORS = {
    "directives": Selector(directives, yields=(DirectiveGroup,), nodes=False),
    "security-headers": Selector(security_headers, yields=(BlockGroup, DirectiveGroup), nodes=False),
    "settings": Selector(settings, yields=(DirectiveGroup, MissingSetting), nodes=False),
    "servers": Selector(servers, yields=(BlockGroup,), nodes=False),
    "tls-servers": Selector(tls_servers, yields=(BlockGroup,), nodes=False),
    "proxied-locations": Selector(proxied_locations, yields=(BlockGroup, DirectiveGroup), nodes=False),
    "include-problems": Selector(include_problems, yields=(IncludeProblem,), nodes=False),
    "held-directives": Selector(held_directives, yields=(HeldDirective,), nodes=False),
}

__all__ = ["SELECTORS", "BlockGroup", "DirectiveGroup", "HeldDirective", "IncludeProblem", "MissingSetting"]
