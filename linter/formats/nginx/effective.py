"""The effective nginx configuration: http → server → location (→ nested
location, if, limit_except) with includes inlined and nginx's inheritance rules
applied. Written once; every NGX rule asks it.

Inheritance as nginx merges it:
- a simple directive (server_tokens, ssl_protocols, client_max_body_size ...)
  is inherited from the nearest enclosing level that sets it;
- array directives (add_header, limit_req, proxy_set_header, ssl_certificate)
  are inherited only by a level that sets none of its own: one `add_header` in
  a location discards every `add_header` of the server and http levels, unless
  `add_header_inherit merge` (nginx >= 1.29.3) is in effect; `on`/`off` do not
  keep them (`off` even drops them from a level with no add_header);
- a fragment linted without its includer has an unknown parent (`opaque`):
  what the includer would provide is "unknown", never "missing";
- a level that includes a file which failed to parse, or that a syntax error
  cut short, has content we cannot see (`unseen`: the directive names that
  content mentions): what it might set is "unknown" there and below, never
  "missing"; what it cannot set stays known.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from linter.core.model import Span
from linter.formats.nginx.syntax import Directive

# Levels that inherit from their parent. A `main` level does not pass its
# directives down to `http` (different modules).
HTTP_LEVELS = frozenset({"http", "server", "location", "if", "limit_except"})
NESTED = frozenset({"location", "if", "limit_except"})
HANDLERS = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"})
_LOCAL_HOST = re.compile(r"^(127\.|\[::1\]|localhost\b|unix:)")
ANSWERS = ("return", "deny")  # what makes a level answer requests itself (see `short_circuits`)


@dataclass(eq=False)
class Block:
    """One configuration level as nginx sees it, includes inlined."""

    kind: str  # main | http | server | location | if | limit_except | events | upstream | map | ...
    directive: Directive | None  # the block's own directive (None for a file's top level)
    parent: Block | None = None
    directives: list[Directive] = field(default_factory=list)  # simple directives of this level
    children: list[Block] = field(default_factory=list)
    opaque: bool = False  # a fragment's top level: its includer (parent context) is unknown
    # Names of directives that content of this level we cannot see (a broken include, what
    # follows a syntax error) may set: empty when all is seen, None when it may set anything.
    unseen: frozenset[str] | None = frozenset()

    def may_set(self, *names: str) -> bool:
        """Content of this level we cannot see may set one of `names`."""
        return self.unseen is None or not self.unseen.isdisjoint(names)

    def add_unseen(self, names: frozenset[str] | None) -> None:
        self.unseen = None if names is None or self.unseen is None else self.unseen | names

    def own(self, name: str) -> list[Directive]:
        return [d for d in self.directives if d.name == name]

    def has(self, name: str) -> bool:
        return any(d.name == name for d in self.directives)

    def blocks(self, kind: str | None = None) -> Iterator[Block]:
        """Every descendant block (depth first), optionally of one kind."""
        for child in self.children:
            if kind is None or child.kind == kind:
                yield child
            yield from child.blocks(kind)

    @property
    def anchor(self) -> Span:
        """Where a finding about the block as a whole points: its opening line."""
        if self.directive is not None:
            return self.directive.head
        first = self.directives[0] if self.directives else None
        return first.head if first else Span("", 1, 1, 1, 2)

    @property
    def label(self) -> str:
        """`server 'example.com'`, `location '/api/'`: how messages name the block."""
        if self.directive is None:
            return "top level"
        if self.kind == "server":
            names = [n for d in self.own("server_name") for n in d.values]
            return f"server '{names[0]}'" if names else "server"
        args = " ".join(self.directive.values)
        return f"{self.kind} '{args}'" if args else self.kind

    def chain(self) -> Iterator[Block]:
        """This level and the levels it inherits from, innermost first."""
        block: Block | None = self
        while block is not None and block.kind in HTTP_LEVELS | {"server"}:
            yield block
            if block.kind == "http":
                return
            block = block.parent

    def server(self) -> Block | None:
        return next((b for b in self.chain() if b.kind == "server"), None)

    def root(self) -> Block:
        block = self
        while block.parent is not None:
            block = block.parent
        return block


@dataclass(frozen=True, slots=True)
class Setting:
    """An inherited directive's effective value: the directives in effect (empty
    when unset) and whether "unset" is certain (False in a fragment)."""

    directives: tuple[Directive, ...]
    known: bool
    level: Block | None = None  # the level that set it

    @property
    def missing(self) -> bool:
        return not self.directives and self.known


def inherited(block: Block, name: str) -> Setting:
    """The effective value of a simple or array directive at `block`."""
    last = block
    unseen = False  # a level on the way may set it where we cannot see
    for last in block.chain():
        own = last.own(name)
        if own:
            return Setting(tuple(own), True, last)
        unseen = unseen or last.may_set(name)
    return Setting((), not (last.opaque or unseen))


def may_be_set_in_http(root: Block, name: str) -> bool:
    """Content we cannot see at the http level (or a file's top level) may set
    `name`, a directive only that level takes (limit_req_zone, map ...)."""
    return root.may_set(name) or any(b.may_set(name) for b in root.blocks("http"))


# --- add_header ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    value: str
    always: bool
    directive: Directive

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def variable(self) -> bool:
        """Set through a variable (`$x_frame_options`): present, value unknown."""
        return "$" in self.value


def headers_of(block: Block) -> list[Header]:
    out = []
    for d in block.own("add_header"):
        if len(d.args) >= 2:
            out.append(Header(d.args[0].value, d.args[1].value, len(d.args) > 2 and d.args[2].value == "always", d))
    return out


@dataclass(frozen=True, slots=True)
class HeaderSet:
    """The add_header set in effect at a level. `complete` is False when an
    unknown includer may add more; `source` is the level whose own add_header
    directives decided the set (None when inherited from nowhere)."""

    headers: tuple[Header, ...]
    complete: bool
    source: Block | None

    def get(self, name: str) -> Header | None:
        key = name.lower()
        found = [h for h in self.headers if h.key == key]
        return found[-1] if found else None


def inherit_mode(block: Block) -> str:
    setting = inherited(block, "add_header_inherit")
    return setting.directives[-1].arg(0, "on").lower() if setting.directives else "on"


def effective_headers(block: Block) -> HeaderSet:
    """The add_header set responses from `block` carry (on 2xx/3xx; see `Header.always`)."""
    headers = _effective_headers(block)
    if block.may_set("add_header", "add_header_inherit"):  # the unseen part may add headers or decide the set
        return HeaderSet(headers.headers, False, headers.source)
    return headers


def _effective_headers(block: Block) -> HeaderSet:
    own = headers_of(block)
    mode = inherit_mode(block)
    if mode == "off" or (own and mode != "merge"):
        return HeaderSet(tuple(own), True, block if own else None)
    parent = block.parent if block.kind in NESTED | {"server"} else None
    if parent is None or parent.kind not in HTTP_LEVELS:  # top of the chain
        return HeaderSet(tuple(own), not block.opaque, block if own else None)
    from_parent = effective_headers(parent)
    if not own:
        return from_parent
    return HeaderSet(from_parent.headers + tuple(own), from_parent.complete, block)


# --- what a level does with a request ---------------------------------------


def return_code(block: Block) -> int | None:
    """The status of the level's own `return` (302 for `return URL`), None if none."""
    for d in block.own("return"):
        first = d.arg(0)
        if first.isdigit():
            return int(first)
        return 302
    return None


def denies_all(block: Block) -> bool:
    return any(d.arg(0) == "all" for d in block.own("deny")) and not block.has("allow")


def short_circuits(block: Block) -> bool:
    """The level answers every request itself without content: a redirect, an
    error status, 444, 204 No Content (a CORS preflight's answer), or `deny all`."""
    code = return_code(block)
    if code is not None and (code == 204 or not 200 <= code < 300):
        return True
    return denies_all(block)


def hands_off(block: Block) -> bool:
    """Every request leaves the level for a named location (`try_files /dev/null
    @app`, the idiom for "always"): that location answers, with its own headers."""
    tries = block.own("try_files")
    if not tries:
        return False
    values = tries[-1].values
    return len(values) >= 2 and values[-1].startswith("@") and all(v == "/dev/null" for v in values[:-1])


def serves_content(block: Block) -> bool:
    """Responses from this level carry content (proxied, static, return 2xx),
    i.e. neither it nor a server-level return short-circuits them."""
    server = block.server()
    if server is not None and server is not block and (short_circuits(server) or server.may_set(*ANSWERS)):
        return False
    if block.kind == "server" and any(catches_all(c) for c in block.children):
        return False  # every request goes on to its `location /` (which answers for itself)
    return not short_circuits(block) and not hands_off(block) and not block.may_set(*ANSWERS)


def catches_all(block: Block) -> bool:
    """A `location /`: every URI matches it, so its server answers nothing itself."""
    return block.kind == "location" and location_path(block) in (("", "/"), ("^~", "/"))


def header_inheritors(scope: Block) -> Iterator[Block]:
    """The scope and every nested level that inherits its add_header set."""
    yield scope
    for child in scope.children:
        if child.kind in NESTED and not child.has("add_header") and inherit_mode(child) != "off":
            yield from header_inheritors(child)


def scope_serves_content(scope: Block) -> bool:
    return any(serves_content(b) for b in header_inheritors(scope))


# --- servers, listeners, TLS -----------------------------------------------------


def http_servers(root: Block) -> list[Block]:
    """Every `server` of the http context (stream servers are out of scope)."""
    out = []
    for server in root.blocks("server"):
        if server.parent is not None and server.parent.kind in ("http", "main") and _under_http(server):
            out.append(server)
    return out


def _under_http(block: Block) -> bool:
    b = block.parent
    while b is not None:
        if b.kind == "stream":
            return False
        b = b.parent
    return True


def listens(server: Block) -> list[Directive]:
    return server.own("listen")


def is_tls_listen(d: Directive) -> bool:
    return "ssl" in d.values[1:] or "quic" in d.values[1:]


def is_local_listen(d: Directive) -> bool:
    return bool(_LOCAL_HOST.match(d.arg(0)))


def ssl_on(server: Block) -> bool:
    """The deprecated `ssl on;`: every listener of the server speaks TLS."""
    ssl = inherited(server, "ssl").directives
    return bool(ssl) and ssl[-1].arg(0) == "on"


def is_tls_server(server: Block) -> bool:
    return ssl_on(server) or any(is_tls_listen(d) for d in listens(server))


def plain_listens(server: Block) -> list[Directive]:
    """Plain-HTTP listeners reachable from outside (not TLS, not loopback, not a unix socket)."""
    if ssl_on(server):
        return []
    return [d for d in listens(server) if not is_tls_listen(d) and not is_local_listen(d)]


def limit_req_zones(root: Block) -> set[str]:
    zones = set()
    for block in [root, *root.blocks()]:
        for d in block.own("limit_req_zone"):
            for value in d.values:
                if value.startswith("zone="):
                    zones.add(value[5:].split(":", 1)[0])
    return zones


def location_path(location: Block) -> tuple[str, str]:
    """(modifier, path) of a location: ('', '/api'), ('^~', '/img/'), ('~*', '\\.php$'), ('=', '/x')."""
    values = location.directive.values if location.directive else []
    if len(values) >= 2:
        return values[0], values[1]
    value = values[0] if values else ""
    for modifier in ("^~", "~*", "~", "="):  # nginx also accepts `location =/x`
        if value.startswith(modifier) and len(value) > len(modifier):
            return modifier, value[len(modifier) :]
    return "", value
