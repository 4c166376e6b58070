"""Recognising nginx configuration files and fragments."""

from __future__ import annotations

import re
from pathlib import Path

_HINT = re.compile(r"^\s*(?:server|http|events|upstream|stream)\s*\{|^\s*location\s+[^;{]*\{|^\s*(?:listen|server_name|proxy_pass|add_header)\s", re.M)
# nginx fragments (conf.d/, sites-*/, snippets/) often hold only a few
# directives: a known directive family ending with ';' identifies them.
_FRAGMENT_HINT = re.compile(
    r"^\s*(?:ssl_\w+|proxy_\w+|fastcgi_\w+|uwsgi_\w+|add_header\w*|server_tokens|limit_req\w*|limit_conn\w*|"
    r"client_\w+|gzip\w*|include|error_page|access_log|error_log|keepalive_\w+|resolver|charset\w*)\s[^\n]*;\s*(?:#.*)?$",
    re.M,
)
_FRAGMENT_DIRS = frozenset({"sites-available", "sites-enabled", "snippets"})
_SUFFIXES = (".conf", ".nginx")


def wants_content(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(_SUFFIXES) or ("." not in name and path.parent.name.lower() in _FRAGMENT_DIRS)


def is_nginx(path: Path, head: str) -> bool:
    name = path.name.lower()
    parts = {p.lower() for p in path.parts}
    if name.endswith(_SUFFIXES):
        return name == "nginx.conf" or any("nginx" in p for p in parts) or _looks_like_nginx(head)
    # Debian-style sites-available/default
    return "." not in name and not parts.isdisjoint(_FRAGMENT_DIRS) and _looks_like_nginx(head)


def _looks_like_nginx(head: str) -> bool:
    return bool(_HINT.search(head) or _FRAGMENT_HINT.search(head))
