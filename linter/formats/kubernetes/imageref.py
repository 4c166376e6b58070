"""Container image references: `[registry[:port]/]path[:tag][@digest]`.

Only the parts the linter needs are split out. The tag is what follows the
last `:` of the last path component, so `registry:5000/app` has no tag while
`registry:5000/app:1.2` has `1.2`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters no image reference can hold: where they appear the value is a
# template or a stand-in (`${IMAGE}`, `$(IMAGE)`, `{{ .Values.image }}`,
# `<your-image>`), filled in before the manifest reaches the cluster.
_NOT_A_REFERENCE = re.compile(r"[$<>{}()\s]")


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


def is_templated(reference: str) -> bool:
    """Whether the value is a template or placeholder rather than a reference."""
    return _NOT_A_REFERENCE.search(reference.strip()) is not None
