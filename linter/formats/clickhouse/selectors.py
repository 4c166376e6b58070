"""ClickHouse selectors, on merged configs (`ClickHouseConfig`), and the small
vocabulary checks use to read them (values, substitutions, exposure).

Selectors: `server` (each server config: config.xml and its overrides),
`users-config` (each users config), `users` (each user), `credentials` (every
element that holds a password or secret). Parse and merge problems (CH601)
use the shared `problems` selector.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span
from linter.core.subject import Selector, Subject
from linter.formats.clickhouse.parser import ClickHouseConfig

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit

# An element with one of these gets its value elsewhere (environment, ZooKeeper,
# an include file) or holds it encrypted: it is never a literal.
SUBSTITUTIONS = ("@from_env", "@from_zk", "@incl", "@encrypted_by")
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
ANY_HOST_REGEXPS = frozenset({".*", "^.*$", "^.*", ".*$", ".+", "^.+$"})
AUTH_KEYS = (
    "password", "password_sha256_hex", "password_double_sha1_hex", "password_bcrypt_hash", "ldap", "kerberos",
    "ssl_certificates", "ssh_keys", "http_authentication", "no_password",
)
# Where server configs keep secrets; `*` is any one element name.
SECRET_PATHS = (
    "interserver_http_credentials/password",
    "remote_servers/*/secret",
    "remote_servers/*/shard/replica/password",
    "storage_configuration/disks/*/secret_access_key",
    "storage_configuration/disks/*/key",
    "storage_configuration/disks/*/key_hex",
    "s3/*/secret_access_key",
    "zookeeper/identity",
    "named_collections/*/password",
    "named_collections/*/secret_access_key",
    "kafka/sasl_password",
)


# --- reading merged values ----------------------------------------------------------------

def first(node: Node | None) -> Node | None:
    """The element a single-value read sees: of repeated elements, the first
    (the server's configuration reads `users.default.access_management` from
    the first such element; a repeat never empties it)."""
    if isinstance(node, SequenceNode):
        return node.items[0] if node.items else None
    return node


def is_substituted(node: Node | None) -> bool:
    node = first(node)
    return isinstance(node, MappingNode) and any(k in node for k in SUBSTITUTIONS)


def has_include(node: Node | None) -> bool:
    """An <include incl/from_env/from_zk="..."/> child pastes unknown elements
    here, so nothing can be proven missing from this element."""
    return isinstance(node, MappingNode) and "include" in node


def scalar(node: Node | None) -> ScalarNode | None:
    """The text of an element, whether written bare or next to attributes
    (`MappingNode.scalar(key)` reads a key's value, never an element's `#text`);
    of repeated elements, the first's."""
    node = first(node)
    if isinstance(node, ScalarNode):
        return node
    if isinstance(node, MappingNode):
        return node.scalar("#text")
    return None


def text(node: Node | None) -> str:
    """An element's text without surrounding whitespace ('' when it has none)."""
    value = scalar(node)
    return value.text.strip() if value is not None else ""


def each(node: Node | None) -> list[Node]:
    """Repeated elements as a list (one element is a list of one)."""
    if node is None:
        return []
    if isinstance(node, SequenceNode):
        return list(node.items)
    return [node]


def child(node: Node | None, *path: str) -> Node | None:
    """`MappingNode.path` on an element that may be absent, a bare value or
    repeated: each step reads the first of repeated elements; the last step's
    repeats are all returned (a sequence, for `each`; `first` for one)."""
    for step in path:
        node = first(node)
        if not isinstance(node, MappingNode):
            return None
        node = node.get(step)
    return node


def tag_span(node: Node) -> Span:
    """The element's start tag (its key), where a finding about it points
    (the first's, when it is repeated)."""
    return (first(node) or node).anchor_span


def value_span(node: Node) -> Span:
    value = scalar(node)
    return value.span if value is not None and value.text else tag_span(node)


def is_true(node: Node | None) -> bool:
    return text(node).lower() in TRUE_VALUES


def root_span(config: ClickHouseConfig) -> Span:
    assert config.element is not None
    return config.element.start


def wildcard_listen_host(server: ClickHouseConfig | None) -> ScalarNode | None:
    """The listen_host that accepts every interface (`::`, `0.0.0.0`), if any.
    Without listen_host the server listens on localhost only."""
    if server is None or server.root is None:
        return None
    for node in each(server.root.get("listen_host")):
        value = scalar(node)
        if value is None or is_substituted(node):
            continue
        try:
            if ipaddress.ip_address(value.text.strip().strip("[]")).is_unspecified:
                return value
        except ValueError:
            continue
    return None


def _network_is_any(kind: str, value: str) -> bool:
    value = value.strip()
    if kind == "host_regexp":
        return value in ANY_HOST_REGEXPS
    if kind != "ip":
        return False
    address, _, mask = value.partition("/")
    if not mask:
        return False
    try:
        if ":" in mask:  # IPv6 netmask form: count its bits
            return int(ipaddress.IPv6Address(mask)) == 0
        return ipaddress.ip_network(f"{address}/{mask}", strict=False).prefixlen == 0
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Exposure:
    """Whether a user accepts connections from any address, and why."""

    anywhere: bool
    node: Node | None  # the open <ip>/<host_regexp>, or None when <networks> is missing
    reason: str


def user_exposure(user: Node, networks_known: bool) -> Exposure:
    networks = first(child(user, "networks"))
    if networks is None:
        # No <networks>: any address may connect (only known when nothing else can add it).
        known = networks_known and not has_include(user)
        return Exposure(known, None, "it has no <networks>" if known else "")
    if is_substituted(networks):
        return Exposure(False, None, "")
    for kind in ("ip", "host_regexp"):
        for node in each(child(networks, kind)):
            value = scalar(node)
            if value is not None and _network_is_any(kind, value.text):
                return Exposure(True, node, f"<networks> allows <{kind}>{value.text}</{kind}>")
    return Exposure(False, None, "")


def default_profile_name(config: ClickHouseConfig) -> str:
    server = config.server
    if server is not None and server.root is not None:
        name = text(server.root.get("default_profile"))
        if name:
            return name
    return "default"


def secret_nodes(root: MappingNode, pattern: str) -> Iterator[tuple[str, Node]]:
    """(logical path, node) of every element matching `pattern` (`*`: any name)."""
    frontier: list[tuple[str, Node]] = [("", root)]
    for step in pattern.split("/"):
        following: list[tuple[str, Node]] = []
        for where, node in frontier:
            if not isinstance(node, MappingNode):
                continue
            names = [k for k in node.keys() if not k.startswith(("@", "#"))] if step == "*" else [step]  # noqa: SIM118
            for name in names:
                for item in each(node.get(name)):
                    following.append((f"{where}/{name}" if where else name, item))
        frontier = following
    return iter(frontier)


# --- selectors --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Credential:
    """One element holding a password or secret."""

    config: ClickHouseConfig
    kind: str  # password | password_sha256_hex | password_double_sha1_hex | secret
    user: str  # the user it authenticates ('' for server secrets)
    user_node: Node | None = None


def _config(unit: LintUnit) -> ClickHouseConfig | None:
    model = unit.model
    if isinstance(model, ClickHouseConfig) and model.root is not None:
        return model
    return None


def server(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Each server config (config.xml with its overrides)."""
    config = _config(unit)
    if config is not None and config.has_role("server"):
        yield Subject(config.root, {"config": config.name}, f"server/{config.name}", data=config)


def users_config(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Each users config (users.xml with its overrides)."""
    config = _config(unit)
    if config is not None and config.has_role("users"):
        yield Subject(config.root, {"config": config.name}, f"users-config/{config.name}", data=config)


def users(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Each user of a users config (`users/<name>`)."""
    config = _config(unit)
    if config is None or not config.has_role("users") or config.root is None:
        return
    section = first(config.root.get("users"))
    if not isinstance(section, MappingNode) or is_substituted(section):
        return
    for name, node in section.items():
        user = first(node)  # a repeated user is the first one, as the server reads it
        if name.startswith(("@", "#")) or user is None:
            continue
        if not is_substituted(user):
            yield Subject(user, {"user": name}, f"users/{name}", data=config)


def credentials(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Users' password elements and the server's secrets (interserver, cluster, S3, ZooKeeper)."""
    config = _config(unit)
    if config is None or config.root is None:
        return
    for subject in users(unit, options, ctx):
        for kind in ("password", "password_sha256_hex", "password_double_sha1_hex"):
            for node in each(child(subject.node, kind)):
                name = subject.context["user"]
                credential = Credential(config, kind, name, subject.node)
                yield Subject(node, {"user": name, "element": kind}, f"users/{name}/{kind}", data=credential)
    if config.has_role("server"):
        for pattern in SECRET_PATHS:
            for where, node in secret_nodes(config.root, pattern):
                yield Subject(node, {"user": "", "element": where}, where, data=Credential(config, "secret", ""))


SELECTORS = {
    "server": Selector(server, yields=(ClickHouseConfig,)),
    "users-config": Selector(users_config, yields=(ClickHouseConfig,)),
    "users": Selector(users, yields=(ClickHouseConfig,)),
    "credentials": Selector(credentials, yields=(Credential,)),
}
