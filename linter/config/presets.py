"""Presets: named configurations shipped as data in `rules/presets/<name>.yaml`.

They use the config file format (`extends`, `rules`, ...). A preset may name
rules of packs that are not installed; those entries are skipped, while a
user's config naming an unknown rule is an error.
"""

from __future__ import annotations

from pathlib import Path

from linter.core.errors import UsageError
from linter.core.resources import presets_dir

PRESET_NAMES = ("recommended", "strict", "production-checklist")


def preset_path(name: str) -> Path:
    if name not in PRESET_NAMES:
        raise UsageError(f"unknown preset '{name}' (presets: {', '.join(PRESET_NAMES)})")
    return presets_dir() / f"{name}.yaml"
