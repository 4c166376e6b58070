"""Recognising Redis and Sentinel configs.

By name: `redis.conf`, `sentinel.conf`, `*.redis.conf`, `redis-*.conf` and
`sentinel-*.conf`. By content only a `*.conf` whose path names Redis
(`redis/6379.conf`) and whose first lines are Redis directives, none ending
with `;` or opening a `{` block (what nginx fragments do): that leaves every
other `.conf` and every extension-less file to the formats after this one.
"""

from __future__ import annotations

import re
from pathlib import Path

_NAMES = frozenset({"redis.conf", "sentinel.conf"})
_NAME_FORMS = re.compile(r"(?:.+\.redis|redis-.+|sentinel-.+)\.conf")
# Directives only Redis has; two of them make a file Redis's.
_DIRECTIVES = re.compile(
    r"^[ \t]*(?:maxmemory(?:-policy)?|appendonly|appendfsync|requirepass|masterauth|replicaof|slaveof|"
    r"protected-mode|rename-command|sentinel[ \t]+monitor|save[ \t]+\d+[ \t]+\d+|databases|dbfilename|tls-port)[ \t][^\n;{]*$",
    re.M | re.I,
)
_NGINX_LINE = re.compile(r"[;{][ \t]*(?:#[^\n]*)?$", re.M)


def claims_by_name(path: Path) -> bool:
    name = path.name.lower()
    return name in _NAMES or bool(_NAME_FORMS.fullmatch(name))


def wants_content(path: Path) -> bool:
    return path.name.lower().endswith(".conf") and any("redis" in p.lower() for p in path.parts)


def is_redis(path: Path, head: str) -> bool:
    if not wants_content(path):
        return False
    return len(_DIRECTIVES.findall(head)) >= 2 and not _NGINX_LINE.search(head)
