"""What `deploylint render` may print of an object: a Secret's values are
replaced by their size, never shown."""

from __future__ import annotations

from typing import Any


def redacted(document: dict[str, Any]) -> dict[str, Any]:
    if document.get("kind") == "Secret":
        for field in ("data", "stringData"):
            values = document.get(field)
            if isinstance(values, dict):
                document[field] = {key: f"<redacted: {len(str(value))} characters>" for key, value in values.items()}
    return document
