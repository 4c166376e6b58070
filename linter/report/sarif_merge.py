"""`deploylint merge-sarif OUT IN...`: the SARIF files of CI shards as one log.

Runs of the same analysis (same tool name and automationDetails.id) become one
run: the rules are the union (first definition wins, order of first
appearance), every result's `ruleIndex` points into that union, artifacts are
deduplicated by URI with `artifactLocation.index` remapped, and the results
are concatenated and put in the order a single run writes them (file, line,
column, rule, message), then capped at GitHub's limit as a single run is (the
most severe kept, one notice counting what the cap and the shards left out).
Runs of other analyses are kept as separate runs.
"""

from __future__ import annotations

import json
from typing import Any

from linter.core.errors import UsageError
from linter.core.findings import Severity

from .sarif import capped, dropped_by_notices, dump_log, truncation_notice

_LEVEL_RANK = {s.value: s.rank for s in Severity}  # "none" and unknown levels rank below "note"


def _analysis(run: dict[str, Any]) -> tuple[str, str]:
    driver = run.get("tool", {}).get("driver", {})
    return driver.get("name", ""), run.get("automationDetails", {}).get("id", "")


def _result_order(result: dict[str, Any]) -> tuple[Any, ...]:
    """The engine's finding order, read back from a SARIF result."""
    locations = result.get("locations") or [{}]
    physical = locations[0].get("physicalLocation", {})
    region = physical.get("region", {})
    return (
        physical.get("artifactLocation", {}).get("uri", ""),
        region.get("startLine", 0),
        region.get("startColumn", 0),
        result.get("ruleId", ""),
        result.get("message", {}).get("text", ""),
        region.get("endLine", 0),
        region.get("endColumn", 0),
    )


class _RunMerger:
    def __init__(self, first: dict[str, Any]) -> None:
        self.run = {k: v for k, v in first.items() if k not in ("results", "artifacts")}
        self.run["tool"] = json.loads(json.dumps(first["tool"]))  # a copy we may extend
        self.rules: list[dict[str, Any]] = self.run["tool"]["driver"].setdefault("rules", [])
        self.rule_index = {r.get("id"): i for i, r in enumerate(self.rules)}
        self.artifacts: list[dict[str, Any]] = []
        self.artifact_index: dict[str, int] = {}
        self.results: list[dict[str, Any]] = []
        self.dropped = 0  # results the shards' own caps left out

    def add(self, run: dict[str, Any]) -> None:
        self.dropped += dropped_by_notices(run.get("invocations") or [])
        own_rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        for rule in own_rules:
            if rule.get("id") not in self.rule_index:
                self.rule_index[rule.get("id")] = len(self.rules)
                self.rules.append(rule)
        artifact_map = {}
        for i, artifact in enumerate(run.get("artifacts", [])):
            uri = json.dumps(artifact.get("location", {}), sort_keys=True)
            if uri not in self.artifact_index:
                self.artifact_index[uri] = len(self.artifacts)
                self.artifacts.append(artifact)
            artifact_map[i] = self.artifact_index[uri]
        for result in run.get("results", []):
            self.results.append(self._fixed(result, own_rules, artifact_map))

    def _fixed(self, result: dict[str, Any], own_rules: list[dict[str, Any]], artifact_map: dict[int, int]) -> dict[str, Any]:
        result = json.loads(json.dumps(result))
        rule_id = result.get("ruleId")
        if rule_id is None and "ruleIndex" in result and 0 <= result["ruleIndex"] < len(own_rules):
            rule_id = result["ruleId"] = own_rules[result["ruleIndex"]].get("id")
        if rule_id in self.rule_index:
            result["ruleIndex"] = self.rule_index[rule_id]
            if isinstance(result.get("rule"), dict):
                result["rule"]["index"] = self.rule_index[rule_id]
        else:
            result.pop("ruleIndex", None)
        for location in result.get("locations", []):
            artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
            if "index" in artifact:
                if artifact["index"] in artifact_map:
                    artifact["index"] = artifact_map[artifact["index"]]
                else:
                    del artifact["index"]
        return result

    def _rank(self, result: dict[str, Any]) -> int:
        level = result.get("level")
        if level is None:  # SARIF's default: the rule's level, else "warning"
            index = result.get("ruleIndex")
            rule = self.rules[index] if isinstance(index, int) and 0 <= index < len(self.rules) else {}
            level = rule.get("defaultConfiguration", {}).get("level", "warning")
        return _LEVEL_RANK.get(level, -1)

    def finish(self) -> dict[str, Any]:
        run = dict(self.run)
        results, dropped = capped(sorted(self.results, key=_result_order), self._rank)
        dropped += self.dropped
        # The shards' notices give way to one for the merged run.
        invocations = [i for i in run.pop("invocations", None) or [] if not dropped_by_notices([i])]
        if dropped:
            invocations.append(truncation_notice(dropped))
        if invocations:
            run["invocations"] = invocations
        if self.artifacts:
            run["artifacts"] = self.artifacts
        run["results"] = results
        return run


def merge_logs(logs: list[dict[str, Any]]) -> dict[str, Any]:
    """One SARIF log holding every run of `logs`, runs of one analysis merged."""
    mergers: dict[tuple[str, str], _RunMerger] = {}
    for log in logs:
        for run in log.get("runs", []):
            key = _analysis(run)
            if key not in mergers:
                mergers[key] = _RunMerger(run)
            mergers[key].add(run)
    # The first log's top-level properties, in its key order, around the merged runs.
    merged: dict[str, Any] = dict(logs[0]) if logs else {"version": "2.1.0"}
    merged["runs"] = [m.finish() for m in mergers.values()]
    return merged


def read_log(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            log = json.load(fh)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read SARIF: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read SARIF: {exc}") from None
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list):
        raise UsageError(f"{path}: not a SARIF log (no 'runs' list)")
    if log.get("version") != "2.1.0":
        raise UsageError(f"{path}: SARIF version {log.get('version')!r}, expected '2.1.0'")
    return log


def merge_files(inputs: list[str]) -> str:
    return dump_log(merge_logs([read_log(p) for p in inputs]))
