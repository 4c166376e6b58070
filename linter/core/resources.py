"""Where the bundled policy pack and schemas live.

In a wheel they are copied into the package (`linter/rules`, `linter/schemas`);
in a source checkout or an editable install they sit beside the package at the
project's top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # linter/, this module being linter/core/resources.py


def _data_dir(name: str) -> Path:
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    return _data_dir("rules")


def schemas_dir() -> Path:
    return _data_dir("schemas")


def presets_dir() -> Path:
    return rules_dir() / "presets"
