"""nginx variables in directive values: which are read, and which the client controls."""

from __future__ import annotations

import re

# `$name` or `${name}`; nginx looks variable names up case-insensitively.
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")

# Variables whose whole value comes from the request as the client wrote it.
_CLIENT_PREFIXES = ("http_", "arg_", "cookie_")
_CLIENT_NAMES = frozenset({"args", "query_string", "request", "request_uri", "request_body", "uri", "document_uri"})


def variables_in(value: str) -> list[str]:
    """The variable names a value reads, lower-cased, in order."""
    return [(braced or bare).lower() for braced, bare in _VARIABLE.findall(value)]


def client_controlled(name: str) -> bool:
    """A request header, argument, cookie or part of the request line: whatever the client sent."""
    name = name.lower()
    return name in _CLIENT_NAMES or (name.startswith(_CLIENT_PREFIXES) and len(name) > name.index("_") + 1)
