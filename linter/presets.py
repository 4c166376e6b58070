"""Presets: named configurations shipped as data in `rules/presets/<name>.yaml`.

They use the config file format (`extends`, `rules`, ...). A preset may name
rules of packs that are not installed; those entries are skipped, while a
user's config naming an unknown rule is an error.
"""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError
from .resources import presets_dir
from .rules import Rule

PRESET_NAMES = ("recommended", "strict", "production-checklist")


def preset_path(name: str) -> Path:
    if name not in PRESET_NAMES:
        raise UsageError(f"unknown preset '{name}' (presets: {', '.join(PRESET_NAMES)})")
    return presets_dir() / f"{name}.yaml"


def preset_rules(name: str, rules: list[Rule]) -> list[Rule]:
    """The rules a preset enables, with its severities and params applied."""
    from .config import Config, merge_chain, rule_overrides, select_rules

    config = Config()
    merge_chain(config, preset_path(name), [], preset=True)
    return select_rules(rules, overrides=rule_overrides(config, rules))

