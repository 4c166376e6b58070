"""Levels that serve no page a browser would render in a frame: static assets
(fonts, scripts, style sheets, images, media, uploads), APIs and websockets.

A location serves assets when its pattern says so: a regex every match of
which ends in an asset extension (`~* \\.(?:css|js|woff2?)$`,
`^/client/(.*\\.(js|css))$`), a path with an asset directory in it (`/static/`,
`~ ^/(emoji|packs)/`, `/favicon.ico`); when its responses are marked
`Cache-Control: immutable` (only versioned files can be); or when its own
`types` block (and the `default_type` in effect) maps nothing to a renderable
document. It serves an API when its path has an API directory in it (`/api/`,
`~ ^/api/v[0-9]+/`, `/socket.io`), or a websocket when it always asks the
backend to upgrade (`proxy_set_header Connection "upgrade"`). Nested levels of
such a location serve the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter.formats.nginx.effective import NESTED, Block, inherited, location_path
from linter.formats.nginx.pcre import operators

# Media types a browser renders as a document that can be framed and clicked.
RENDERED_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml", "image/svg+xml"})
NGINX_DEFAULT_TYPE = "text/plain"  # `default_type` when no level sets it

# `\.css`, `\.woff2?` at the end of a pattern (the `$` already taken off).
_EXTENSION_AT_END = re.compile(r"\\\.([A-Za-z0-9]+\??[A-Za-z0-9]*)$")
# The literal path a regex starts with (`^/(emoji|packs)/`, `/images/emoji/`, `/_?emoji`),
# up to the first other operator (an unescaped `.` is one).
_LEADING_PATH = re.compile(r"^\^?((?:[A-Za-z0-9_\-/]\??|\\[./-]|\((?:\?:)?(?:[A-Za-z0-9_\-/|]|\\[./-])*\))+)")
_GROUP_NAME = re.compile(r"^\?(?::|P?<[A-Za-z_][A-Za-z0-9_]*>)")  # `(?:`, `(?<name>`, `(?P<name>`
_OPTIONAL_CHAR = re.compile(r"\\?[^\\()|]\?")  # `_?`: matched with or without it; read without


# The defaults of the checks' asset params (NGX101, NGX106).
ASSET_EXTENSIONS = (
    "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "svg", "svgz", "bmp", "tif",
    "tiff", "cur", "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "m4a", "m4v", "webm", "ogg", "ogv", "oga",
    "opus", "wav", "flac", "mov", "avi", "txt", "zip", "gz", "tgz", "bz2", "xz", "7z",
)  # fmt: skip
ASSET_DIRECTORIES = (
    "static", "assets", "asset", "fonts", "font", "images", "image", "img", "imgs", "icons", "favicons", "js",
    "javascripts", "css", "stylesheets", "media", "uploads", "upload", "attachments", "media_attachments",
    "avatar", "avatars", "emoji", "emojis", "packs", "sounds", "thumbnails", "thumbs", "headers", "shortcuts",
)  # fmt: skip
API_DIRECTORIES = ("api", "socket.io", "websocket", "ws")  # JSON, event streams and upgrades: no pages


@dataclass(frozen=True, slots=True)
class AssetPolicy:
    extensions: frozenset[str]  # lower case, no dot
    directories: frozenset[str]  # path segments, lower case
    api_directories: frozenset[str] = frozenset()  # path segments, lower case

    @classmethod
    def of(cls, extensions: tuple[str, ...], directories: tuple[str, ...], api: tuple[str, ...] = ()) -> AssetPolicy:
        return cls(
            frozenset(e.lower().lstrip(".") for e in extensions),
            _segments(directories),
            _segments(api),
        )

    def is_asset_location(self, block: Block) -> bool:
        modifier, path = location_path(block)
        if modifier in ("~", "~*"):
            return self._asset_regex(path)
        return self._asset_path(path)

    def serves_no_pages(self, block: Block) -> bool:
        """The level, or a location it is nested in, serves only assets, an API or a websocket."""
        level: Block | None = block
        while level is not None and level.kind in NESTED:
            if level.kind == "location" and self._pageless(level):
                return True
            level = level.parent
        return False

    def _pageless(self, location: Block) -> bool:
        return (
            self.is_asset_location(location)
            or self._api(location)
            or _immutable(location)
            or _websocket_only(location)
            or _types_render_nothing(location)
        )

    def _api(self, block: Block) -> bool:
        modifier, path = location_path(block)
        if modifier in ("~", "~*"):
            return _leading_path_in(path, self.api_directories)
        return any(s in self.api_directories for s in path.lower().split("/"))

    def _asset_path(self, path: str) -> bool:
        segments = [s for s in path.lower().split("/") if s]
        if not segments:
            return False
        last = segments[-1]
        if "." in last and last.rsplit(".", 1)[1] in self.extensions:
            return True
        return any(s in self.directories for s in segments)

    def _asset_regex(self, pattern: str) -> bool:
        # anchored at the end: `\.js` alone also matches `/a.js/b.html`
        ends = _extensions_at_end(pattern[:-1]) if pattern.endswith("$") else None
        if ends and all(e in self.extensions for e in ends):
            return True
        return _leading_path_in(pattern, self.directories)


def _segments(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(n.lower().strip("/") for n in names)


def _leading_path_in(pattern: str, directories: frozenset[str]) -> bool:
    """Every path the regex's leading literal part stands for has one of `directories` in it."""
    leading = _LEADING_PATH.match(pattern)
    if leading is None:
        return False
    return all(any(s in directories for s in path.split("/")) for path in _expand(leading.group(1).lower()))


def _extensions_at_end(pattern: str) -> list[str] | None:
    """The extensions every match of `pattern` ends in (`\\.css`, `\\.(css|js)`,
    `(a\\.png|b/.*\\.svg)`, nested groups too); None when a match may end otherwise."""
    if pattern.endswith(")"):
        start = _group_start(pattern)
        if start is None:
            return None
        body = _GROUP_NAME.sub("", pattern[start + 1 : -1], count=1)
        if pattern[:start].endswith("\\."):  # `\.(css|js)`: the group lists the extensions
            return _alternatives(body) or None
        out: list[str] = []
        for alternative in _top_level_alternatives(body):
            ends = _extensions_at_end(alternative)
            if not ends:
                return None
            out += ends
        return out
    match = _EXTENSION_AT_END.search(pattern)
    return (_alternatives(match.group(1)) or None) if match else None


def _group_start(pattern: str) -> int | None:
    """Where the group closing at the pattern's end opens."""
    opens: list[int] = []
    pairs: dict[int, int] = {}
    for i, c in operators(pattern):
        if c == "(":
            opens.append(i)
        elif c == ")" and opens:
            pairs[i] = opens.pop()
    return pairs.get(len(pattern) - 1)


def _top_level_alternatives(body: str) -> list[str]:
    """`a|(b|c)|d` as ['a', '(b|c)', 'd']."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, c in operators(body):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    return parts + [body[start:]]


def _immutable(location: Block) -> bool:
    """The location's responses are marked immutable: versioned files, never a page."""
    return any(
        len(d.args) >= 2 and d.arg(0).lower() == "cache-control" and "immutable" in d.arg(1).lower()
        for d in location.own("add_header")
    )


def _websocket_only(location: Block) -> bool:
    """Every request is upgraded to a websocket (`Connection "upgrade"`, not a map's variable)."""
    return any(
        len(d.args) >= 2 and d.arg(0).lower() == "connection" and d.arg(1).lower() == "upgrade"
        for d in location.own("proxy_set_header")
    )


def _alternatives(text: str) -> list[str]:
    """`css|js|woff2?|jpe?g` as the extensions it names (optional letters expanded)."""
    out: list[str] = []
    for alt in text.lower().split("|"):
        optional = re.fullmatch(r"([a-z0-9]*)([a-z0-9])\?([a-z0-9]*)", alt)
        if optional:
            out += [optional.group(1) + optional.group(3), optional.group(1) + optional.group(2) + optional.group(3)]
        elif re.fullmatch(r"[a-z0-9]+", alt):
            out.append(alt)
        else:
            return []  # a construct we do not read: not known to be assets only
    return out


def _expand(path: str) -> list[str]:
    """A leading regex path with one group of alternatives as the literal paths it matches."""
    path = _OPTIONAL_CHAR.sub("", path).replace("\\", "")
    group = re.search(r"\((?:\?:)?([^()]*)\)", path)
    if group is None:
        return [path]
    return [path[: group.start()] + alt + path[group.end() :] for alt in group.group(1).split("|")]


def _types_render_nothing(location: Block) -> bool:
    """The location's own `types` map (and the default_type in effect) give no rendered document."""
    types = [c for c in location.children if c.kind == "types"]
    if not types:
        return False
    mapped = {d.name.lower() for t in types for d in t.directives}
    default = inherited(location, "default_type")
    if not default.directives and not default.known:
        return False  # an includer may set a rendered default_type
    default_type = default.directives[-1].arg(0).lower() if default.directives else NGINX_DEFAULT_TYPE
    return not (mapped | {default_type}) & RENDERED_TYPES
