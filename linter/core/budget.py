"""The per-file time budget for checks (`Limits.max_seconds_per_file`).

A unit whose checks have used up the budget gets no further rules: the engine
checks the clock before each rule and between a rule's subjects, so one
pathological file (or a slow custom rule) cannot stall a CI run, and the run
goes on with the other files. A single check call is not interrupted (there is
no safe way to stop Python code in the middle); checks are small by design.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

from linter.core.findings import Finding
from linter.core.messages import tool_finding
from linter.core.model import Span

if TYPE_CHECKING:
    from linter.core.rules import Rule
    from linter.core.units import LintUnit


class BudgetExceeded(Exception):
    pass


def now() -> float:
    return monotonic()  # looked up at call time, so tests can substitute a clock


class UnitClock:
    """The time one unit's checks have spent. The engine asks it before each
    rule and between subjects, so it is plain attributes, not lookups by path."""

    __slots__ = ("seconds", "spent", "deadline")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self.deadline = float("inf")

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.seconds

    def start(self) -> float:
        """Start timing one rule on the unit (`stop` ends it). Plain calls, not a
        context manager: the engine times every rule on every unit, and a
        context manager's frames cost more than most checks."""
        started = now()
        self.deadline = started + self.seconds - self.spent
        return started

    def stop(self, started: float) -> None:
        self.spent += now() - started

    def check(self) -> None:
        """Called between subjects: stop the rule once the unit's budget is spent."""
        if now() > self.deadline:
            self.spent = self.seconds
            raise BudgetExceeded


class CheckBudget:
    """Seconds spent checking each unit, and the rules each over-budget unit missed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._clocks: dict[str, UnitClock] = {}
        self.missed: dict[str, list[str]] = {}  # unit path -> rule IDs not (fully) run

    def clock(self, unit: LintUnit) -> UnitClock:
        """The unit's clock (units with one path share it, and its budget)."""
        found = self._clocks.get(unit.path)
        if found is None:
            found = self._clocks[unit.path] = UnitClock(self.seconds)
        return found

    def skip(self, unit: LintUnit, rule: Rule) -> None:
        self.missed.setdefault(unit.path, []).append(rule.id)

    def findings(self, rules: list[Rule]) -> list[Finding]:
        """One DL005 finding per unit that ran out of time (if DL005 is enabled)."""
        found = (
            tool_finding(
                rules,
                "DL005",
                f"checks on this file took over {self.seconds:g} s (max_seconds_per_file); {_rule_list(rule_ids)} did not (fully) run",
                Span.start(path),
                "max_seconds_per_file",
            )
            for path, rule_ids in sorted(self.missed.items())
        )
        return [f for f in found if f is not None]


def _rule_list(rule_ids: list[str], shown: int = 5) -> str:
    if len(rule_ids) <= shown:
        return ", ".join(rule_ids)
    return f"{', '.join(rule_ids[:shown])} and {len(rule_ids) - shown} more rules"
