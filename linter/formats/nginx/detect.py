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
# An extension-less file anywhere else (`gitlab-ssl`, `mastodon`, `nginx/site`)
# must look like a whole vhost: nginx blocks, and nothing but configuration
# (comments, directives) before the first of them.
_BLOCK = re.compile(r"^[ \t]*(?:server|http|events|upstream[ \t]+[^\s;{]+|stream|map[ \t]+[^;{\n]+)[ \t]*\{", re.M)
_DIRECTIVE_START = re.compile(r"[a-z_][a-z0-9_]*(?:[ \t]|\{|$)")
_FRAGMENT_DIRS = frozenset({"sites-available", "sites-enabled", "snippets"})
_SUFFIXES = (".conf", ".nginx")


def wants_content(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(_SUFFIXES) or "." not in name


def is_nginx(path: Path, head: str) -> bool:
    name = path.name.lower()
    parts = {p.lower() for p in path.parts}
    if name.endswith(_SUFFIXES):
        return name == "nginx.conf" or any("nginx" in p for p in parts) or _looks_like_nginx(head)
    if "." in name:
        return False
    if not parts.isdisjoint(_FRAGMENT_DIRS):  # Debian-style sites-available/default, snippets/tls
        return _looks_like_nginx(head)
    return _looks_like_vhost(head)


def _looks_like_nginx(head: str) -> bool:
    return bool(_HINT.search(head) or _FRAGMENT_HINT.search(head))


def _looks_like_vhost(head: str) -> bool:
    """An extension-less file that is nginx configuration from its first line."""
    block = _BLOCK.search(head)
    if block is None or not _FRAGMENT_HINT.search(head) and not _HINT.search(head, block.end()):
        return False
    for line in head[: block.start()].splitlines():
        text = line.strip()
        if text.startswith("#!"):
            return False  # a script (one that writes a config, perhaps)
        if text and not text.startswith("#") and not _DIRECTIVE_START.match(text):
            return False
    return True
