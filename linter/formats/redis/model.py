"""What Redis rules read: one server's or one Sentinel's effective config."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import PurePosixPath

from linter.formats.common.line_includes import ConfigTree
from linter.formats.common.lines import Line

LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True, slots=True)
class RedisConfig:
    tree: ConfigTree
    sentinel: bool  # a Sentinel's config (by name, or holding `sentinel monitor`)

    @property
    def path(self) -> str:
        return self.tree.main.path

    def bind_addresses(self) -> list[str]:
        """The addresses of the last `bind` ( `-` marks an optional one); none: every interface."""
        line = self.tree.last("bind")
        return [v.removeprefix("-") for v in line.values] if line is not None else []

    def exposed(self) -> Line | None:
        """The line that lets clients off this host connect: a `bind` naming
        an address that is not loopback, or `protected-mode no` while `bind`
        is absent (every interface) or not loopback-only. Without either,
        protected mode (on by default) refuses remote clients without a password."""
        bind = self.tree.last("bind")
        loopback_only = bind is not None and all(is_loopback(a) for a in self.bind_addresses())
        if bind is not None and not loopback_only:
            return bind
        protected = self.tree.last("protected-mode")
        if protected is not None and protected.arg(0).lower() == "no" and not loopback_only:
            return protected
        return None


def is_loopback(address: str) -> bool:
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def is_sentinel(tree: ConfigTree) -> bool:
    name = PurePosixPath(tree.main.path).name.lower()
    return "sentinel" in name or any(line.key == "sentinel" and line.arg(0).lower() == "monitor" for line in tree.lines)
