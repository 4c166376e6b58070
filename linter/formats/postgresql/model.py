"""What PostgreSQL rules read: one cluster's settings and its pg_hba.conf."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from linter.core.model import ParsedFile, Span
from linter.formats.common.line_includes import ConfigTree, first_directive
from linter.formats.common.lines import Line, Token

_LOCAL_ADDRESSES = frozenset({"localhost", "samehost"})
_WORLD = frozenset({"all", "0.0.0.0/0", "::/0"})
HOST_TYPES = frozenset({"host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"})


@dataclass(frozen=True, slots=True)
class HbaEntry:
    """One pg_hba.conf record: type, databases, users, address (host types), method."""

    line: Line
    type: Token
    database: Token | None
    user: Token | None
    address: Token | None
    mask: Token | None
    method: Token | None

    @property
    def host(self) -> bool:
        return self.type.value in HOST_TYPES

    def world(self) -> bool:
        """Whether the record matches any client address (0.0.0.0/0, ::/0, `all`)."""
        if self.address is None:
            return False
        if self.address.value.lower() in _WORLD and not self.address.quoted:
            return True
        return self.mask is not None and self.mask.value in ("0.0.0.0", "::")

    def loopback(self) -> bool:
        """Whether only this machine's clients match."""
        if self.address is None:
            return not self.host
        value = self.address.value.lower()
        if value in _LOCAL_ADDRESSES:
            return True
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return False  # a host name: it may resolve anywhere
        loop = ipaddress.ip_network("127.0.0.0/8") if network.version == 4 else ipaddress.ip_network("::1/128")
        return network.subnet_of(loop)  # type: ignore[arg-type]


def hba_entry(line: Line) -> HbaEntry | None:
    """The record's fields; None for a line that is no record (an include)."""
    fields = line.args
    if line.key.startswith("include"):
        return None
    if line.key == "local":
        method_at, address, mask = 2, None, None
    else:
        address = fields[2] if len(fields) > 2 else None
        has_mask = len(fields) > 4 and address is not None and "/" not in address.value and _is_ip(address.value) and _is_ip(fields[3].value)
        mask = fields[3] if has_mask else None
        method_at = 4 if has_mask else 3
    return HbaEntry(line, line.name, _field(fields, 0), _field(fields, 1), address, mask, _field(fields, method_at))


def _field(fields: tuple[Token, ...], index: int) -> Token | None:
    return fields[index] if index < len(fields) else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


@dataclass
class Cluster:
    """A data directory's configuration: postgresql.conf with its includes
    and postgresql.auto.conf (read after it), and its pg_hba.conf."""

    conf: ConfigTree | None
    hba: ParsedFile | None
    auto: list[Line] = field(default_factory=list)
    # `conf` is an include_dir fragment alone (not postgresql.conf): a setting
    # it does not write may be in the main file, so nothing is known unset.
    fragment: bool = False

    def unset(self, name: str) -> bool:
        """Whether `name` is known to be left at the server's default: not
        written in a whole postgresql.conf whose every include was read (one
        not followed may set it)."""
        return self.setting(name) is None and not self.fragment and not (self.conf is not None and self.conf.hides_content)

    @property
    def path(self) -> str:
        main = self.conf.main if self.conf is not None else self.hba
        assert main is not None
        return main.path

    @property
    def start(self) -> Span:
        """Where a finding about a setting nobody sets points (see `ConfigTree.start`)."""
        if self.conf is not None:
            return self.conf.start
        assert self.hba is not None
        return first_directive(self.hba)

    @property
    def lines(self) -> list[Line]:
        return (self.conf.lines if self.conf is not None else []) + self.auto

    def setting(self, name: str) -> Line | None:
        """The line that sets `name` last (the server's rule: the last one wins)."""
        for line in reversed(self.lines):
            if line.key == name:
                return line
        return None

    def value(self, name: str, default: str = "") -> str:
        line = self.setting(name)
        return line.arg(0, default) if line is not None else default

    def entries(self) -> list[HbaEntry]:
        if self.hba is None:
            return []
        lines: list[Line] = self.hba.meta.get("lines", [])
        return [e for e in (hba_entry(line) for line in lines) if e is not None]

    def listening(self) -> Line | None | bool:
        """The `listen_addresses` line when it names a non-loopback address;
        None when the server listens on loopback only (the default, localhost);
        True when postgresql.conf is not known (not in the repository)."""
        if self.conf is None:
            return True
        line = self.setting("listen_addresses")
        if line is None:
            return None
        addresses = [a.strip().lower() for a in line.arg(0).split(",") if a.strip()]
        return line if any(not _loopback_address(a) for a in addresses) else None


def _loopback_address(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
