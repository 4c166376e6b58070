"""Container image references: `[registry[:port]/]path[:tag][@digest]`.

Only the parts the linter needs are split out. The tag is what follows the
last `:` of the last path component, so `registry:5000/app` has no tag while
`registry:5000/app:1.2` has `1.2`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImageRef:
    name: str  # registry and repository path, without tag or digest
    tag: str | None
    digest: str | None

    @property
    def pinned_by_digest(self) -> bool:
        return bool(self.digest)


def parse_image(reference: str) -> ImageRef:
    rest, _, digest = reference.strip().partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return ImageRef(rest[:colon], rest[colon + 1 :], digest or None)
    return ImageRef(rest, None, digest or None)

