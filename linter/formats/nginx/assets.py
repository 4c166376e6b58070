"""Levels that serve only static assets (fonts, scripts, style sheets, images,
media, uploads): no page a browser would render in a frame.

A location is one when its pattern says so: a regex that ends in a list of
asset extensions (`~* \\.(?:css|js|woff2?)$`), a path with an asset directory
in it (`/static/`, `~ ^/(emoji|packs)/`, `/favicon.ico`), or its own `types`
block (and the `default_type` in effect) maps nothing to a renderable document.
Nested levels of such a location serve assets too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter.formats.nginx.effective import NESTED, Block, inherited, location_path

# Media types a browser renders as a document that can be framed and clicked.
RENDERED_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml", "image/svg+xml"})
NGINX_DEFAULT_TYPE = "text/plain"  # `default_type` when no level sets it

# `\.(?:css|js)$`, `\.css$` at the end of a pattern (anchored: `\.js` alone also matches `/a.js/b.html`).
_EXTENSIONS_AT_END = re.compile(r"\\\.(?:\((?:\?:)?([^()]*)\)|([A-Za-z0-9]+))\$$")
# The literal path a regex starts with (`^/(emoji|packs)/`, `/images/emoji/`, `/_?emoji`),
# up to the first other operator (an unescaped `.` is one).
_LEADING_PATH = re.compile(r"^\^?((?:[A-Za-z0-9_\-/]\??|\\[./-]|\((?:\?:)?(?:[A-Za-z0-9_\-/|]|\\[./-])*\))+)")
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
    "avatar", "avatars", "emoji", "emojis", "packs", "sounds", "thumbnails", "thumbs",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AssetPolicy:
    extensions: frozenset[str]  # lower case, no dot
    directories: frozenset[str]  # path segments, lower case

    @classmethod
    def of(cls, extensions: tuple[str, ...], directories: tuple[str, ...]) -> AssetPolicy:
        return cls(frozenset(e.lower().lstrip(".") for e in extensions), frozenset(d.lower().strip("/") for d in directories))

    def is_asset_location(self, block: Block) -> bool:
        modifier, path = location_path(block)
        if modifier in ("~", "~*"):
            return self._asset_regex(path)
        return self._asset_path(path)

    def serves_only_assets(self, block: Block) -> bool:
        """The level, or a location it is nested in, serves only assets."""
        level: Block | None = block
        while level is not None and level.kind in NESTED:
            if level.kind == "location" and (self.is_asset_location(level) or _types_render_nothing(level)):
                return True
            level = level.parent
        return False

    def _asset_path(self, path: str) -> bool:
        segments = [s for s in path.lower().split("/") if s]
        if not segments:
            return False
        last = segments[-1]
        if "." in last and last.rsplit(".", 1)[1] in self.extensions:
            return True
        return any(s in self.directories for s in segments)

    def _asset_regex(self, pattern: str) -> bool:
        ends = _EXTENSIONS_AT_END.search(pattern)
        if ends is not None:
            listed = _alternatives(ends.group(1) or ends.group(2))
            if listed and all(e in self.extensions for e in listed):
                return True
        leading = _LEADING_PATH.match(pattern)
        if leading is None:
            return False
        return all(any(s in self.directories for s in path.split("/")) for path in _expand(leading.group(1).lower()))


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
