"""Which rules run, with which severity and params.

Rule selection follows ruff: `--select` / `--ignore` take IDs, names or ID
prefixes; the most specific selector wins, `ignore` beats `select` at equal
specificity.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError
from .findings import Severity
from .rules import Rule


@dataclass(slots=True)
class RuleOverride:
    enabled: bool | None = None
    severity: Severity | None = None
    params: dict[str, Any] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)  # path globs where the rule is off


def _specificity(rule: Rule, selector: str) -> int:
    """How precisely a selector names a rule: exact ID/name beats a prefix."""
    if selector.upper() == rule.id or selector == rule.name:
        return 1000
    return len(selector)


def check_selectors(rules: list[Rule], selectors: list[str], what: str) -> None:
    for s in selectors:
        if s.upper() != "ALL" and not any(r.matches(s) for r in rules):
            raise UsageError(f"{what}: '{s}' matches no rule (try `deploylint rules`)")


def select_rules(
    rules: list[Rule],
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    overrides: dict[str, RuleOverride] | None = None,
) -> list[Rule]:
    """The enabled rules, each a copy carrying its effective severity and params."""
    select = [s for s in (select or []) if s]
    ignore = [s for s in (ignore or []) if s]
    check_selectors(rules, select, "--select")
    check_selectors(rules, ignore, "--ignore")
    enabled: list[Rule] = []
    for rule in rules:
        override = (overrides or {}).get(rule.id)
        on = override.enabled if override and override.enabled is not None else True
        if select:
            best = max((_specificity(rule, s) if s.upper() != "ALL" else 0 for s in select if s.upper() == "ALL" or rule.matches(s)), default=-1)
            on = best >= 0
        else:
            best = -1
        worst = max((_specificity(rule, s) for s in ignore if s.upper() == "ALL" or rule.matches(s)), default=-1)
        if worst >= 0 and worst >= best:
            on = False
        if not on:
            continue
        if override is not None:
            rule = dataclasses.replace(
                rule,
                severity=override.severity or rule.severity,
                params={**rule.params, **override.params},
            )
        enabled.append(rule)
    return enabled
